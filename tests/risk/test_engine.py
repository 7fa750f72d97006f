from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interview_monitor.risk.engine import (
    DEFAULT_POLICIES,
    HIGH_THRESHOLD,
    MEDIUM_THRESHOLD,
    Flag,
    RiskLevel,
    RiskModel,
    face_kind,
    object_kind,
    risk_level,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = sorted(DEFAULT_POLICIES)


def flag(
    kind: str, at_s: float, duration_s: float = 0.0, confidence: float = 0.9, **extra: object
) -> Flag:
    return Flag(
        f"{kind}:{at_s}",
        kind,
        T0 + timedelta(seconds=at_s),
        duration_s,
        confidence=confidence,
        **extra,
    )  # type: ignore[arg-type]


flags_strategy = st.lists(
    st.builds(
        Flag,
        ref=st.uuids().map(str),
        kind=st.sampled_from(KINDS),
        start=st.integers(0, 3600).map(lambda s: T0 + timedelta(seconds=s)),
        duration_s=st.floats(0, 600),
        severity=st.integers(1, 5),
        confidence=st.floats(0, 1),
    ),
    max_size=40,
)


def test_no_flags_is_zero_and_low() -> None:
    assessment = RiskModel().assess([])
    assert assessment.total_risk_score == 0
    assert assessment.risk_level is RiskLevel.LOW
    assert assessment.contributions == ()


@settings(max_examples=200, deadline=None)
@given(flags_strategy)
def test_score_is_bounded(flags: list[Flag]) -> None:
    assert 0 <= RiskModel().assess(flags).total_risk_score <= 100


@settings(max_examples=200, deadline=None)
@given(flags_strategy, flags_strategy)
def test_more_evidence_never_lowers_the_score(base: list[Flag], extra: list[Flag]) -> None:
    model = RiskModel()
    assert model.assess(base + extra).total_risk_score >= model.assess(base).total_risk_score - 0.01


def test_a_phone_seen_in_forty_frames_over_twenty_seconds_is_one_episode() -> None:
    frames = [flag("phone", at_s=10 + i * 0.5, duration_s=0.5) for i in range(40)]
    contribution = RiskModel().assess(frames).contributions[0]
    assert contribution.episodes == 1
    assert contribution.total_duration_s == pytest.approx(20.0)
    assert len(contribution.flags) == 40


def test_separate_sightings_far_apart_are_separate_episodes() -> None:
    assessment = RiskModel(merge_gap_s=5).assess([flag("phone", 0, 2), flag("phone", 60, 2)])
    assert assessment.contributions[0].episodes == 2


def test_repeated_episodes_score_higher_than_one() -> None:
    model = RiskModel()
    once = model.assess([flag("phone", 0, 2)]).total_risk_score
    twice = model.assess([flag("phone", 0, 2), flag("phone", 120, 2)]).total_risk_score
    assert twice > once


def test_dismissed_flags_do_not_count_but_others_do() -> None:
    model = RiskModel()
    kept = flag("extra_person", 30, 5)
    dismissed = Flag("x", "phone", T0, 10, confidence=1.0, dismissed=True)
    assert model.assess([kept, dismissed]).total_risk_score == model.assess([kept]).total_risk_score
    assert model.assess([dismissed]).total_risk_score == 0


def test_weights_scale_a_kind_and_zero_turns_it_off() -> None:
    flags = [flag("looking_away", 0, 8)]
    base = RiskModel().assess(flags).total_risk_score
    assert RiskModel().with_weights({"looking_away": 2.0}).assess(flags).total_risk_score > base
    assert RiskModel().with_weights({"looking_away": 0.0}).assess(flags).total_risk_score == 0


def test_unknown_weight_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="gaze"):
        RiskModel().with_weights({"gaze": 2.0})


def test_contributions_explain_themselves_and_sum_up() -> None:
    assessment = RiskModel().assess(
        [flag("phone", 0, 12, confidence=0.95), flag("looking_away", 40, 4)]
    )
    kinds = [c.kind for c in assessment.contributions]
    assert kinds == ["phone", "looking_away"]
    phone = assessment.contributions[0]
    assert (
        "phone" in phone.explanation and "95%" in phone.explanation and "12 s" in phone.explanation
    )
    remaining = 1.0
    for contribution in assessment.contributions:
        remaining *= 1 - contribution.points / 100
    assert assessment.total_risk_score == pytest.approx(100 * (1 - remaining), abs=0.02)


def test_one_weak_looking_away_stays_low_and_a_phone_with_a_person_is_high() -> None:
    model = RiskModel()
    assert model.assess([flag("looking_away", 0, 3, confidence=0.6)]).risk_level is RiskLevel.LOW
    both = model.assess([flag("phone", 0, 10), flag("extra_person", 5, 10)])
    assert both.risk_level is RiskLevel.HIGH


def test_history_rises_with_each_flag() -> None:
    flags = [flag("phone", 0, 2), flag("extra_person", 30, 2), flag("no_face", 90, 10)]
    scores = [score for _, score in RiskModel().history(flags)]
    assert scores == sorted(scores) and len(scores) == 3 and scores[0] > 0


def test_a_long_history_is_sampled_evenly_and_ends_with_the_final_score() -> None:
    model = RiskModel()
    kinds = ["looking_away", "no_face", "phone"]
    flags = [flag(kinds[i % 3], 40.0 * i, 3.0, confidence=0.5) for i in range(1000)]
    history = model.history(flags, max_points=50)
    assert len(history) == 50
    assert history[0] == model.history(flags[:1])[0]
    assert history[-1] == (flags[-1].end, model.assess(flags).total_risk_score)
    times = [at for at, _ in history]
    assert times == sorted(times)
    assert model.history(flags[:50], max_points=50) == model.history(flags[:50])


def test_one_episode_of_many_flags_keeps_every_reference() -> None:
    flags = [flag("multiple_speakers", 5.0 * i, 4.0) for i in range(3000)]
    [episode] = RiskModel().episodes(flags)
    assert episode.refs == tuple(f.ref for f in flags)
    assert episode.start == flags[0].start and episode.end == flags[-1].end


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, "LOW"),
        (MEDIUM_THRESHOLD - 0.01, "LOW"),
        (MEDIUM_THRESHOLD, "MEDIUM"),
        (HIGH_THRESHOLD, "HIGH"),
        (100, "HIGH"),
    ],
)
def test_levels_follow_the_documented_cut_offs(score: float, level: str) -> None:
    assert risk_level(score).value == level


def test_detector_names_map_to_kinds() -> None:
    assert object_kind("cell phone") == "phone"
    assert object_kind(" Person ") == "extra_person"
    assert object_kind("book") == "other_object"
    assert face_kind("looking_away") == "looking_away"
    assert face_kind("blinking") == "other"
