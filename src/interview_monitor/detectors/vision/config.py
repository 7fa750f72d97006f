"""Every threshold of the vision pipeline, in one place, with the measurements behind it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from interview_monitor.detectors.episodes import EpisodeRules
from interview_monitor.detectors.vision.calibration import Baseline, CalibrationRules

FACE_KINDS = ("no_face", "multiple_faces", "head_turned", "looking_away")
OBJECT_KINDS = ("cell phone", "person", "book", "laptop")
IDENTITY_KINDS = ("identity_mismatch",)
CAMERA_KINDS = ("camera_blocked", "frozen_video", "virtual_camera")


def _default_rules() -> dict[str, EpisodeRules]:
    # Levels are "deviation / threshold", so 1.0 starts an episode everywhere and 0.75 keeps it.
    head = EpisodeRules(
        start_level=1.0, end_level=0.75, min_duration_s=0.5, min_samples=2, max_gap_s=0.5
    )
    return {
        "no_face": EpisodeRules(1.0, 1.0, min_duration_s=2.0, min_samples=2, max_gap_s=1.0),
        "multiple_faces": EpisodeRules(1.0, 1.0, min_duration_s=1.0, min_samples=2, max_gap_s=1.0),
        "head_turned": head,
        "looking_away": replace(head, min_duration_s=2.0, min_samples=3, max_gap_s=1.0),
        **{
            kind: EpisodeRules(1.0, 0.75, min_duration_s=0.0, min_samples=2, max_gap_s=3.0)
            for kind in OBJECT_KINDS
        },
        # Phones are looked for on every frame: 2 of 3 frames, so one stray box is no flag.
        "cell phone": EpisodeRules(
            1.0, 0.75, min_duration_s=0.0, min_samples=2, max_gap_s=3.0, confirm_within_samples=3
        ),
        # IdentityRules already debounces (4 of 5 judged faces); it judges ~1 face a second
        # and skips profiles, so allow long gaps between its samples.
        "identity_mismatch": EpisodeRules(
            1.0, 0.25, min_duration_s=0.0, min_samples=1, max_gap_s=10.0
        ),
        # Both measured in docs/vision.md: a live camera never gives 2 s of flat frames nor
        # 3 s of repeated ones (sensor noise), a covered lens or a still picture always does.
        "camera_blocked": EpisodeRules(1.0, 1.0, min_duration_s=2.0, min_samples=3, max_gap_s=1.0),
        "frozen_video": EpisodeRules(1.0, 1.0, min_duration_s=3.0, min_samples=4, max_gap_s=2.0),
        "virtual_camera": EpisodeRules(1.0, 1.0, min_duration_s=0.0, min_samples=1, max_gap_s=1.0),
    }


@dataclass(frozen=True)
class IdentityRules:
    """SFace on the shared data: same person >= 0.566, different people <= 0.450 (|yaw| <= 35)."""

    threshold: float = 0.45  # cosine; OpenCV Zoo's published cut, 0.363, let 0.08% through
    max_yaw_deg: float = 35.0  # beyond, one woman's own faces fell to 0.49: too near 0.45
    # ~27 ms per face, more than the rest of a frame. While every judged face matches, one
    # every 5 s (2.7 ms per frame on average at 2 frames/s); while enrolling, after a
    # mismatch, or when the face comes back after a frame with no face or several, one a
    # second, so a seat change is confirmed (4 of 5) about 4 s after the newcomer is seen.
    embed_interval_s: float = 5.0
    recheck_interval_s: float = 1.0
    enrol_faces: int = 3  # without a reference: this many agreeing faces in a row become it
    window: int = 5
    mismatches_needed: int = 4


@dataclass(frozen=True)
class TamperRules:
    """Measured on 64x36 / 160x90 grey thumbnails (docs/vision.md, "Tampered camera")."""

    # Blind frame: flat at any brightness (finger, tape, cap), or dark and nearly flat.
    # Live frames measured std >= 45 (>= 14 in a dark room or half-covered lens).
    flat_std: float = 4.0
    dark_mean: float = 20.0
    dark_std: float = 10.0
    # Repeat: mean absolute difference to one of the last `recent` frames. Live sensor noise
    # kept >= 0.25 at sigma 1; a frozen picture re-encoded by the page measures 0.00.
    repeat_mad: float = 0.10
    recent: int = 10
    # Loop: one frame >= min_lag_s old matches far better than the history's median, at a
    # lag that stays put for loop_frames moving frames (live drift puts it at the newest).
    loop_ratio: float = 0.35
    loop_frames: int = 6
    lag_tolerance_s: float = 0.6
    min_lag_s: float = 2.0
    history: int = 300  # frames of loop memory: 150 s at 2 frames/s; cost is linear in it


@dataclass(frozen=True)
class VisionConfig:
    """Thresholds for the vision pipeline.

    Measured on the shared clips (MediaPipe mesh, 4 frames/s): a still, frontal head varies by
    under 1 degree of yaw and 2 of pitch, and the iris by under 0.01 of the eye's width
    horizontally but up to 0.19 vertically (blinks, lids); a gaze to the side moved it 0.085.
    """

    face_min_score: float = 0.5  # full-range detector: 5 of 6 group photos exact at 0.3-0.6
    face_candidate_score: float = 0.3  # weaker faces only lower the confidence of "no face"
    yaw_threshold_deg: float = 25.0
    pitch_threshold_deg: float = 20.0
    gaze_x_threshold: float = 0.05
    gaze_y_threshold: float = 0.2
    # Before calibration, pitch and gaze are judged against a prior, not the person: absolute
    # pitch reads 10-18 degrees off and eyes sit differently in every face, so widen them.
    uncalibrated_widening: float = 1.75
    # A face the detector sees but the mesh cannot fit is almost always a profile.
    unmeasured_pose_level: float = 1.0
    object_candidate_score: float = 0.25
    object_min_scores: dict[str, float] = field(
        default_factory=lambda: {"cell phone": 0.35, "person": 0.45, "book": 0.45, "laptop": 0.45}
    )
    # NanoDet costs about ten face stages. At the browser's 1-2 frames/s this is a scheduled
    # look every 7-15 s; between those it also runs whenever the face stage changes (looking
    # down at a phone opens looking_away or head_turned first) and on every frame while an
    # object episode is open. Every 10th frame measured 44-49 frames/s of CPU on the shared
    # 2-core machine, under the 50 frames/s target; every 20th 54-61.
    object_every_n_frames: int = 15
    # Phones in hand (detectors/vision/phones.py), measured on the 13 webcam photos: crops
    # 3.5x the hand (2.5x let books fill the crop: 2 false alarms), at least 144 px of a
    # 640 px frame, phone score 0.25 (0.30 found 2 of 5). The margin is thin: true phones
    # scored 0.26-0.45, the book titled CELL 0.38.
    phone_frame_max_side: int = 640  # larger frames are scaled down for this stage
    hand_crop_scale: float = 3.5
    hand_crop_min_fraction: float = 0.225
    hand_crop_overlap: float = 0.5
    hand_crop_phone_score: float = 0.25
    phone_max_aspect: float = 3.0
    phone_lookalike_overlap: float = 0.4
    calibration: CalibrationRules = field(default_factory=CalibrationRules)
    prior: Baseline = field(default_factory=Baseline)
    rules: dict[str, EpisodeRules] = field(default_factory=_default_rules)
    identity: IdentityRules = field(default_factory=IdentityRules)
    tamper: TamperRules = field(default_factory=TamperRules)
    snapshot_max_side: int = 640
    snapshot_jpeg_quality: int = 85

    def for_still_image(self) -> VisionConfig:
        """A single photo has no time axis: any signal in it is the whole episode."""
        return replace(
            self,
            rules={
                kind: replace(rule, min_duration_s=0.0, min_samples=1)
                for kind, rule in self.rules.items()
            },
        )
