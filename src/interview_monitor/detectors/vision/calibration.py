"""The candidate's neutral head pose and gaze, learnt from the first seconds of a session.

Cameras sit above, below and beside screens, so "frontal" differs per set-up and absolute
pitch is unreliable. Deviations are therefore judged against a baseline: the median of the
near-frontal samples seen early in the session. Samples far from the prior are left out, so a
session that starts with the head turned does not learn "turned" as neutral; until enough
near-frontal samples arrive, the prior stands in.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from interview_monitor.detectors.vision.faces import HeadPose


@dataclass(frozen=True, slots=True)
class Baseline:
    yaw: float = 0.0
    pitch: float = 5.0  # the mesh reads a level head at a webcam as slightly up
    gaze_x: float = 0.0
    gaze_y: float = 0.0
    calibrated: bool = False

    def as_dict(self) -> dict[str, float | bool]:
        return {
            "yaw": round(self.yaw, 1),
            "pitch": round(self.pitch, 1),
            "gaze_x": round(self.gaze_x, 3),
            "gaze_y": round(self.gaze_y, 3),
            "calibrated": self.calibrated,
        }


def _median_baseline(samples: list[HeadPose], calibrated: bool) -> Baseline:
    return Baseline(
        yaw=statistics.median(sample.yaw for sample in samples),
        pitch=statistics.median(sample.pitch for sample in samples),
        gaze_x=statistics.median(sample.gaze_x for sample in samples),
        gaze_y=statistics.median(sample.gaze_y for sample in samples),
        calibrated=calibrated,
    )


@dataclass(frozen=True, slots=True)
class CalibrationRules:
    window_s: float = 5.0  # samples from this long after the first face are used
    give_up_s: float = 30.0  # after this, stop waiting for near-frontal samples: keep the prior
    min_samples: int = 3
    max_yaw_from_prior: float = 20.0
    max_pitch_from_prior: float = 20.0
    max_gaze_from_prior: float = 0.2


@dataclass
class Calibrator:
    rules: CalibrationRules = field(default_factory=CalibrationRules)
    prior: Baseline = field(default_factory=Baseline)
    _samples: list[HeadPose] = field(default_factory=list)
    _first_face_s: float | None = None
    _baseline: Baseline | None = None

    @property
    def baseline(self) -> Baseline:
        return self._baseline or self.prior

    def _near_frontal(self, pose: HeadPose) -> bool:
        return (
            abs(pose.yaw - self.prior.yaw) <= self.rules.max_yaw_from_prior
            and abs(pose.pitch - self.prior.pitch) <= self.rules.max_pitch_from_prior
            and abs(pose.gaze_x - self.prior.gaze_x) <= self.rules.max_gaze_from_prior
            and abs(pose.gaze_y - self.prior.gaze_y) <= self.rules.max_gaze_from_prior
        )

    def observe(self, t_s: float, pose: HeadPose) -> None:
        """Offer one measured pose; it is used only while the session is still calibrating."""
        if self._baseline is not None:
            return
        if self._first_face_s is None:
            self._first_face_s = t_s
        elapsed = t_s - self._first_face_s
        if elapsed > self.rules.give_up_s:
            self._baseline = self.prior
            return
        if self._near_frontal(pose):
            self._samples.append(pose)
        if elapsed >= self.rules.window_s and len(self._samples) >= self.rules.min_samples:
            self._baseline = _median_baseline(self._samples, calibrated=True)

    def provisional(self) -> Baseline:
        """The baseline to judge by right now: the learnt one, or the running median, or the prior."""
        if self._baseline is not None or len(self._samples) < self.rules.min_samples:
            return self.baseline
        return _median_baseline(self._samples, calibrated=False)
