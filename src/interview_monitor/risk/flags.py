"""Events of the seed's tables as risk-engine flags: one mapping for stored rows and for
events fresh from the detectors, so a file analysed and the same file stored score the same."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from interview_monitor.risk.engine import Flag, face_kind, object_kind

DEFAULT_OBJECT_SEVERITY = 3
DEFAULT_FACE_CONFIDENCE = 0.8
OTHER_VOICE_SEVERITY = 3
SPOKEN_CUE_SEVERITY = 4


PAGE_SEVERITY = 3
# The page's own report: no detector uncertainty, though the page can be lied to (see docs).
PAGE_CONFIDENCE = 1.0
NOT_FLAGS = {"heartbeat"}


def describe_details(details: Mapping[str, Any]) -> str:
    """Telemetry details in words for the reviewer: `{"chars": 120}` -> "chars: 120"."""
    return ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in details.items())


def browser_flag(
    ref: str,
    event_type: str,
    start: datetime,
    duration_s: float,
    details: Mapping[str, Any],
    dismissed: bool = False,
) -> Flag | None:
    """A browser event as a flag of its own kind (the kinds are its event types); None for a
    heartbeat, which only shows that the page is alive."""
    if event_type in NOT_FLAGS:
        return None
    description = describe_details(details)
    return Flag(
        ref, event_type, start, duration_s, PAGE_SEVERITY, PAGE_CONFIDENCE, dismissed, description
    )


def flags_for_event(
    ref: str,
    table: str,
    start: datetime,
    duration_s: float,
    columns: Mapping[str, Any],
    confidence: float | None,
    dismissed: bool = False,
) -> list[Flag]:
    """`confidence` is 0-1 (None when the source gave none). A transcript can be two flags:
    another voice and a spoken cue; answer evaluations are never flags."""
    if table == "object_detection_events":
        detected = str(columns["object_detected"])
        return [
            Flag(
                ref,
                object_kind(detected),
                start,
                duration_s,
                DEFAULT_OBJECT_SEVERITY,
                1.0 if confidence is None else confidence,
                dismissed,
                detected,
            )
        ]
    if table == "face_pose_events":
        event_type = str(columns["event_type"])
        return [
            Flag(
                ref,
                face_kind(event_type),
                start,
                duration_s,
                int(columns.get("severity_score") or 1),
                DEFAULT_FACE_CONFIDENCE if confidence is None else confidence,
                dismissed,
                event_type,
            )
        ]
    if table != "audio_transcripts":
        return []
    flags = []
    if columns.get("is_multiple_speakers"):
        voice_confidence = 1.0 if confidence is None else confidence
        text = str(columns.get("text_content", ""))
        flags.append(
            Flag(
                ref,
                "multiple_speakers",
                start,
                duration_s,
                OTHER_VOICE_SEVERITY,
                voice_confidence,
                dismissed,
                text,
            )
        )
    phrases = columns.get("flagged_phrases") or []
    if phrases:
        flags.append(
            Flag(
                ref,
                "spoken_cue",
                start,
                duration_s,
                SPOKEN_CUE_SEVERITY,
                1.0,
                dismissed,
                ", ".join(phrases),
            )
        )
    return flags
