"""Analysing a recorded file (image, video, audio) with the same detectors as live sessions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interview_monitor.risk.engine import Flag, RiskAssessment, RiskModel
from interview_monitor.risk.flags import flags_for_event
from interview_monitor.signals import DetectedEvent

if TYPE_CHECKING:  # the detectors load models: imported only when a file needs them
    from interview_monitor.detectors.audio import AudioAnalysis
    from interview_monitor.detectors.vision import VisionAnalysis

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac"}
VIDEO_SUFFIXES = {".mp4", ".webm", ".avi", ".mov", ".mkv", ".gif", ".m4v", ".mpg", ".mpeg"}


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


def _vision(path: Path, sample_fps: float) -> tuple[float, VisionAnalysis]:
    from interview_monitor.detectors.vision import VisionConfig, analyze_video
    from interview_monitor.media.video import iter_frames, probe_duration

    duration = probe_duration(path)
    return duration, analyze_video(iter_frames(path, sample_fps), VisionConfig(), end_s=duration)


def _audio(path: Path, required: bool) -> tuple[float, AudioAnalysis | None]:
    from interview_monitor.detectors.audio import AudioConfig, analyze_recording
    from interview_monitor.media.audio import decode_audio

    try:
        pcm, duration = decode_audio(path)
    except Exception as error:
        if required:
            raise AnalysisError(f"{path}: cannot decode audio: {error}") from None
        return 0.0, None
    return duration, analyze_recording(pcm, AudioConfig())


def _lip_events(vision: VisionAnalysis | None, audio: AudioAnalysis | None) -> list[DetectedEvent]:
    """A video with sound: speech heard while the face in view kept its mouth shut."""
    if vision is None or audio is None or len(vision.mouth_openings) < 2:
        return []
    from interview_monitor.detectors.lips import speech_without_lip_motion

    return speech_without_lip_motion(vision.mouth_openings, audio.speech_segments)


def analyze_file(
    path: Path, sample_fps: float = 2.0, progress: Callable[[str], None] | None = None
) -> AnalysisResult:
    """The file's episodes and their risk; `progress` is told each stage as it starts."""
    if not path.is_file():
        raise AnalysisError(f"{path}: no such file")
    kind = _kind_of(path)
    duration = 0.0
    vision: VisionAnalysis | None = None
    audio: AudioAnalysis | None = None
    try:
        if kind in ("image", "video"):
            if progress:
                progress(f"analysing frames of {path} ...")
            duration, vision = _vision(path, sample_fps)
        if kind in ("audio", "video"):
            if progress:
                progress(f"analysing sound of {path} ...")
            audio_duration, audio = _audio(path, required=kind == "audio")
            duration = max(duration, audio_duration)
    except AnalysisError:
        raise
    except (OSError, ValueError) as error:
        raise AnalysisError(f"{path}: cannot analyse: {error}") from None
    events = [
        *(vision.events if vision else []),
        *(audio.events if audio else []),
        *_lip_events(vision, audio),
    ]
    events.sort(key=lambda event: (event.start_s, event.table))
    origin = datetime.now(UTC)
    risk = RiskModel().assess(detected_flags(events, origin))
    return AnalysisResult(path, duration, events, risk)
