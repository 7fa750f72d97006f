"""What the live pipeline and a detector worker process send each other.

Requests go over the worker's multiprocessing queue, replies over its own pipe (so a worker
that dies cannot leave a lock shared with the others held). Every message is pickled on the
way: frozen, slotted and made of plain values only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from interview_monitor.signals import DetectedEvent

Kind = Literal["video", "audio"]


@dataclass(frozen=True, slots=True)
class FaceReference:
    """Who the candidate is: SFace's unit vector (float32 bytes) and the face as a JPEG."""

    vector: bytes
    jpeg: bytes
    source: str  # "system check" or "uploaded photo"


@dataclass(frozen=True, slots=True)
class Open:
    """Fresh detector state for the stream; its first sample is `offset_s` into the stream
    (a stream whose worker was restarted goes on with its times kept on the clock). A video
    stream judges faces against `reference`, or without one against its first stable face."""

    stream_id: int
    offset_s: float = 0.0
    reference: FaceReference | None = None
    # The candidate's read-aloud voice print (256 floats), for an audio stream that has one.
    voice_print: tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class Probe:
    """How many faces are in this JPEG (the candidate's camera check); with `enrol`, also
    the reference face it gives when it shows exactly one."""

    stream_id: int
    jpeg: bytes
    enrol: bool = False


@dataclass(frozen=True, slots=True)
class EnrolVoice:
    """The sentence read aloud at the system check (16 kHz s16le PCM): a voice print?"""

    stream_id: int
    pcm: bytes


@dataclass(frozen=True, slots=True)
class VideoFrame:
    stream_id: int
    t_s: float
    jpeg: bytes
    received_at: float
    camera_label: str | None = None  # the camera's device label, when it is new


@dataclass(frozen=True, slots=True)
class AudioChunk:
    stream_id: int
    pcm: bytes
    received_at: float


@dataclass(frozen=True, slots=True)
class Close:
    stream_id: int
    t_s: float


Request = Open | Probe | EnrolVoice | VideoFrame | AudioChunk | Close


@dataclass(frozen=True, slots=True)
class Wake:
    """Put in the request queue by the worker's Whisper thread: a call has finished."""


@dataclass(frozen=True, slots=True)
class Stop:
    pass


Queued = Request | Wake | Stop


@dataclass(frozen=True, slots=True)
class Ready:
    kind: Kind
    index: int


@dataclass(frozen=True, slots=True)
class Failed:
    """The worker could not load its models."""

    kind: Kind
    index: int
    message: str


@dataclass(frozen=True, slots=True)
class Opened:
    stream_id: int


@dataclass(frozen=True, slots=True)
class Probed:
    stream_id: int
    faces: int | None
    error: str | None  # the image could not be read
    reference: FaceReference | None = None  # asked for (enrol) and one measurable face
    refusal: str | None = None  # asked for, but no reference: "no_face", "several_faces", ...


@dataclass(frozen=True, slots=True)
class VoiceEnrolled:
    """The answer to EnrolVoice: the print and its measures, or why it was refused (a message
    for the candidate)."""

    stream_id: int
    voice_print: tuple[float, ...] | None
    measures: dict[str, float]
    refusal: str | None


@dataclass(frozen=True, slots=True)
class Done:
    """The answer to one VideoFrame or AudioChunk."""

    stream_id: int
    events: list[DetectedEvent]
    received_at: float
    error: str | None
    # video: the frame's (t_s, mouth opening or None); audio: the VAD speech segments
    # (start_s, end_s) this chunk closed. For the speech-without-lip-motion check, which needs
    # both streams and so runs in the server process (live/lips.py).
    mouth: tuple[float, float | None] | None = None
    speech: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Transcripts:
    """Transcripts from a Whisper call that served several streams, not the answer to one
    request; `received_at` is when the input that made the earliest of these segments due
    for transcription arrived."""

    stream_id: int
    events: list[DetectedEvent]
    received_at: float | None


@dataclass(frozen=True, slots=True)
class Closed:
    stream_id: int
    events: list[DetectedEvent]
    stats: dict[str, Any]
    speech: tuple[tuple[float, float], ...] = ()  # audio: segments closed by the close (Done)


Reply = Ready | Failed | Opened | Probed | VoiceEnrolled | Done | Transcripts | Closed
# Replies that answer a request (the pool counts a worker's queued requests by them).
ReplyToRequest = Opened | Probed | Done | Closed
