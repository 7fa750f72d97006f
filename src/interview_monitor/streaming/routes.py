"""WS /ws/video/{id} and /ws/audio/{id} (candidates stream in), /ws/review (reviewers watch)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, Request, WebSocket
from starlette.websockets import WebSocketState

from interview_monitor.db.engine import Database
from interview_monitor.db.tables import InterviewSession, User
from interview_monitor.deps import (
    CurrentUser,
    DatabaseDep,
    DbSession,
    LiveRuntimeDep,
    Reviewer,
    SettingsDep,
)
from interview_monitor.errors import InvalidInputError, UnavailableError
from interview_monitor.ids import RowId
from interview_monitor.interviews.service import get_session, reference_face, save_reference_face
from interview_monitor.interviews.statuses import SessionStatus
from interview_monitor.interviews.voice_enrolment import store_voice_print, voice_print_of
from interview_monitor.live.hub import ALL_SESSIONS
from interview_monitor.live.pipeline import (
    LivePipeline,
    NoReferenceFaceError,
    ProbeTimeoutError,
    Stream,
)
from interview_monitor.live.protocol import FaceReference, Kind, VoiceEnrolled
from interview_monitor.live.runtime import LiveRuntime
from interview_monitor.playback.service import stream_back, stream_dropped
from interview_monitor.streaming.auth import (
    authenticate,
    receive,
    require_reviewer,
    session_for_candidate,
    session_for_reviewer,
    session_status,
)
from interview_monitor.streaming.protocol import (
    ClientGone,
    CloseCode,
    StreamClosed,
    check_jpeg,
    check_pcm,
    check_size,
    parse_control,
)

log = logging.getLogger(__name__)
router = APIRouter(tags=["live"])
MAX_CAMERA_LABEL = 200  # browsers' device labels are well under this
MAX_REFERENCE_IMAGE_BYTES = 8 * 1024 * 1024  # a phone's photo of an ID card, as taken


@dataclass(frozen=True)
class Connection:
    """What a WebSocket handler works with, from the app's dependencies."""

    live: LiveRuntime
    database: Database
    secret_key: str

    async def authenticate(self, websocket: WebSocket) -> User:
        return await authenticate(
            websocket, self.database, self.secret_key, self.live.settings.auth_timeout_s
        )


async def _connection(
    live: LiveRuntimeDep, database: DatabaseDep, settings: SettingsDep
) -> Connection:
    return Connection(live, database, settings.secret_key)


ConnectionDep = Annotated[Connection, Depends(_connection)]


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    if websocket.application_state is WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):
            if code != CloseCode.NORMAL:
                await websocket.send_json({"type": "error", "code": code, "reason": reason})
            await websocket.close(code, reason[:120])


@router.websocket("/ws/video/{session_id}")
async def video_stream(websocket: WebSocket, parts: ConnectionDep, session_id: RowId) -> None:
    """One JPEG per binary message, 1-2 per second. Answers with acks and counts only."""
    await _media(websocket, parts, session_id, "video")


@router.websocket("/ws/audio/{session_id}")
async def audio_stream(websocket: WebSocket, parts: ConnectionDep, session_id: RowId) -> None:
    """16 kHz mono 16-bit little-endian PCM in binary messages of any length."""
    await _media(websocket, parts, session_id, "audio")


async def _media(websocket: WebSocket, parts: Connection, session_id: int, kind: Kind) -> None:
    await websocket.accept()
    runtime, database = parts.live, parts.database
    pipeline = runtime.pipeline
    connected = False
    finished = False
    try:
        if pipeline is None:
            raise StreamClosed(CloseCode.TRY_AGAIN_LATER, "live detection is not running")
        user = await parts.authenticate(websocket)
        interview = await session_for_candidate(database, session_id, user)
        reference = await _reference(database, session_id) if kind == "video" else None
        voice_print = None
        if kind == "audio":
            async with database.session() as db:
                voice_print = await voice_print_of(db, session_id)
        origin = _origin(pipeline, interview, kind)
        stream = pipeline.connect(session_id, kind, origin, time.time(), reference, voice_print)
        connected = True
        await _note_stream(runtime, database, session_id, kind, up=True)
        await websocket.send_json(
            {"type": "ready", "session_id": session_id, "kind": kind, **stream.counts()}
        )
        finished = await _pump(websocket, pipeline, parts, session_id, kind)
        await _close(websocket, CloseCode.NORMAL, "finished")
    except StreamClosed as closing:
        finished = closing.code == CloseCode.SESSION_ENDED
        await _close(websocket, closing.code, closing.reason)
    except ClientGone as gone:
        finished = gone.code == CloseCode.NORMAL
    finally:
        if connected and pipeline is not None:
            await pipeline.disconnect(session_id, kind, finished)
            still_open = pipeline.stream(session_id, kind)
            if finished or still_open is None or not still_open.connections:
                # Shielded: a handler cancelled as its client goes (or at shutdown) must still
                # store the drop.
                noting = asyncio.ensure_future(
                    _note_stream(runtime, database, session_id, kind, up=finished)
                )
                _noting.add(noting)
                noting.add_done_callback(_noting.discard)
                await asyncio.shield(noting)


_noting: set[asyncio.Future[None]] = set()  # kept referenced until they are done


async def _note_stream(
    runtime: LiveRuntime, database: Database, session_id: int, kind: Kind, up: bool
) -> None:
    """Store when a stream drops and when it is back (or finished), and tell the session's
    reviewers; a failure to store it must not end the stream."""
    try:
        async with database.session() as db:
            changed = await (stream_back if up else stream_dropped)(db, session_id, kind)
    except Exception:
        log.exception(
            "could not store the %s stream of session %s going %s",
            kind,
            session_id,
            "up" if up else "down",
        )
        return
    if changed:
        runtime.hub.publish(
            session_id, {"type": "drop", "session_id": session_id, "kind": kind, "up": up}
        )


async def _reference(database: Database, session_id: int) -> FaceReference | None:
    async with database.session() as db:
        stored = await reference_face(db, session_id)
    return None if stored is None else FaceReference(*stored)


def _origin(pipeline: LivePipeline, interview: InterviewSession, kind: Kind) -> datetime:
    """Video offsets count from the session's start; audio from its stream's first sample."""
    if kind == "video":
        return interview.start_time
    existing = pipeline.stream(interview.id, "audio")
    return existing.origin if existing is not None else datetime.now(UTC)


async def _pump(
    websocket: WebSocket, pipeline: LivePipeline, parts: Connection, session_id: int, kind: Kind
) -> bool:
    """Receive until the client finishes (True) or goes away (ClientGone)."""
    settings = parts.live.settings
    limit = settings.max_frame_bytes if kind == "video" else settings.max_audio_chunk_bytes
    next_status_check = time.monotonic() + settings.status_check_s
    while True:
        message = await receive(websocket)
        data = message.get("bytes")
        if data is None:
            control = parse_control(message.get("text") or "")
            if control.get("type") == "finish":
                return True
            if control.get("type") == "ping":
                await websocket.send_json({"type": "pong", "t": control.get("t")})
                continue
            label = control.get("label")
            if kind == "video" and control.get("type") == "camera" and isinstance(label, str):
                # The camera's device label (start, device change): the worker classifies it.
                pipeline.report_camera_label(session_id, label[:MAX_CAMERA_LABEL])
                continue
            raise StreamClosed(CloseCode.UNSUPPORTED_DATA, f"{kind} data must be binary messages")
        check_size(data, limit)
        if kind == "video":
            check_jpeg(data)
            stream = pipeline.feed_video(session_id, data, time.time())
        else:
            check_pcm(data)
            stream = pipeline.feed_audio(session_id, data, time.time())
        await websocket.send_json(_ack(stream))
        if time.monotonic() >= next_status_check:
            next_status_check = time.monotonic() + settings.status_check_s
            if await session_status(parts.database, session_id) != SessionStatus.IN_PROGRESS:
                raise StreamClosed(CloseCode.SESSION_ENDED, f"session {session_id} has ended")


def _ack(stream: Stream) -> dict[str, Any]:
    return {
        "type": "ack",
        "received": stream.received,
        "skipped": stream.skipped,
        "bytes": stream.bytes_in,
    }


@router.websocket("/ws/review")
async def review_all(websocket: WebSocket, parts: ConnectionDep) -> None:
    """Live status and score changes of every session, for the dashboard's list."""
    await _review(websocket, parts, None)


@router.websocket("/ws/review/{session_id}")
async def review_session(websocket: WebSocket, parts: ConnectionDep, session_id: RowId) -> None:
    """New flags and the new score of one session as they are stored (reviewers only)."""
    await _review(websocket, parts, session_id)


async def _review(websocket: WebSocket, parts: Connection, session_id: int | None) -> None:
    await websocket.accept()
    runtime, database = parts.live, parts.database
    try:
        user = await parts.authenticate(websocket)
        if session_id is None:
            require_reviewer(user)
        else:
            interview = await session_for_reviewer(database, session_id, user)
        channel = ALL_SESSIONS if session_id is None else session_id
        async with runtime.hub.subscribe(channel) as updates:
            hello: dict[str, Any] = {"type": "hello", "session_id": session_id}
            if runtime.pipeline is not None:
                hello["live"] = (
                    runtime.pipeline.live_sessions()
                    if session_id is None
                    else runtime.pipeline.status(session_id)
                )
            if session_id is not None:
                hello["status"] = interview.status
            await websocket.send_json(hello)
            await _forward_until_gone(websocket, updates)
    except StreamClosed as closing:
        await _close(websocket, closing.code, closing.reason)
    except (ClientGone, RuntimeError, OSError):
        return


async def _forward_until_gone(websocket: WebSocket, updates: asyncio.Queue[dict[str, Any]]) -> None:
    """Send updates until the reviewer leaves; their messages are read only to notice that."""
    async with anyio.create_task_group() as group:

        async def forward() -> None:
            with contextlib.suppress(RuntimeError, OSError):
                while True:
                    await websocket.send_json(await updates.get())
            group.cancel_scope.cancel()

        async def watch() -> None:
            with contextlib.suppress(ClientGone):
                while True:
                    await receive(websocket)
            group.cancel_scope.cancel()

        group.start_soon(forward)
        group.start_soon(watch)


@router.get("/api/live")
async def live_sessions(runtime: LiveRuntimeDep, _: Reviewer) -> dict[str, Any]:
    """Which sessions are streaming now, with frame and audio counts (reviewers only)."""
    if runtime.pipeline is None:
        return {"enabled": False, "sessions": {}}
    return {
        "enabled": True,
        "sessions": {str(k): v for k, v in runtime.pipeline.live_sessions().items()},
        "backlog": runtime.pipeline.backlog(),
    }


@router.post("/api/live/face-check")
async def face_check(
    request: Request, runtime: LiveRuntimeDep, user: CurrentUser
) -> dict[str, Any]:
    """The camera check before an interview: how many faces are in this JPEG (the raw body)?"""
    if runtime.pipeline is None:
        raise UnavailableError("live detection is not running on this server")
    body = await request.body()
    if len(body) > runtime.settings.max_frame_bytes:
        raise InvalidInputError("the image is too large", ["body"])
    try:
        faces = await runtime.pipeline.count_faces(user.id, body)
    except ValueError:
        raise InvalidInputError("the body must be one JPEG image", ["body"]) from None
    except ProbeTimeoutError as error:
        raise UnavailableError(str(error)) from None
    messages = {0: "No face found: face the camera in good light.", 1: "Face visible."}
    return {
        "faces": faces,
        "ok": faces == 1,
        "message": messages.get(faces, "More than one face is in view: be alone in the frame."),
    }


_REFERENCE_SOURCES = {"id_photo": "uploaded photo", "system_check": "system check"}
_NO_REFERENCE = {
    "no_face": "no face was found in the image",
    "several_faces": "more than one face is in the image: it must show the candidate alone",
    "face_not_measurable": "the face could not be measured: use a frontal, well-lit photo",
}


@router.post("/api/interview/{session_id}/reference-face", status_code=201)
async def upload_reference_face(
    request: Request,
    runtime: LiveRuntimeDep,
    db: DbSession,
    user: CurrentUser,
    session_id: RowId,
    source: Literal["id_photo", "system_check"] = "id_photo",
) -> dict[str, Any]:
    """Who the candidate is: an ID photo, or the camera check's frame (a JPEG or PNG body).

    The session's candidate or a reviewer. An ID photo replaces any reference; the camera
    check's face never replaces an ID photo. Live streams opened afterwards judge faces
    against it (identity_mismatch); without one, against the stream's first stable face.
    """
    await get_session(db, session_id, user)
    if runtime.pipeline is None:
        raise UnavailableError("live detection is not running on this server")
    body = await request.body()
    if len(body) > MAX_REFERENCE_IMAGE_BYTES:
        raise InvalidInputError(f"the image is over {MAX_REFERENCE_IMAGE_BYTES} bytes", ["body"])
    try:
        face = await runtime.pipeline.reference_face(session_id, body, _REFERENCE_SOURCES[source])
    except ValueError:
        raise InvalidInputError("the body must be one JPEG or PNG image", ["body"]) from None
    except NoReferenceFaceError as refused:
        message = _NO_REFERENCE.get(refused.reason, str(refused))
        raise InvalidInputError(message, ["body"]) from None
    except ProbeTimeoutError as error:
        raise UnavailableError(str(error)) from None
    stored = await save_reference_face(db, session_id, face.source, face.vector, face.jpeg)
    return {"session_id": session_id, "source": face.source, "stored": stored}


# The sentence read aloud at the system check: 5-8 s of 16 kHz s16le PCM; 20 s is plenty.
MAX_VOICE_SAMPLE_BYTES = 20 * 16_000 * 2


async def _voice_check(request: Request, runtime: LiveRuntimeDep, owner_id: int) -> VoiceEnrolled:
    if runtime.pipeline is None:
        raise UnavailableError("live detection is not running on this server")
    body = await request.body()
    if len(body) > MAX_VOICE_SAMPLE_BYTES:
        raise InvalidInputError("the recording is longer than 20 s", ["body"])
    try:
        return await runtime.pipeline.check_voice(owner_id, body)
    except ProbeTimeoutError as error:
        raise UnavailableError(str(error)) from None


def _voice_answer(check: VoiceEnrolled) -> dict[str, Any]:
    return {
        "ok": check.refusal is None,
        "message": check.refusal or "Voice recorded: thank you.",
        **check.measures,
    }


@router.post("/api/live/voice-check")
async def voice_check(
    request: Request, runtime: LiveRuntimeDep, user: CurrentUser
) -> dict[str, Any]:
    """The microphone check before an interview: is this sentence, read aloud (raw 16 kHz
    s16le PCM body), one clear voice that can be the candidate's print? Nothing is stored."""
    return _voice_answer(await _voice_check(request, runtime, user.id))


@router.post("/api/interview/{session_id}/voice-enrolment")
async def voice_enrolment(
    request: Request, runtime: LiveRuntimeDep, user: CurrentUser, db: DbSession, session_id: RowId
) -> dict[str, Any]:
    """The same check; when it passes, the print (not the recording) is stored with the
    session and the session's audio stream is judged against it from its first second."""
    check = await _voice_check(request, runtime, session_id)
    if check.voice_print is not None:
        await store_voice_print(db, session_id, user, check.voice_print, check.measures)
    return _voice_answer(check)
