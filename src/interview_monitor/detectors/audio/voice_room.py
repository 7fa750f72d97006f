"""Voices in the room, decided window by window while the candidate speaks.

Each 1.6 s speech window (every `voice_window_step_s` while a VAD segment is open) brings one
GE2E d-vector. The last `voice_buffer_windows` of them are clustered (average linkage, cosine);
every window is then labelled the candidate's, another voice's, or unknown (a mixture of two
people talking over each other, or too little evidence yet). The candidate's print comes from a
read-aloud sentence at the system check (`enrolment.py`), or, without one, from the dominant
cluster, provisional until one tight voice holds most of the first ~8 s of speech: a first
exchange between two people, or a mixture cluster of rapid turn-taking, is never frozen as the
candidate. Two kinds of episode come out:

* other voice: runs of windows labelled another voice;
* voice mismatch: the print is firm and nearly every recent window is someone else's (someone
  else answers), which is more than another voice also being present.

Clustering the whole two-person conversation at once does not split its people either: their
clusters' centroids sit at 0.77-0.85 cosine, above `voice_distinct_similarity`; the segment-close
`SpeakerTracker` finds that conversation.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from interview_monitor.detectors.audio.config import AudioConfig

FloatArray = np.ndarray[Any, np.dtype[np.float32]]
WindowLabel = Literal["candidate", "other", "unknown"]
PrintSource = Literal["none", "provisional", "auto_frozen", "read_aloud"]
EpisodeKind = Literal["other_voice", "voice_mismatch"]


def unit(vector: FloatArray) -> FloatArray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32)


def average_linkage(embeddings: FloatArray, stop_similarity: float) -> np.ndarray[Any, Any]:
    """Cluster labels 0..k-1 of unit rows: repeatedly merge the two clusters with the highest
    average pairwise cosine while it is at least `stop_similarity`. Cubic in the rows, so callers
    bound them (60 rows take about a millisecond)."""
    count = len(embeddings)
    if count == 0:
        return np.zeros(0, np.int64)
    sums = (embeddings @ embeddings.T).astype(np.float64)  # summed similarity between clusters
    sizes = np.ones(count)
    alive = np.ones(count, bool)
    members = np.arange(count)
    for _ in range(count - 1):
        average = sums / np.outer(sizes, sizes)
        np.fill_diagonal(average, -np.inf)
        average[~alive, :] = -np.inf
        average[:, ~alive] = -np.inf
        first, second = np.unravel_index(int(np.argmax(average)), average.shape)
        if average[first, second] < stop_similarity:
            break
        sums[first, :] += sums[second, :]
        sums[:, first] += sums[:, second]
        sizes[first] += sizes[second]
        alive[second] = False
        members[members == second] = first
    _, labels = np.unique(members, return_inverse=True)
    return np.asarray(labels)


@dataclass(frozen=True, slots=True)
class VoiceEpisode:
    kind: EpisodeKind
    start_s: float
    end_s: float
    windows: int
    mean_similarity: float | None  # smoothed cosine to the candidate's print


@dataclass(frozen=True, slots=True)
class WindowDecision:
    centre_s: float
    label: WindowLabel
    similarity: float | None
    mismatch: bool


@dataclass(frozen=True, slots=True)
class _Clusters:
    labels: np.ndarray[Any, Any]
    counts: np.ndarray[Any, Any]
    centroids: dict[int, FloatArray]  # voices only: clusters of `min_voice_windows` or more


class VoiceRoom:
    def __init__(self, config: AudioConfig, enrolled_print: FloatArray | None = None) -> None:
        self._config = config
        self.print: FloatArray | None = enrolled_print
        self.print_source: PrintSource = "read_aloud" if enrolled_print is not None else "none"
        self.print_frozen_at_s: float | None = None
        self.window_count = 0
        # Only the clustered buffer is kept: a window costs the same in the third hour.
        self._embeddings: deque[FloatArray] = deque(maxlen=config.voice_buffer_windows)
        self._segment_recent: list[FloatArray] = []  # last windows of the current segment
        self._segment: int | None = None
        self.decisions: list[WindowDecision] = []
        # Asked for at every segment and event; only a new window changes them.
        self._episodes: list[VoiceEpisode] | None = None
        self.multiple_voices_at_s: float | None = None
        self.mismatch_at_s: float | None = None
        self._other_windows = 0

    @property
    def _firm(self) -> bool:
        return self.print_source in ("read_aloud", "auto_frozen")

    def _cluster(self, embeddings: FloatArray) -> _Clusters:
        config = self._config
        labels = average_linkage(embeddings, config.voice_link_similarity)
        counts = np.bincount(labels)
        centroids = {
            int(k): unit(embeddings[labels == k].mean(axis=0))
            for k in np.flatnonzero(counts >= config.voice_min_windows)
        }
        return _Clusters(labels, counts, centroids)

    def add_window(self, centre_s: float, embedding: FloatArray, segment: int) -> WindowDecision:
        """`segment` identifies the VAD segment (smoothing stays inside one segment)."""
        config = self._config
        self.window_count += 1
        self._embeddings.append(embedding)
        if segment != self._segment:
            self._segment_recent, self._segment = [], segment
        self._segment_recent = [*self._segment_recent, embedding][-config.voice_smoothing_windows :]
        smoothed = unit(np.mean(self._segment_recent, axis=0))
        recent = np.stack(self._embeddings)
        clusters = self._cluster(recent)
        if not self._firm and clusters.centroids:
            self._follow_provisional_print(recent, clusters, centre_s)
        label = self._label(int(clusters.labels[-1]), clusters, smoothed)
        similarity = None if self.print is None else float(smoothed @ self.print)
        self._other_windows += label == "other"
        end_s = centre_s + config.voice_window_s / 2
        if self.multiple_voices_at_s is None and (
            self._two_voices(clusters) or self._other_windows >= config.voice_min_windows
        ):
            self.multiple_voices_at_s = end_s
        mismatch = self._mismatch([*(d.label for d in self.decisions), label])
        if mismatch and self.mismatch_at_s is None:
            self.mismatch_at_s = end_s
        decision = WindowDecision(centre_s, label, similarity, mismatch)
        self.decisions.append(decision)
        self._episodes = None
        return decision

    def _follow_provisional_print(
        self, recent: FloatArray, clusters: _Clusters, centre_s: float
    ) -> None:
        """The provisional print is the voice nearest the current one (the largest voice at
        first), so it does not flip to whoever spoke last; it freezes once the first
        `voice_auto_enrol_windows` windows hold one dominant, tight voice and no distinct
        second one."""
        config = self._config
        voices = list(clusters.centroids)
        if self.print is None:
            chosen = max(voices, key=lambda voice: int(clusters.counts[voice]))
        else:
            current = self.print
            chosen = max(voices, key=lambda voice: float(clusters.centroids[voice] @ current))
        self.print, self.print_source = clusters.centroids[chosen], "provisional"
        members = recent[clusters.labels == chosen]
        tightness = float((members @ self.print).mean())
        dominant = len(members) >= config.voice_auto_enrol_share * len(recent)
        distinct_other = any(
            float(clusters.centroids[voice] @ self.print) < config.voice_distinct_similarity
            for voice in voices
            if voice != chosen
        )
        if (
            self.window_count >= config.voice_auto_enrol_windows
            and dominant
            and tightness >= config.voice_auto_enrol_tightness
            and not distinct_other
        ):
            self.print_source, self.print_frozen_at_s = "auto_frozen", centre_s

    def _candidate_cluster(self, clusters: _Clusters) -> int | None:
        voice_print = self.print
        if voice_print is None or not clusters.centroids:
            return None
        return max(
            clusters.centroids, key=lambda voice: float(clusters.centroids[voice] @ voice_print)
        )

    def _label(self, cluster: int, clusters: _Clusters, smoothed: FloatArray) -> WindowLabel:
        config = self._config
        if self.print is None:
            return "unknown"
        candidate = self._candidate_cluster(clusters)
        similarity = float(smoothed @ self.print)
        distinct = config.voice_distinct_similarity
        in_other_voice = (
            candidate is not None
            and cluster in clusters.centroids
            and cluster != candidate
            and float(clusters.centroids[cluster] @ clusters.centroids[candidate]) < distinct
            and float(clusters.centroids[cluster] @ self.print) < distinct
        )
        if in_other_voice or (self._firm and similarity < config.voice_other_similarity):
            return "other"  # a distinct voice, or the print fails: someone else, alone or over
        if cluster == candidate or (
            cluster not in clusters.centroids and similarity >= config.voice_other_similarity
        ):
            return "candidate"
        return "unknown"  # a mixture or transition cluster

    def _two_voices(self, clusters: _Clusters) -> bool:
        centroids = list(clusters.centroids.values())
        return any(
            float(first @ second) < self._config.voice_distinct_similarity
            for index, first in enumerate(centroids)
            for second in centroids[index + 1 :]
        )

    def _mismatch(self, labels: list[WindowLabel]) -> bool:
        config = self._config
        recent = labels[-config.voice_mismatch_windows :]
        return (
            self._firm
            and len(recent) >= config.voice_mismatch_windows
            and recent.count("other") >= config.voice_mismatch_share * len(recent)
            and recent.count("candidate") <= config.voice_mismatch_max_candidate
        )

    def episodes(self) -> list[VoiceEpisode]:
        """Runs of other-voice windows and of mismatch windows (the latter reaching back over
        the look-back that raised them); a run covers its windows' centres +- half a step and
        joins the next when their centres are at most `voice_join_gap_s` apart. Empty until the
        session has the multiple-voices flag."""
        if self._episodes is None:
            self._episodes = self._all_episodes()
        return self._episodes

    def _all_episodes(self) -> list[VoiceEpisode]:
        if self.multiple_voices_at_s is None:
            return []
        look_back = self._config.voice_mismatch_windows - 1
        return [
            *self._runs("other_voice", [d.label == "other" for d in self.decisions], 0),
            *self._runs("voice_mismatch", [d.mismatch for d in self.decisions], look_back),
        ]

    def _runs(self, kind: EpisodeKind, flags: list[bool], look_back: int) -> list[VoiceEpisode]:
        config = self._config
        half_step = config.voice_window_step_s / 2
        runs: list[list[int]] = []
        for index, flagged in enumerate(flags):
            if not flagged:
                continue
            centre = self.decisions[index].centre_s
            if runs and centre - self.decisions[runs[-1][-1]].centre_s <= config.voice_join_gap_s:
                runs[-1].append(index)
            else:
                runs.append([index])
        episodes = []
        for run in runs:
            if len(run) < config.voice_min_episode_windows:
                continue
            similarities = [
                s for index in run if (s := self.decisions[index].similarity) is not None
            ]
            # A mismatch run reaches back over the other-voice windows that raised it, not
            # over the candidate's windows before them.
            first_index = run[0]
            while (
                first_index > max(0, run[0] - look_back)
                and self.decisions[first_index - 1].label == "other"
            ):
                first_index -= 1
            first = self.decisions[first_index]
            episodes.append(
                VoiceEpisode(
                    kind,
                    first.centre_s - half_step,
                    self.decisions[run[-1]].centre_s + half_step,
                    len(run),
                    float(np.mean(similarities)) if similarities else None,
                )
            )
        return episodes
