"""The risk engine: flags in, an explainable 0-100 score out. Pure: no web, SQL or models.

Each flag kind accumulates evidence from its episodes (confidence x severity x a sublinear
duration factor). A kind's points saturate towards its cap, and kinds combine like independent
probabilities, so the score is bounded by 100, never falls when evidence is added, and no
single noisy detector can reach HIGH on its own unless it is one of the strong kinds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

# Whole points, so every place that shows them (report, PDF, pages) prints them alike.
MEDIUM_THRESHOLD = 30
HIGH_THRESHOLD = 60


class RiskLevel(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


# Where each level starts, lowest first: the report's plot lines and its legend.
LEVEL_STARTS = ((MEDIUM_THRESHOLD, RiskLevel.MEDIUM), (HIGH_THRESHOLD, RiskLevel.HIGH))
LEVELS_EXPLAINED = (
    f"LOW below {MEDIUM_THRESHOLD}, MEDIUM from {MEDIUM_THRESHOLD}, HIGH from {HIGH_THRESHOLD}"
)


def risk_level(score: float) -> RiskLevel:
    """The same cut-offs as the SQL function risk_level() used by the summary view."""
    if score >= HIGH_THRESHOLD:
        return RiskLevel.HIGH
    if score >= MEDIUM_THRESHOLD:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


@dataclass(frozen=True)
class KindPolicy:
    label: str
    cap: float
    noun: str
    # The explanation quotes the flags' own numbers (what was pasted, how fast it was typed).
    quotes_details: bool = False


DEFAULT_POLICIES: dict[str, KindPolicy] = {
    "phone": KindPolicy("Phone in view", 70.0, "a phone was seen"),
    # Someone else sitting the interview is as strong a sign as a phone.
    "identity_mismatch": KindPolicy(
        "Different person", 70.0, "the face in the seat was not the reference face"
    ),
    # A picture or recording instead of the camera hides everything else: strong.
    "frozen_video": KindPolicy("Frozen video", 60.0, "the camera showed a still or looped picture"),
    "extra_person": KindPolicy("Another person in view", 60.0, "another person was seen"),
    "multiple_faces": KindPolicy("Several faces", 60.0, "more than one face was in the frame"),
    # Someone else answering in the candidate's place: stronger evidence than another voice
    # also being present, so it alone can reach HIGH (above 60) when it goes on.
    "voice_mismatch": KindPolicy(
        "Someone else answering",
        65.0,
        "the voice answering was not the candidate's enrolled voice",
    ),
    "multiple_speakers": KindPolicy(
        "Other voices", 55.0, "a voice other than the candidate's spoke"
    ),
    "spoken_cue": KindPolicy("Spoken cue", 50.0, "words that ask for outside help were heard"),
    "virtual_camera": KindPolicy(
        "Virtual camera", 50.0, "a software camera that can show any video was in use"
    ),
    "shared_answer": KindPolicy(
        "Answer shared with another candidate",
        50.0,
        "an answer nearly copied another candidate's answer to the same question",
    ),
    "no_face": KindPolicy("Candidate absent", 45.0, "no face was in the frame"),
    # Another voice (a helper off camera, a playback) while the candidate's lips stayed shut.
    "speech_without_lip_motion": KindPolicy(
        "Speech with no moving lips",
        45.0,
        "speech was heard while the candidate's face was in view and their lips did not move",
    ),
    "camera_blocked": KindPolicy("Camera covered", 45.0, "the camera was covered or dark"),
    "looking_away": KindPolicy("Looking away", 40.0, "the candidate looked away from the screen"),
    "head_turned": KindPolicy("Head turned", 35.0, "the candidate's head was turned away"),
    "other_object": KindPolicy("Other object", 20.0, "an object that may help was seen"),
    "other": KindPolicy("Other flag", 20.0, "another detector raised a flag"),
    # What the candidate's page reports (browser_events), and what the server finds in it.
    # Caps are low: none of these has a measured precision yet (docs/risk-model.md).
    "page_hidden": KindPolicy("Interview tab hidden", 30.0, "the interview tab was hidden"),
    "focus_lost": KindPolicy("Window focus lost", 20.0, "the interview window lost focus"),
    "fullscreen_exit": KindPolicy("Left full screen", 15.0, "the candidate left full screen"),
    "paste": KindPolicy("Pasted into an answer", 30.0, "text was pasted into an answer", True),
    "copy": KindPolicy("Question copied", 25.0, "text of the page was copied", True),
    "reload": KindPolicy("Page reloaded or left", 10.0, "the interview page was reloaded or left"),
    "offline": KindPolicy("Network dropped", 10.0, "the candidate's page was offline"),
    "second_display": KindPolicy(
        "Second display", 25.0, "the computer had more than one display", True
    ),
    "device_changed": KindPolicy(
        "Camera or microphone changed", 15.0, "a camera or microphone was added or removed", True
    ),
    "page_tampered": KindPolicy(
        "Page telemetry stopped",
        50.0,
        "video kept arriving while the page's heartbeats had stopped",
        True,
    ),
    "telemetry_contradiction": KindPolicy(
        "Telemetry contradicts the video",
        40.0,
        "more video frames arrived than the page says it sent",
        True,
    ),
    # How answers arrived (answer_cadence).
    "pasted_in_one_go": KindPolicy(
        "Answer pasted in one go", 30.0, "an answer arrived mostly pasted or at once", True
    ),
    "partly_pasted": KindPolicy(
        "Answer partly pasted", 15.0, "part of an answer was pasted or arrived at once", True
    ),
    "superhuman_typing": KindPolicy(
        "Typed faster than a person", 30.0, "an answer was typed faster than people type", True
    ),
    "fast_typing": KindPolicy(
        "Very fast typing", 5.0, "an answer was typed at the top of human speed", True
    ),
    "uniform_long_delays": KindPolicy(
        "Even long delays, fluent answers",
        10.0,
        "answers began after long, even waits and were then typed without a pause",
        True,
    ),
}

OBJECT_KINDS = {
    "cell phone": "phone",
    "phone": "phone",
    "mobile phone": "phone",
    "person": "extra_person",
}
FACE_KINDS = {
    "looking_away",
    "head_turned",
    "no_face",
    "multiple_faces",
    "identity_mismatch",
    "camera_blocked",
    "frozen_video",
    "virtual_camera",
    "speech_without_lip_motion",
}


def object_kind(object_detected: str) -> str:
    return OBJECT_KINDS.get(object_detected.strip().lower(), "other_object")


def face_kind(event_type: str) -> str:
    normalised = event_type.strip().lower()
    return normalised if normalised in FACE_KINDS else "other"


@dataclass(frozen=True)
class Flag:
    """One stored event as the engine sees it."""

    ref: str
    kind: str
    start: datetime
    duration_s: float = 0.0
    severity: int = 3
    confidence: float = 1.0
    dismissed: bool = False
    description: str = ""

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.duration_s)


@dataclass(frozen=True)
class Episode:
    kind: str
    start: datetime
    end: datetime
    severity: int
    confidence: float
    refs: tuple[str, ...]
    descriptions: tuple[str, ...] = ()

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()

    @property
    def evidence(self) -> float:
        duration_factor = 1.0 + math.log1p(self.duration_s / 10.0)
        return self.confidence * (self.severity / 3.0) * duration_factor


@dataclass(frozen=True)
class Contribution:
    kind: str
    label: str
    points: float
    episodes: int
    total_duration_s: float
    first_at: datetime
    last_at: datetime
    max_confidence: float
    explanation: str
    # The refs of the flags behind these points: the API and the report show them as `flags`.
    flags: tuple[str, ...]


# The risk-over-time plot is a few hundred pixels wide.
HISTORY_POINTS = 240


@dataclass(frozen=True)
class RiskAssessment:
    total_risk_score: float
    risk_level: RiskLevel
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True)
class RiskModel:
    policies: Mapping[str, KindPolicy] = field(default_factory=lambda: dict(DEFAULT_POLICIES))
    merge_gap_s: float = 5.0

    def with_weights(self, weights: Mapping[str, float]) -> RiskModel:
        """Scale each kind's cap by a weight (0 turns a kind off); unknown kinds are refused."""
        unknown = set(weights) - set(self.policies)
        if unknown:
            raise ValueError(f"unknown risk kinds: {', '.join(sorted(unknown))}")
        policies = {
            kind: replace(policy, cap=min(100.0, policy.cap * weights.get(kind, 1.0)))
            for kind, policy in self.policies.items()
        }
        return replace(self, policies=policies)

    def episodes(self, flags: Iterable[Flag]) -> list[Episode]:
        """Flags of one kind that overlap or follow within merge_gap_s become one episode."""
        ordered = sorted((f for f in flags if not f.dismissed), key=lambda f: (f.kind, f.start))
        runs: list[list[Flag]] = []
        gap = timedelta(seconds=self.merge_gap_s)
        run_end = datetime.min  # set with the first run, before any comparison
        for flag in ordered:
            if runs and runs[-1][0].kind == flag.kind and flag.start <= run_end + gap:
                runs[-1].append(flag)
                run_end = max(run_end, flag.end)
            else:
                runs.append([flag])
                run_end = flag.end
        return [
            Episode(
                kind=run[0].kind,
                start=run[0].start,
                end=max(flag.end for flag in run),
                severity=max(flag.severity for flag in run),
                confidence=max(flag.confidence for flag in run),
                refs=tuple(flag.ref for flag in run),
                descriptions=tuple(flag.description for flag in run if flag.description),
            )
            for run in runs
        ]

    def assess(self, flags: Iterable[Flag]) -> RiskAssessment:
        by_kind: dict[str, list[Episode]] = {}
        for episode in self.episodes(flags):
            by_kind.setdefault(episode.kind, []).append(episode)
        contributions = [
            self._contribution(kind, episodes)
            for kind, episodes in by_kind.items()
            if kind in self.policies
        ]
        contributions = [c for c in contributions if c.points > 0]
        contributions.sort(key=lambda c: c.points, reverse=True)
        remaining = 1.0
        for contribution in contributions:
            remaining *= 1.0 - contribution.points / 100.0
        score = round(min(100.0, max(0.0, 100.0 * (1.0 - remaining))), 2)
        return RiskAssessment(score, risk_level(score), tuple(contributions))

    def history(
        self, flags: Sequence[Flag], max_points: int = HISTORY_POINTS
    ) -> list[tuple[datetime, float]]:
        """The score as it stood after each flag, for the risk-over-time plot. Each point is
        a whole assessment, so a session with more flags than `max_points` gets the score
        after evenly spaced flags (always the last): 1,000 flags cost 1.3 s otherwise."""
        live = sorted((f for f in flags if not f.dismissed), key=lambda f: f.end)
        picked: Iterable[int] = range(len(live))
        if len(live) > max_points:
            step = (len(live) - 1) / (max_points - 1)
            picked = sorted({round(point * step) for point in range(max_points)})
        return [(live[i].end, self.assess(live[: i + 1]).total_risk_score) for i in picked]

    def _contribution(self, kind: str, episodes: list[Episode]) -> Contribution:
        policy = self.policies[kind]
        evidence = sum(episode.evidence for episode in episodes)
        points = round(policy.cap * (1.0 - math.exp(-evidence)), 2)
        total = sum(episode.duration_s for episode in episodes)
        confidence = max(episode.confidence for episode in episodes)
        times = "once" if len(episodes) == 1 else f"{len(episodes)} times"
        span = f" for {total:.0f} s in total" if total >= 1 else ""
        explanation = (
            f"{policy.noun.capitalize()} {times}{span} "
            f"(highest detector confidence {confidence:.0%}); adds {points:.1f} points."
        )
        if policy.quotes_details:
            quoted = list(dict.fromkeys(d for e in episodes for d in e.descriptions))
            if quoted:
                more = f" and {len(quoted) - 3} more" if len(quoted) > 3 else ""
                explanation += f" What was seen: {'; '.join(quoted[:3])}{more}."
        return Contribution(
            kind=kind,
            label=policy.label,
            points=points,
            episodes=len(episodes),
            total_duration_s=round(total, 3),
            first_at=min(episode.start for episode in episodes),
            last_at=max(episode.end for episode in episodes),
            max_confidence=round(confidence, 4),
            explanation=explanation,
            flags=tuple(ref for episode in episodes for ref in episode.refs),
        )
