from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interview_monitor.detectors.episodes import EpisodeRules, EpisodeTracker

RULES = EpisodeRules(
    start_level=1.0, end_level=0.5, min_duration_s=1.0, min_samples=2, max_gap_s=1.0
)


def run(
    levels: list[float], step_s: float = 0.5, rules: EpisodeRules = RULES
) -> list[tuple[float, float]]:
    tracker: EpisodeTracker[int] = EpisodeTracker("test", rules)
    closed = []
    for index, level in enumerate(levels):
        closed += tracker.update(index * step_s, level, evidence=index)
    closed += tracker.close(len(levels) * step_s)
    return [(episode.start_s, episode.end_s) for episode in closed]


def test_a_sustained_signal_is_one_episode_ending_at_the_first_quiet_sample() -> None:
    assert run([0, 0, 1, 1, 1, 1, 0, 0, 0, 0]) == [(1.0, 3.0)]


def test_a_single_bad_frame_never_makes_an_episode() -> None:
    assert run([0, 1, 0, 0, 0, 1, 0, 0, 0]) == []


def test_hysteresis_keeps_an_episode_open_between_end_and_start_level() -> None:
    assert run([1, 0.6, 0.6, 0.6, 0.6, 0, 0, 0]) == [(0.0, 2.5)]


def test_short_dips_are_bridged_and_long_ones_split() -> None:
    assert run([1, 1, 0, 1, 1, 0, 0, 0, 0]) == [(0.0, 2.5)]
    assert run([1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0]) == [(0.0, 1.5), (3.0, 4.5)]


def test_an_episode_open_at_the_end_closes_at_the_close_time() -> None:
    assert run([0, 1, 1, 1]) == [(0.5, 2.0)]


def test_the_strongest_sample_is_kept_as_evidence() -> None:
    tracker: EpisodeTracker[str] = EpisodeTracker("phone", RULES)
    closed = []
    for t_s, level in enumerate([1.2, 3.0, 1.5, 0.0, 0.0]):
        closed += tracker.update(float(t_s), level, evidence=f"frame {t_s}")
    assert len(closed) == 1
    episode = closed[0]
    assert (episode.peak_level, episode.peak_t_s, episode.evidence) == (3.0, 1.0, "frame 1")
    assert episode.active_samples == 3
    assert episode.mean_level == pytest.approx(5.7 / 3)


def test_rules_reject_inverted_hysteresis() -> None:
    with pytest.raises(ValueError, match="hysteresis"):
        EpisodeRules(start_level=0.5, end_level=0.8)


@given(st.lists(st.floats(min_value=0.0, max_value=2.0), max_size=60))
def test_episodes_are_ordered_disjoint_and_long_enough(levels: list[float]) -> None:
    episodes = run(levels)
    for start, end in episodes:
        assert end - start >= RULES.min_duration_s
    for (_, first_end), (second_start, _) in itertools.pairwise(episodes):
        assert first_end <= second_start


@given(st.lists(st.booleans(), max_size=60))
def test_isolated_single_frames_never_become_episodes(flags: list[bool]) -> None:
    isolated = [
        flag and not any(flags[max(0, i - 3) : i] + flags[i + 1 : i + 4])
        for i, flag in enumerate(flags)
    ]
    assert run([float(flag) for flag in isolated]) == []


TWO_OF_THREE = EpisodeRules(
    start_level=1.0,
    end_level=0.75,
    min_duration_s=0.0,
    min_samples=2,
    max_gap_s=3.0,
    confirm_within_samples=3,
)


def test_two_of_three_frames_confirm_an_episode() -> None:
    assert run([0, 1, 0, 1, 0, 0, 0, 0, 0, 0], step_s=1.0, rules=TWO_OF_THREE) == [(1.0, 4.0)]


def test_frames_further_apart_than_the_window_are_not_an_episode() -> None:
    # The gap of 3 s alone would bridge these two frames; the 2-of-3 window does not.
    assert run([1, 0, 0, 1, 0, 0, 0, 0], step_s=1.0, rules=TWO_OF_THREE) == []
    assert run(
        [1, 0, 0, 1, 0, 0, 0, 0],
        step_s=1.0,
        rules=replace(TWO_OF_THREE, confirm_within_samples=None),
    ) == [(0.0, 4.0)]


def test_a_dropped_start_lets_the_next_frames_open_their_own_episode() -> None:
    assert run([1, 0, 0, 0, 1, 1, 0, 0, 0, 0], step_s=1.0, rules=TWO_OF_THREE) == [(4.0, 6.0)]


def test_the_window_cannot_be_shorter_than_the_frames_it_needs() -> None:
    with pytest.raises(ValueError, match="confirm_within_samples"):
        replace(TWO_OF_THREE, confirm_within_samples=1)


@given(st.lists(st.booleans(), max_size=60))
def test_two_of_three_never_flags_frames_without_a_close_partner(flags: list[bool]) -> None:
    lonely = [
        flag and not any(flags[max(0, i - 2) : i] + flags[i + 1 : i + 3])
        for i, flag in enumerate(flags)
    ]
    assert run([float(flag) for flag in lonely], step_s=1.0, rules=TWO_OF_THREE) == []
