from __future__ import annotations

from datetime import UTC, datetime

import pytest

from interview_monitor.risk.engine import DEFAULT_POLICIES, RiskLevel, RiskModel
from interview_monitor.risk.flags import DEFAULT_FACE_CONFIDENCE, flags_for_event

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_objects_map_to_kinds_with_their_confidence() -> None:
    [flag] = flags_for_event(
        "o:1", "object_detection_events", T0, 2.0, {"object_detected": "cell phone"}, 0.9
    )
    assert (flag.kind, flag.confidence, flag.severity, flag.duration_s) == ("phone", 0.9, 3, 2.0)


def test_face_events_keep_their_severity_and_default_confidence() -> None:
    [flag] = flags_for_event(
        "f:1",
        "face_pose_events",
        T0,
        3.5,
        {"event_type": "looking_away", "severity_score": 4},
        None,
    )
    assert (flag.kind, flag.severity, flag.confidence) == (
        "looking_away",
        4,
        DEFAULT_FACE_CONFIDENCE,
    )


def test_a_transcript_can_be_two_flags_or_none() -> None:
    both = flags_for_event(
        "a:1",
        "audio_transcripts",
        T0,
        4.0,
        {"is_multiple_speakers": True, "flagged_phrases": ["hey siri"], "text_content": "hey siri"},
        0.7,
        dismissed=True,
    )
    assert [(f.kind, f.confidence, f.dismissed) for f in both] == [
        ("multiple_speakers", 0.7, True),
        ("spoken_cue", 1.0, True),
    ]
    assert (
        flags_for_event("a:2", "audio_transcripts", T0, 1.0, {"is_multiple_speakers": False}, None)
        == []
    )


def test_someone_else_answering_is_its_own_kind() -> None:
    [mismatch] = flags_for_event(
        "a:3",
        "audio_transcripts",
        T0,
        6.0,
        {"is_voice_mismatch": True, "is_multiple_speakers": False, "text_content": "so, you know"},
        None,
    )
    assert (mismatch.kind, mismatch.severity, mismatch.confidence) == ("voice_mismatch", 4, 1.0)
    assert mismatch.kind in DEFAULT_POLICIES


def test_a_long_voice_mismatch_alone_is_high_risk_and_weighted_by_its_key() -> None:
    flags = flags_for_event("a:4", "audio_transcripts", T0, 60.0, {"is_voice_mismatch": True}, 0.9)
    assessment = RiskModel().assess(flags)
    [contribution] = assessment.contributions
    print(f"\n{contribution.explanation}")
    assert contribution.label == "Someone else answering"
    assert "not the candidate's enrolled voice" in contribution.explanation
    assert assessment.risk_level == RiskLevel.HIGH
    halved = RiskModel().with_weights({"voice_mismatch": 0.5}).assess(flags)
    assert halved.total_risk_score < assessment.total_risk_score


@pytest.mark.parametrize("table", ["answer_evaluations", "users"])
def test_other_tables_are_never_flags(table: str) -> None:
    assert flags_for_event("x:1", table, T0, 0.0, {"ai_relevance_score": 10}, 1.0) == []
