"""Per-frame signals in, closed episodes out: one tracker per kind of signal.

A signal is a level per sample (1.0/0.0 for yes/no, or a graded strength). An episode opens
when the level reaches `start_level` and stays open while it keeps at least `end_level`
(hysteresis, so a signal hovering at the threshold does not split into many episodes). Short
dips are bridged: it closes only once the level has stayed low for `max_gap_s`. Episodes
shorter than `min_duration_s` or seen in fewer than `min_samples` samples are dropped, so one
bad frame never becomes a flag. With `confirm_within_samples` = n, an episode must also
gather its `min_samples` (k) within its first n samples or it is dropped at once: k of n
frames, for signals that flicker (a phone seen in one frame of three is not yet a phone).
Pure: no clocks, no I/O; time is whatever the caller passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

EvidenceT = TypeVar("EvidenceT")


@dataclass(frozen=True, slots=True)
class EpisodeRules:
    start_level: float = 0.5
    end_level: float = 0.3
    min_duration_s: float = 1.5
    min_samples: int = 2
    max_gap_s: float = 1.0
    confirm_within_samples: int | None = None  # k of n: min_samples among the first n

    def __post_init__(self) -> None:
        if self.end_level > self.start_level:
            raise ValueError("end_level must not exceed start_level (hysteresis)")
        if self.min_duration_s < 0 or self.max_gap_s < 0 or self.min_samples < 1:
            raise ValueError("durations must be >= 0 and min_samples >= 1")
        window = self.confirm_within_samples
        if window is not None and window < self.min_samples:
            raise ValueError("confirm_within_samples must be at least min_samples")


@dataclass(slots=True)
class Episode(Generic[EvidenceT]):
    """A closed (or, inside the tracker, still open) stretch of an active signal.

    `peak_level` and `evidence` come from the strongest sample; `mean_level` averages the
    active samples.
    """

    kind: str
    start_s: float
    end_s: float
    peak_level: float
    peak_t_s: float
    evidence: EvidenceT | None
    active_samples: int = 1
    samples: int = 1  # active or not, since it opened
    level_sum: float = 0.0
    last_active_s: float = field(default=0.0, repr=False)

    @property
    def duration_s(self) -> float:
        return max(0.0, self.end_s - self.start_s)

    @property
    def mean_level(self) -> float:
        return self.level_sum / self.active_samples


class EpisodeTracker(Generic[EvidenceT]):
    def __init__(self, kind: str, rules: EpisodeRules | None = None) -> None:
        self.kind = kind
        self.rules = rules or EpisodeRules()
        self._open: Episode[EvidenceT] | None = None

    @property
    def open_episode(self) -> Episode[EvidenceT] | None:
        return self._open

    def update(
        self, t_s: float, level: float, evidence: EvidenceT | None = None
    ) -> list[Episode[EvidenceT]]:
        """Feed one sample; return the episodes this sample closed (zero or one)."""
        episode = self._open
        if episode is None:
            if level >= self.rules.start_level:
                self._open = Episode(
                    self.kind, t_s, t_s, level, t_s, evidence, level_sum=level, last_active_s=t_s
                )
            return []
        episode.samples += 1
        if self._unconfirmed(episode, level):
            self._open = None
            return self.update(t_s, level, evidence)
        if level >= self.rules.end_level:
            episode.active_samples += 1
            episode.level_sum += level
            episode.last_active_s = t_s
            episode.end_s = t_s
            if level > episode.peak_level:
                episode.peak_level, episode.peak_t_s, episode.evidence = level, t_s, evidence
            return []
        if episode.end_s == episode.last_active_s:
            # The first quiet sample marks when the episode was last known to be over.
            episode.end_s = t_s
        if t_s - episode.last_active_s >= self.rules.max_gap_s:
            return self._finish()
        return []

    def _unconfirmed(self, episode: Episode[EvidenceT], level: float) -> bool:
        """This sample ends the confirmation window without min_samples active ones."""
        window = self.rules.confirm_within_samples
        if window is None or episode.samples < window:
            return False
        active = episode.active_samples + (level >= self.rules.end_level)
        return episode.samples == window and active < self.rules.min_samples

    def close(self, t_s: float) -> list[Episode[EvidenceT]]:
        """End of stream: close the open episode at `t_s` (or where it was seen to end)."""
        if self._open is not None and self._open.end_s == self._open.last_active_s:
            self._open.end_s = max(self._open.end_s, t_s)
        return self._finish()

    def _finish(self) -> list[Episode[EvidenceT]]:
        episode, self._open = self._open, None
        if episode is None:
            return []
        long_enough = episode.duration_s >= self.rules.min_duration_s
        if long_enough and episode.active_samples >= self.rules.min_samples:
            return [episode]
        return []
