"""Analysing a recorded file (image, video, audio) with the same detectors as live sessions."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from interview_monitor.config import Settings
from interview_monitor.risk.engine import Flag, RiskAssessment, RiskModel
from interview_monitor.risk.flags import flags_for_event
from interview_monitor.signals import DetectedEvent

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac"}
VIDEO_SUFFIXES = {".mp4", ".webm", ".avi", ".mov", ".mkv", ".gif", ".m4v"}


class AnalysisError(Exception):
    pass


@dataclass(frozen=True)
class AnalysisResult:
    file: Path
    duration_s: float
    events: list[DetectedEvent]
    risk: RiskAssessment

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "duration_s": round(self.duration_s, 3),
            "events": [event.to_json() for event in self.events],
            "risk": {
                "total_risk_score": self.risk.total_risk_score,
                "risk_level": self.risk.risk_level.value,
                "contributions": [
                    {"kind": c.kind, "points": c.points, "explanation": c.explanation}
                    for c in self.risk.contributions
                ],
            },
        }


def detected_flags(events: list[DetectedEvent], origin: datetime) -> list[Flag]:
    """DetectedEvents as risk-engine flags, with times counted from `origin`."""
    return [
        flag
        for index, event in enumerate(events)
        for flag in flags_for_event(
            f"{event.table}:{index}",
            event.table,
            origin + timedelta(seconds=event.start_s),
            max(0.0, event.end_s - event.start_s),
            event.columns,
            None if event.confidence is None else event.confidence / 100,
        )
    ]


def _kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    for kind, suffixes in (
        ("image", IMAGE_SUFFIXES),
        ("audio", AUDIO_SUFFIXES),
        ("video", VIDEO_SUFFIXES),
    ):
        if suffix in suffixes:
            return kind
    raise AnalysisError(
        f"{path}: unsupported file type {suffix or '(none)'}; "
        f"expected an image ({', '.join(sorted(IMAGE_SUFFIXES))}), a video ({', '.join(sorted(VIDEO_SUFFIXES))}) "
        f"or audio ({', '.join(sorted(AUDIO_SUFFIXES))})"
    )


def _vision_events(path: Path, sample_fps: float) -> tuple[float, list[DetectedEvent]]:
    from interview_monitor.detectors.vision import VisionConfig, analyze_frames
    from interview_monitor.media.video import iter_frames, probe_duration

    return probe_duration(path), analyze_frames(iter_frames(path, sample_fps), VisionConfig())


def _audio_events(path: Path, required: bool) -> tuple[float, list[DetectedEvent]]:
    from interview_monitor.detectors.audio import AudioConfig, analyze_pcm
    from interview_monitor.media.audio import decode_audio

    try:
        pcm, duration = decode_audio(path)
    except Exception as error:
        if required:
            raise AnalysisError(f"{path}: cannot decode audio: {error}") from None
        return 0.0, []
    return duration, analyze_pcm(pcm, AudioConfig())


def analyze_file(path: Path, sample_fps: float = 2.0, progress: bool = False) -> AnalysisResult:
    if not path.is_file():
        raise AnalysisError(f"{path}: no such file")
    kind = _kind_of(path)
    events: list[DetectedEvent] = []
    duration = 0.0
    try:
        if kind in ("image", "video"):
            if progress:
                print(f"analysing frames of {path} ...", file=sys.stderr)
            duration, events = _vision_events(path, sample_fps)
        if kind in ("audio", "video"):
            if progress:
                print(f"analysing sound of {path} ...", file=sys.stderr)
            audio_duration, audio_events = _audio_events(path, required=kind == "audio")
            duration = max(duration, audio_duration)
            events += audio_events
    except AnalysisError:
        raise
    except (OSError, ValueError) as error:
        raise AnalysisError(f"{path}: cannot analyse: {error}") from None
    events.sort(key=lambda event: (event.start_s, event.table))
    origin = datetime.now(UTC)
    risk = RiskModel().assess(detected_flags(events, origin))
    return AnalysisResult(path, duration, events, risk)


def _run_with_database(url: str, work: Any) -> Any:
    from interview_monitor.db.engine import Database

    async def run() -> Any:
        database = Database.connect(url, pool_size=1)
        try:
            async with database.session() as session:
                return await work(session)
        finally:
            await database.dispose()

    return asyncio.run(run())


def candidate_id(url: str, username: str) -> int:
    """The id of the account a stored analysis will belong to; checked before analysing."""
    from interview_monitor.auth.repository import UserRepository

    async def find(session: Any) -> int | None:
        user = await UserRepository(session).get_by_username(username)
        return None if user is None else user.id

    found: int | None = _run_with_database(url, find)
    if found is None:
        raise AnalysisError(
            f"no user named {username!r}; create it with `interview-monitor user add`"
        )
    return found


def store_analysis(settings: Settings, url: str, user_id: int, result: AnalysisResult) -> int:
    """Save an analysed file as a completed session of the user; return the session id."""
    from interview_monitor.db.tables import InterviewSession
    from interview_monitor.events.service import store_detected
    from interview_monitor.interviews.repository import SessionRepository

    model = RiskModel().with_weights(settings.risk_weights)

    async def store(session: Any) -> int:
        end = datetime.now(UTC)
        start = end - timedelta(seconds=result.duration_s)
        interview = await SessionRepository(session).add(
            InterviewSession(
                user_id=user_id,
                start_time=start,
                end_time=end,
                status="COMPLETED",
                title=f"Recording {result.file.name}",
            )
        )
        await store_detected(session, interview.id, result.events, start, model, source="analyze")
        return interview.id

    session_id: int = _run_with_database(url, store)
    return session_id
