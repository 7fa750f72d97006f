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
VOICE_MISMATCH_SEVERITY = 4
SPOKEN_CUE_SEVERITY = 4
SHARED_ANSWER_SEVERITY = 3
# A strong near-copy (long own text in common) counts fully; a weak one, which honest pairs
# reach three times as often (docs/answers.md), half.
SHARED_ANSWER_CONFIDENCE = {"strong": 1.0, "weak": 0.5}


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
    """`confidence` is 0-1 (None when the source gave none). A transcript can be several flags:
    another voice or someone else answering (a voice mismatch), and a spoken cue; answer
    evaluations are never flags, a near-copy of another candidate's answer always is (its
    confidence comes from its tier, not the score)."""
    if table == "answer_matches":
        tier = str(columns["tier"])
        return [
            Flag(
                ref,
                "shared_answer",
                start,
                duration_s,
                SHARED_ANSWER_SEVERITY,
                SHARED_ANSWER_CONFIDENCE[tier],
                dismissed,
                f"{tier} near-copy of session {columns['other_session_id']}'s answer",
            )
        ]
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
    if columns.get("is_voice_mismatch"):
        flags.append(
            Flag(
                ref,
                "voice_mismatch",
                start,
                duration_s,
                VOICE_MISMATCH_SEVERITY,
                1.0 if confidence is None else confidence,
                dismissed,
                str(columns.get("text_content", "")),
            )
        )
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
