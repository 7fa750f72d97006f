"""Which flags make one incident: overlapping in time and related by a cause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interview_monitor.review.incidents import (
    CAUSES,
    cause_of,
    flagged_seconds,
    group_incidents,
    related,
)
from interview_monitor.risk.engine import DEFAULT_POLICIES, Flag

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def _flag(ref: str, kind: str, at_s: float, duration_s: float = 0.0, **more: object) -> Flag:
    return Flag(ref, kind, T0 + timedelta(seconds=at_s), duration_s, **more)  # type: ignore[arg-type]


def test_every_kind_in_the_cause_table_is_a_risk_kind() -> None:
    assert set().union(*CAUSES.values()) <= set(DEFAULT_POLICIES)


def test_kinds_are_related_only_through_a_shared_cause() -> None:
    assert related("extra_person", "multiple_speakers")
    assert related("phone", "phone")
    assert not related("phone", "multiple_faces")
    assert not related("no_face", "spoken_cue")


def test_four_detectors_on_one_second_person_are_one_incident() -> None:
    flags = [
        _flag("face_pose_events:1", "multiple_faces", 8.0, 4.0),
        _flag("object_detection_events:2", "extra_person", 8.2, 3.0),
        _flag("audio_transcripts:3", "multiple_speakers", 9.0, 2.0),
        _flag("face_pose_events:4", "head_turned", 10.5, 1.0),
        _flag("object_detection_events:5", "phone", 9.0, 1.0),  # at the same time, unrelated
    ]
    incidents = group_incidents(flags)
    assert [len(i.parts) for i in incidents] == [4, 1]
    person, phone = incidents
    assert person.ref == "face_pose_events:1" and person.cause == "Another person present"
    assert person.kinds == ("extra_person", "head_turned", "multiple_faces", "multiple_speakers")
    assert person.start == T0 + timedelta(seconds=8) and person.duration_s == 4.0
    assert phone.cause == "Outside material"


def test_related_flags_apart_in_time_are_separate_incidents() -> None:
    flags = [
        _flag("face_pose_events:1", "no_face", 0.0, 5.0),
        _flag("face_pose_events:2", "looking_away", 6.5, 1.0),  # within the slack: joined
        _flag("face_pose_events:3", "looking_away", 30.0, 1.0),
    ]
    assert [[p.ref for p in i.parts] for i in group_incidents(flags)] == [
        ["face_pose_events:1", "face_pose_events:2"],
        ["face_pose_events:3"],
    ]


def test_an_incident_is_dismissed_only_when_all_its_parts_are() -> None:
    flags = [
        _flag("face_pose_events:1", "multiple_faces", 0.0, 2.0, dismissed=True),
        _flag("object_detection_events:2", "extra_person", 1.0, 2.0),
    ]
    (incident,) = group_incidents(flags)
    assert not incident.dismissed
    (alone,) = group_incidents(flags[:1])
    assert alone.dismissed


def test_flagged_seconds_count_overlaps_once_and_skip_dismissed_flags() -> None:
    flags = [
        _flag("face_pose_events:1", "multiple_faces", 0.0, 4.0),
        _flag("object_detection_events:2", "extra_person", 2.0, 4.0),
        _flag("face_pose_events:3", "no_face", 20.0, 5.0),
        _flag("face_pose_events:4", "no_face", 40.0, 9.0, dismissed=True),
    ]
    assert flagged_seconds(group_incidents(flags)) == 11.0
    assert flagged_seconds([]) == 0.0


def test_the_cause_of_unlisted_kinds_is_other() -> None:
    assert cause_of(["other"]) == "Other"
    assert cause_of(["looking_away", "no_face"]) == "Candidate away from the screen"
