"""How a typed answer arrived: a summary of its input events, and the verdict on it.

Pure. Input is what the candidate page's recorder (web/static/typing.js) keeps for one answer:
(t_ms, chars_added, kind) triples, counts and times only, never the text or the keys. Raw
inter-key timings identify people (keystroke dynamics), so only the summary is stored.

Numbers behind the thresholds (1 WPM = 5 characters a minute): everyday typing averages
52 WPM = 4.3 characters/s and the fastest ordinary typists reach ~120 WPM = 10 characters/s
(Dhakal et al., CHI 2018, 168,000 typists); the one-hour typewriter record is 12.3
characters/s. A 2 s gap is the usual pause threshold of keystroke-logging writing research.
None of the verdicts has a measured precision on real interviews yet.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

PAUSE_MS = 2000  # a gap this long ends a burst
MIN_BURST_CHARS = 20  # a rate over fewer typed characters says nothing
HUMAN_TOP_CPS = 10.0  # 120 WPM: the top of Dhakal et al.'s typists
SUPERHUMAN_CPS = 16.0  # 192 WPM: above the one-hour record, near the best sprint ever typed
MAX_KEY_CHARS = 3  # one key press inserts one character; dead keys and auto-pairs a few
MAX_WORD_CHARS = 30  # an IME, swipe or autocorrect event inserts one word
PASTE_MIN_CHARS = 30  # a shorter paste is a copied term or identifier: normal
PASTED_SHARE = 0.5
PARTLY_PASTED_SHARE = 0.2

EventKind = Literal[
    "shown", "speech", "type", "compose", "replace", "paste", "drop", "delete", "history",
    "unexplained", "blur", "focus",
]  # fmt: skip
Verdict = Literal[
    "pasted_in_one_go", "partly_pasted", "superhuman_typing", "fast_typing",
    "typed_at_human_speed", "no_input",
]  # fmt: skip
FLAGGED_VERDICTS: tuple[Verdict, ...] = (
    "pasted_in_one_go",
    "partly_pasted",
    "superhuman_typing",
    "fast_typing",
)
_INSERTS = {"type", "compose", "replace", "paste", "drop", "unexplained"}
_KEYBOARD = {"type", "compose", "replace"}


@dataclass(frozen=True, slots=True)
class InputEvent:
    t_ms: float
    chars_added: int
    kind: EventKind


@dataclass(frozen=True, slots=True)
class CadenceSummary:
    """All times in ms from the question being shown, rates in characters a second."""

    verdict: Verdict
    reasons: tuple[str, ...]
    first_key_ms: int | None
    first_speech_ms: int | None
    inserted_chars: int
    typed_chars: int
    deleted_chars: int
    pasted_chars: int
    bulk_keyboard_chars: int
    unexplained_chars: int
    bulk_share: float
    bursts: int
    cps_bursts_p50: float | None
    cps_bursts_p95: float | None
    pauses: int
    longest_pause_ms: int
    away_ms: int

    @property
    def bulk_chars(self) -> int:
        return self.pasted_chars + self.bulk_keyboard_chars + self.unexplained_chars

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "reasons": list(self.reasons)}


def _cap(kind: str) -> int:
    return MAX_KEY_CHARS if kind == "type" else MAX_WORD_CHARS


def _percentile(values: Sequence[float], share: float) -> float:
    """Linear interpolation between closest ranks, as numpy's default."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _burst_rates(human: Sequence[InputEvent]) -> list[float]:
    """Characters a second within each run of key-sized events not broken by a pause."""
    bursts: list[list[InputEvent]] = []
    for event in human:
        if bursts and event.t_ms - bursts[-1][-1].t_ms < PAUSE_MS:
            bursts[-1].append(event)
        else:
            bursts.append([event])
    rates = []
    for burst in bursts:
        chars = sum(event.chars_added for event in burst)
        span_ms = burst[-1].t_ms - burst[0].t_ms
        if chars >= MIN_BURST_CHARS and span_ms > 0:
            # The first event's characters arrive at the start of the span, not over it.
            rates.append((chars - burst[0].chars_added) / span_ms * 1000.0)
    return rates


def _away_ms(events: Sequence[InputEvent]) -> float:
    away, left_at = 0.0, None
    for event in events:
        if event.kind == "blur" and left_at is None:
            left_at = event.t_ms
        elif event.kind == "focus" and left_at is not None:
            away += event.t_ms - left_at
            left_at = None
    return away


def summarise(raw: Iterable[InputEvent]) -> CadenceSummary:
    events = sorted(raw, key=lambda event: event.t_ms)
    shown = next((e.t_ms for e in events if e.kind == "shown"), events[0].t_ms if events else 0.0)
    first_input = next((e for e in events if e.kind in _INSERTS and e.chars_added > 0), None)
    speech = next((e.t_ms for e in events if e.kind == "speech"), None)
    keyboard = [e for e in events if e.kind in _KEYBOARD and e.chars_added > 0]
    human = [e for e in keyboard if e.chars_added <= _cap(e.kind)]
    typed = sum(e.chars_added for e in human)
    bulk_keyboard = sum(e.chars_added for e in keyboard) - typed
    pasted = sum(e.chars_added for e in events if e.kind in ("paste", "drop") and e.chars_added > 0)
    unexplained = sum(
        e.chars_added for e in events if e.kind == "unexplained" and e.chars_added > 0
    )
    inserted = typed + bulk_keyboard + pasted + unexplained
    bulk = pasted + bulk_keyboard + unexplained
    share = bulk / inserted if inserted else 0.0
    rates = _burst_rates(human)
    p95 = round(_percentile(rates, 0.95), 2) if rates else None
    times = [e.t_ms for e in events if e.kind in _INSERTS or e.kind == "delete"]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]

    reasons: list[str] = []
    if pasted:
        reasons.append(f"{pasted} characters pasted or dropped")
    if unexplained:
        reasons.append(f"{unexplained} characters appeared with no input event")
    if bulk_keyboard:
        largest = max(e.chars_added for e in keyboard)
        reasons.append(f"keyboard events of up to {largest} characters at once")
    verdict: Verdict
    if inserted == 0:
        verdict = "no_input"
    elif bulk >= PASTE_MIN_CHARS and share >= PASTED_SHARE:
        verdict = "pasted_in_one_go"
    elif bulk >= PASTE_MIN_CHARS and share >= PARTLY_PASTED_SHARE:
        verdict = "partly_pasted"
    elif p95 is not None and p95 > SUPERHUMAN_CPS:
        verdict = "superhuman_typing"
        reasons.append(f"typing bursts reached {p95} characters/s (p95), over {SUPERHUMAN_CPS}")
    elif p95 is not None and p95 > HUMAN_TOP_CPS:
        verdict = "fast_typing"
        reasons.append(f"typing bursts reached {p95} characters/s (p95), over {HUMAN_TOP_CPS}")
    else:
        verdict = "typed_at_human_speed"
    return CadenceSummary(
        verdict=verdict,
        reasons=tuple(reasons),
        first_key_ms=None if first_input is None else round(first_input.t_ms - shown),
        first_speech_ms=None if speech is None else round(speech - shown),
        inserted_chars=inserted,
        typed_chars=typed,
        deleted_chars=-sum(e.chars_added for e in events if e.chars_added < 0),
        pasted_chars=pasted,
        bulk_keyboard_chars=bulk_keyboard,
        unexplained_chars=unexplained,
        bulk_share=round(share, 3),
        bursts=len(rates),
        cps_bursts_p50=round(_percentile(rates, 0.5), 2) if rates else None,
        cps_bursts_p95=p95,
        pauses=sum(1 for gap in gaps if gap >= PAUSE_MS),
        longest_pause_ms=round(max(gaps, default=0.0)),
        away_ms=round(_away_ms(events)),
    )


# A pattern across answers (unmeasured): every answer waits long, and about equally long,
# before its first key, then comes out without a pause - reading an answer elsewhere, then
# typing it out. Thinking first is normal; only the uniformity with fluency is the signal.
LONG_DELAY_MS = 20_000
MIN_PATTERN_ANSWERS = 3
MAX_DELAY_CV = 0.25
MIN_FLUENT_CHARS = 40


@dataclass(frozen=True, slots=True)
class Answered:
    """What the cross-answer pattern needs of one answer."""

    first_key_ms: int | None
    typed_chars: int
    pauses: int


def uniform_long_delays(answers: Sequence[Answered]) -> str | None:
    """A reviewer-facing description when the pattern holds, else None."""
    fluent = [
        a
        for a in answers
        if a.first_key_ms is not None and a.typed_chars >= MIN_FLUENT_CHARS and a.pauses == 0
    ]
    if len(fluent) < MIN_PATTERN_ANSWERS or len(fluent) < len(answers):
        return None
    delays = [float(a.first_key_ms or 0) for a in fluent]
    if min(delays) < LONG_DELAY_MS:
        return None
    spread = statistics.pstdev(delays) / statistics.fmean(delays)
    if spread > MAX_DELAY_CV:
        return None
    seconds = ", ".join(f"{delay / 1000:.0f}" for delay in delays)
    return (
        f"{len(fluent)} answers each began after a long, even wait ({seconds} s; "
        f"spread {spread:.0%}) and were then typed without a pause"
    )
