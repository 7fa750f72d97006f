"""Analysing a recorded file (image, video, audio) with the same detectors as live sessions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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

    duration = probe_duration(path)
    return duration, analyze_frames(iter_frames(path, sample_fps), VisionConfig(), end_s=duration)


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


def analyze_file(
    path: Path, sample_fps: float = 2.0, progress: Callable[[str], None] | None = None
) -> AnalysisResult:
    """The file's episodes and their risk; `progress` is told each stage as it starts."""
    if not path.is_file():
        raise AnalysisError(f"{path}: no such file")
    kind = _kind_of(path)
    events: list[DetectedEvent] = []
    duration = 0.0
    try:
        if kind in ("image", "video"):
            if progress:
                progress(f"analysing frames of {path} ...")
            duration, events = _vision_events(path, sample_fps)
        if kind in ("audio", "video"):
            if progress:
                progress(f"analysing sound of {path} ...")
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
