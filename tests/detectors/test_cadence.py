"""The answer cadence verdicts on event streams shaped like the page's recorder output."""

from __future__ import annotations

import random

from interview_monitor.detectors.cadence import (
    Answered,
    InputEvent,
    summarise,
    uniform_long_delays,
)


def _typed(chars: int, cps: float, start_ms: float = 4000, jitter: float = 0.0) -> list[InputEvent]:
    rng = random.Random(7)
    events, t = [InputEvent(0, 0, "shown")], start_ms
    for _ in range(chars):
        events.append(InputEvent(t, 1, "type"))
        t += 1000 / cps * (1 + rng.uniform(-jitter, jitter))
    return events


def test_everyday_typing_is_human_and_fast_bursts_are_not() -> None:
    human = summarise(_typed(200, 4.3, jitter=0.4))
    assert human.verdict == "typed_at_human_speed" and human.first_key_ms == 4000
    assert human.cps_bursts_p95 is not None and 3 < human.cps_bursts_p95 < 7
    assert summarise(_typed(200, 12)).verdict == "fast_typing"
    robot = summarise(_typed(200, 25))
    assert robot.verdict == "superhuman_typing"
    assert "over 16.0" in robot.reasons[0]


def test_pasted_and_partly_pasted_answers() -> None:
    pasted = summarise([InputEvent(0, 0, "shown"), InputEvent(9000, 150, "paste")])
    assert (pasted.verdict, pasted.bulk_share, pasted.first_key_ms) == (
        "pasted_in_one_go",
        1.0,
        9000,
    )
    mixed = [*_typed(100, 4.0), InputEvent(60000, 40, "paste")]
    assert summarise(mixed).verdict == "partly_pasted"
    # A copied identifier is normal.
    assert summarise([*_typed(100, 4.0), InputEvent(60000, 12, "paste")]).verdict == (
        "typed_at_human_speed"
    )
    # A value set by a script fires no input event: the page reports it as unexplained.
    scripted = summarise([InputEvent(0, 0, "shown"), InputEvent(1000, 80, "unexplained")])
    assert scripted.verdict == "pasted_in_one_go"
    assert summarise([InputEvent(0, 0, "shown")]).verdict == "no_input"


def test_a_spoken_answer_has_its_speech_delay() -> None:
    spoken = summarise([InputEvent(0, 0, "shown"), InputEvent(2500, 0, "speech")])
    assert (spoken.verdict, spoken.first_speech_ms, spoken.first_key_ms) == ("no_input", 2500, None)


def test_uniform_long_delays_before_fluent_answers() -> None:
    even = [Answered(30_000, 120, 0), Answered(32_000, 90, 0), Answered(29_000, 150, 0)]
    described = uniform_long_delays(even)
    assert described is not None and "30, 32, 29 s" in described
    uneven = [Answered(30_000, 120, 0), Answered(90_000, 90, 0), Answered(25_000, 150, 0)]
    assert uniform_long_delays(uneven) is None
    with_pauses = [*even[:2], Answered(31_000, 150, 4)]
    assert uniform_long_delays(with_pauses) is None
    quick = [Answered(3_000, 120, 0)] * 3
    assert uniform_long_delays(quick) is None
