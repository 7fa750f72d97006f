"""A tampered camera: covered (camera_blocked), a still or replayed picture (frozen_video), or
a software camera standing in for a real one (virtual_camera).

The frame checks work on two grey thumbnails made once per frame (~0.3 ms): 64x36 for the
frame's statistics and for matching against the past, 160x90 for frame-to-frame differences
(large enough to keep a live sensor's noise). They cost 0.3-2 ms of CPU per frame in all.
The virtual camera is told by the device label the candidate's page reports
(MediaDeviceInfo.label); the server classifies it, the page does not.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from interview_monitor.detectors.vision.config import TamperRules
from interview_monitor.detectors.vision.events import Signal

_VIRTUAL = re.compile(
    r"obs\b|obs-camera|\bvirtual|manycam|xsplit|splitcam|snap camera|camtwist|e2esoft|"
    r"\bvcam\b|v4l2.?loopback|dummy video|fake.?(device|camera|video)|webcamoid|"
    r"youcam|magic ?camera|altercam|sparkocam|screen ?capture",
    re.IGNORECASE,
)
_EFFECTS = re.compile(
    r"nvidia broadcast|mmhmm|chromacam|logi capture|elgato|camera hub|broadcast", re.IGNORECASE
)
_PHONE_BRIDGE = re.compile(r"droidcam|iriun|epoccam|camo\b|ivcam|continuity camera", re.IGNORECASE)


def camera_label_kind(label: str) -> str | None:
    """ "virtual" (OBS, ManyCam, anything "Virtual"...: can show any video), "effects"
    (background or filter software re-publishing the real camera), "phone" (a phone used as
    the webcam), or None for an ordinary device. Only "virtual" is a flag; the others are
    reported in the details. An empty label means the page had no camera permission yet.
    """
    if _VIRTUAL.search(label):
        return "virtual"
    if _EFFECTS.search(label):
        return "effects"
    if _PHONE_BRIDGE.search(label):
        return "phone"
    return None


@dataclass(frozen=True, slots=True)
class Thumbnails:
    small: NDArray[np.float32]  # 64x36 grey
    medium: NDArray[np.float32]  # 160x90 grey

    @staticmethod
    def of(bgr: NDArray[np.uint8]) -> Thumbnails:
        grey = bgr if bgr.ndim == 2 else cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        medium = cv2.resize(grey, (160, 90), interpolation=cv2.INTER_AREA)
        small = cv2.resize(medium, (64, 36), interpolation=cv2.INTER_AREA)
        return Thumbnails(small.astype(np.float32), medium.astype(np.float32))


def _mean_abs_difference(a: NDArray[np.float32], b: NDArray[np.float32]) -> float:
    return float(np.mean(np.abs(a - b)))


class FrozenVideoCheck:
    """Is this frame a repeat of a recent one, or part of a recording replaying itself?

    repeat: identical JPEG bytes, or a 160x90 thumbnail within `repeat_mad` of one of the last
      `recent` frames (a frozen picture re-encoded at alternating qualities repeats every
      other frame, hence several recent frames, not only the previous one).
    loop: the 64x36 thumbnail matches one frame at least `min_lag_s` old far better than the
      history's median, at a steady lag, for `loop_frames` moving frames. A motionless live
      person matches every old frame about equally and the best lag jumps around; frames
      without motion neither count nor reset.
    """

    def __init__(self, rules: TamperRules) -> None:
        self.rules = rules
        self._recent: deque[tuple[bytes | None, NDArray[np.float32]]] = deque(maxlen=rules.recent)
        # Preallocated ring of past 64x36 thumbnails and a scratch buffer: a fresh 2.8 MB
        # temporary per frame measured 5 ms, the in-place version under 1 ms.
        self._ring = np.zeros((rules.history, 64 * 36), np.float32)
        self._ring_t = np.full(rules.history, np.inf)  # empty slots are never old enough
        self._scratch = np.empty_like(self._ring)
        self._stored = 0
        self._previous: Thumbnails | None = None
        self._loop_lag: float | None = None
        self._loop_count = 0

    def reset(self) -> None:
        """A flat frame (covered lens) breaks any repeat or loop; blocked is its own flag."""
        self._recent.clear()
        self._previous, self._loop_lag, self._loop_count = None, None, 0

    def observe(
        self, thumbs: Thumbnails, t_s: float, jpeg: bytes | None
    ) -> tuple[bool, dict[str, object]]:
        digest = None if jpeg is None else hashlib.blake2b(jpeg, digest_size=16).digest()
        details: dict[str, object] = {}
        frozen = False
        if self._recent:
            if digest is not None and any(seen == digest for seen, _ in self._recent):
                closest = 0.0
            else:
                closest = min(_mean_abs_difference(thumbs.medium, m) for _, m in self._recent)
            details["repeat_mad"] = round(closest, 3)
            if closest < self.rules.repeat_mad:
                frozen, details["reason"] = True, "repeat"
        if not frozen and self._loop_step(thumbs, t_s):
            frozen, details["reason"] = True, "loop"
            details["loop_lag_s"] = round(self._loop_lag or 0.0, 2)
        self._recent.append((digest, thumbs.medium))
        slot = self._stored % self.rules.history
        self._ring[slot], self._ring_t[slot] = thumbs.small.ravel(), t_s
        self._stored += 1
        self._previous = thumbs
        return frozen, details

    def _loop_step(self, thumbs: Thumbnails, t_s: float) -> bool:
        rules = self.rules
        if self._previous is None:
            return False
        if _mean_abs_difference(thumbs.small, self._previous.small) < 2 * rules.repeat_mad:
            return self._loop_count >= rules.loop_frames  # no motion: neither for nor against
        eligible = (t_s - self._ring_t) >= rules.min_lag_s
        if int(eligible.sum()) < 8:
            return False
        np.subtract(self._ring, thumbs.small.ravel(), out=self._scratch)
        distances = np.abs(self._scratch, out=self._scratch).mean(axis=1)
        distances[~eligible] = np.inf
        best = int(np.argmin(distances))
        lag = t_s - float(self._ring_t[best])
        typical = float(np.median(distances[eligible]))
        # Slow drift of a live scene puts the best match at the newest eligible frame (lag
        # near min_lag_s): not a loop.
        if (
            distances[best] < rules.loop_ratio * typical
            and lag > rules.min_lag_s + rules.lag_tolerance_s
        ):
            steady = (
                self._loop_lag is not None and abs(lag - self._loop_lag) <= rules.lag_tolerance_s
            )
            self._loop_count = self._loop_count + 1 if steady else 1
            self._loop_lag = lag
        else:
            self._loop_count, self._loop_lag = 0, None
        return self._loop_count >= rules.loop_frames


class CameraTamperChecks:
    """One session's tamper stage: a signal per frame for each kind in CAMERA_KINDS."""

    def __init__(self, rules: TamperRules) -> None:
        self.rules = rules
        self._frozen = FrozenVideoCheck(rules)
        self.camera_label: str | None = None
        self._label_kind: str | None = None

    def report_camera_label(self, label: str) -> None:
        self.camera_label = label
        self._label_kind = camera_label_kind(label)

    def observe(self, bgr: NDArray[np.uint8], t_s: float, jpeg: bytes | None) -> dict[str, Signal]:
        rules = self.rules
        thumbs = Thumbnails.of(bgr)
        mean, std = float(thumbs.small.mean()), float(thumbs.small.std())
        stats = {"thumbnail_mean": round(mean, 1), "thumbnail_std": round(std, 1)}
        blind = std < rules.flat_std or (mean < rules.dark_mean and std < rules.dark_std)
        frozen_details: dict[str, object] = {}
        if std < rules.flat_std:
            self._frozen.reset()
            frozen = False
        else:
            frozen, frozen_details = self._frozen.observe(thumbs, t_s, jpeg)
        signals: dict[str, Signal] = {
            "camera_blocked": (float(blind), 1.0, stats),
            "frozen_video": (float(frozen), 1.0, {**stats, **frozen_details}),
        }
        if self.camera_label is not None:
            label = {"camera_label": self.camera_label, "camera_kind": self._label_kind}
            signals["virtual_camera"] = (float(self._label_kind == "virtual"), 1.0, label)
        return signals
