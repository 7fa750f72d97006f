"""One interview's video: frames in, closed episodes (DetectedEvents) out.

Cost-aware: the face stages (detector, mesh) and the look for phones in hand (phones.py: a
hand tracker, and the object detector on a crop around each hand seen) run on every frame.
The whole-frame object detector, for extra people, books and laptops, costs about five face
stages and runs every Nth frame, at once when the face stage sees something new (the face
count changed, a face episode just opened), and on every frame while one of its episodes is
open, so it is confirmed or dismissed within a frame or two instead of N.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from interview_monitor.detectors.episodes import Episode, EpisodeTracker
from interview_monitor.detectors.lips import mouth_opening
from interview_monitor.detectors.vision.calibration import Baseline, Calibrator
from interview_monitor.detectors.vision.config import (
    CAMERA_KINDS,
    FACE_KINDS,
    IDENTITY_KINDS,
    OBJECT_KINDS,
    VisionConfig,
)
from interview_monitor.detectors.vision.events import FrameEvidence, Signal, to_event
from interview_monitor.detectors.vision.faces import (
    FaceBox,
    HeadPose,
    MeshFit,
    detect_faces,
    fit_mesh,
    to_rgb,
)
from interview_monitor.detectors.vision.identity import IdentityCheck, ReferenceFace
from interview_monitor.detectors.vision.models import (
    VisionModels,
    load_vision_models,
    new_tracking_mesh,
)
from interview_monitor.detectors.vision.objects import ObjectBox, detect_objects
from interview_monitor.detectors.vision.phones import HandsSeen, PhoneLook, PhoneStage
from interview_monitor.detectors.vision.tamper import CameraTamperChecks
from interview_monitor.media.video import decode_image
from interview_monitor.signals import DetectedEvent

_STAGES = (
    "decode",
    "faces",
    "mesh",
    "hands",
    "phone_crops",
    "objects",
    "identity",
    "tamper",
    "episodes",
)


def _pose_details(pose: HeadPose, baseline: Baseline) -> dict[str, Any]:
    return {
        "yaw": round(pose.yaw, 1),
        "pitch": round(pose.pitch, 1),
        "roll": round(pose.roll, 1),
        "gaze_x": round(pose.gaze_x, 3),
        "gaze_y": round(pose.gaze_y, 3),
        "baseline": baseline.as_dict(),
    }


class VisionSession:
    """Per-session state: calibration, one episode tracker per signal, counters.

    Not thread-safe; one session is fed from one place. Frames passed to `feed_frame` are kept
    by reference as evidence until their episode closes, so do not overwrite them in place.
    """

    def __init__(self, config: VisionConfig | None = None, models: VisionModels | None = None):
        self.config = config or VisionConfig()
        self._models = models or load_vision_models()
        self._calibrator = Calibrator(self.config.calibration, self.config.prior)
        self._trackers: dict[str, EpisodeTracker[FrameEvidence]] = {
            kind: EpisodeTracker(kind, self.config.rules[kind])
            for kind in FACE_KINDS + OBJECT_KINDS + IDENTITY_KINDS + CAMERA_KINDS
        }
        self._identity = IdentityCheck(self.config.identity)
        self._tamper = CameraTamperChecks(self.config.tamper)
        self._frame_index = 0
        self._last_face_count: int | None = None
        self._tracking_mesh: Any | None = None
        # The main face's mouth opening on the last frame fed (None: no face or no mesh), for
        # the speech-without-lip-motion check, which also needs the audio (detectors/lips.py).
        self.mouth_opening: float | None = None
        self._phones = PhoneStage(self.config, self._models)
        self.stats: dict[str, Any] = {
            "frames": 0,
            "identity_embeddings": 0,
            "object_detector_runs": 0,
            "hand_crop_runs": 0,
            "object_detector": self._models.object_status,
            "hand_crop_detector": self._models.hand_crop_status,
            "ms": dict.fromkeys(_STAGES, 0.0),  # wall time per stage
            "cpu_ms": dict.fromkeys(_STAGES, 0.0),  # CPU time of the process per stage
        }

    @property
    def baseline(self) -> Baseline:
        return self._calibrator.baseline

    def set_reference_face(self, reference: ReferenceFace) -> None:
        """Who the candidate is (system check, ID photo); else the first stable face."""
        self._identity.set_reference(reference)

    @property
    def reference_face(self) -> ReferenceFace | None:
        return self._identity.reference

    def report_camera_label(self, label: str) -> None:
        """The camera device's label as the candidate's page reports it (start and changes)."""
        self._tamper.report_camera_label(label)

    def feed_jpeg(self, jpeg: bytes, t_s: float) -> list[DetectedEvent]:
        frame = self._timed("decode", lambda: decode_image(jpeg))
        return self._analyse(frame, t_s, jpeg)

    def feed_frame(self, bgr: NDArray[np.uint8], t_s: float) -> list[DetectedEvent]:
        return self._analyse(bgr, t_s, None)

    def close(self, t_s: float) -> list[DetectedEvent]:
        """End of stream: close every open episode at `t_s`."""
        closed = [episode for tracker in self._trackers.values() for episode in tracker.close(t_s)]
        if self._tracking_mesh is not None:
            self._tracking_mesh.close()
            self._tracking_mesh = None
        self._phones.close()
        return self._events(closed)

    def _timed(self, stage: str, work: Callable[[], Any]) -> Any:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = work()
        self._add_time(stage, started, cpu_started)
        return result

    def _add_time(self, stage: str, started: float, cpu_started: float) -> None:
        # CPU time counts MediaPipe's own threads too, and not the time spent waiting for a core.
        self.stats["ms"][stage] += (time.perf_counter() - started) * 1000.0
        self.stats["cpu_ms"][stage] += (time.process_time() - cpu_started) * 1000.0

    def _analyse(
        self, bgr: NDArray[np.uint8], t_s: float, jpeg: bytes | None
    ) -> list[DetectedEvent]:
        rgb = to_rgb(bgr)
        candidates: list[FaceBox] = self._timed(
            "faces", lambda: detect_faces(self._models, rgb, self.config.face_candidate_score)
        )
        faces = [face for face in candidates if face.score >= self.config.face_min_score]
        fit: MeshFit | None = self._timed("mesh", lambda: self._fit(rgb, faces))
        pose = None if fit is None else fit.pose
        self.mouth_opening = None if fit is None else mouth_opening(fit.points)
        if pose is not None:
            self._calibrator.observe(t_s, pose)
        baseline = self._calibrator.provisional()

        signals = self._camera_signals(rgb, bgr, faces, fit, t_s, jpeg)
        started, cpu_started = time.perf_counter(), time.process_time()
        signals.update(self._face_signals(candidates, faces, pose, baseline))
        opened_before = {kind for kind in FACE_KINDS if self._trackers[kind].open_episode}
        closed = self._update(signals, t_s, bgr, jpeg)
        opened_now = {kind for kind in FACE_KINDS if self._trackers[kind].open_episode}
        something_new = len(faces) != self._last_face_count or bool(opened_now - opened_before)
        self._last_face_count = len(faces)
        self._add_time("episodes", started, cpu_started)

        object_signals: dict[str, Signal] = {}
        if self._object_run_due(something_new):
            objects: list[ObjectBox] = self._timed(
                "objects",
                lambda: detect_objects(
                    self._models.object_session, bgr, self.config.object_candidate_score
                ),
            )
            self.stats["object_detector_runs"] += 1
            object_signals = self._object_signals(objects, faces)
        if self._phones.available:
            hands: HandsSeen = self._timed("hands", lambda: self._phones.find_hands(bgr))
            look: PhoneLook = self._timed("phone_crops", lambda: self._phones.look(hands))
            self.stats["hand_crop_runs"] += len(look.crops)
            object_signals["cell phone"] = self._phone_signal(
                look, object_signals.get("cell phone")
            )
        closed += self._update(object_signals, t_s, bgr, jpeg)
        self._frame_index += 1
        self.stats["frames"] = self._frame_index
        self.stats["identity_embeddings"] = self._identity.embeddings
        return self._events(closed)

    def _fit(self, rgb: NDArray[np.uint8], faces: list[FaceBox]) -> MeshFit | None:
        if not faces:
            return None
        if self._tracking_mesh is None:
            self._tracking_mesh = new_tracking_mesh()
        return fit_mesh(self._models, rgb, faces[0], self._tracking_mesh)

    def _camera_signals(
        self,
        rgb: NDArray[np.uint8],
        bgr: NDArray[np.uint8],
        faces: list[FaceBox],
        fit: MeshFit | None,
        t_s: float,
        jpeg: bytes | None,
    ) -> dict[str, Signal]:
        """Who is in the seat, and whether the camera shows a live scene at all."""
        signals: dict[str, Signal] = self._timed(
            "tamper", lambda: self._tamper.observe(bgr, t_s, jpeg)
        )
        identity = self._timed(
            "identity", lambda: self._identity.observe(rgb, bgr, faces, fit, t_s)
        )
        if identity is not None:
            signals["identity_mismatch"] = identity
        return signals

    def _object_run_due(self, something_new: bool) -> bool:
        if self._models.object_session is None:
            return False
        scheduled = self._frame_index % max(1, self.config.object_every_n_frames) == 0
        # An open phone episode is confirmed by the hand crops, which look on every frame.
        confirmed_elsewhere = {"cell phone"} if self._phones.available else set()
        confirming = any(
            self._trackers[kind].open_episode
            for kind in OBJECT_KINDS
            if kind not in confirmed_elsewhere
        )
        return scheduled or something_new or confirming

    def _update(
        self, signals: dict[str, Signal], t_s: float, bgr: NDArray[np.uint8], jpeg: bytes | None
    ) -> list[Episode[FrameEvidence]]:
        closed: list[Episode[FrameEvidence]] = []
        for kind, (level, confidence, details) in signals.items():
            evidence = FrameEvidence(t_s, confidence, details, None if jpeg else bgr, jpeg)
            if kind in IDENTITY_KINDS and self._identity.reference is not None:
                evidence.reference_jpeg = self._identity.reference.jpeg
            closed += self._trackers[kind].update(t_s, level, evidence)
        return closed

    def _face_signals(
        self,
        candidates: list[FaceBox],
        faces: list[FaceBox],
        pose: HeadPose | None,
        baseline: Baseline,
    ) -> dict[str, Signal]:
        config = self.config
        counts = {"face_count": len(faces), "face_scores": [round(face.score, 3) for face in faces]}
        best_candidate = max((face.score for face in candidates), default=0.0)
        signals: dict[str, Signal] = {
            "no_face": (float(not faces), 1.0 - best_candidate, counts),
            "multiple_faces": (
                float(len(faces) >= 2),
                faces[1].score if len(faces) >= 2 else 0.0,
                counts,
            ),
        }
        if not faces:
            signals["head_turned"] = signals["looking_away"] = (0.0, 0.0, counts)
            return signals
        face_score = faces[0].score
        if pose is None:
            level = config.unmeasured_pose_level
            signals["head_turned"] = (level, 0.5 * face_score, {**counts, "pose": "not measurable"})
            signals["looking_away"] = (0.0, 0.0, counts)
            return signals
        details = {**counts, **_pose_details(pose, baseline)}
        widening = 1.0 if baseline.calibrated else config.uncalibrated_widening
        head_level = max(
            abs(pose.yaw - baseline.yaw) / config.yaw_threshold_deg,
            abs(pose.pitch - baseline.pitch) / (config.pitch_threshold_deg * widening),
        )
        gaze_level = max(
            abs(pose.gaze_x - baseline.gaze_x) / (config.gaze_x_threshold * widening),
            abs(pose.gaze_y - baseline.gaze_y) / (config.gaze_y_threshold * widening),
        )
        signals["head_turned"] = (head_level, face_score * min(1.0, head_level / 1.5), details)
        signals["looking_away"] = (gaze_level, face_score * min(1.0, gaze_level / 1.5), details)
        return signals

    def _object_signals(self, objects: list[ObjectBox], faces: list[FaceBox]) -> dict[str, Signal]:
        signals: dict[str, Signal] = {}
        for kind in OBJECT_KINDS:
            found = [item for item in objects if item.label == kind]
            # The candidate is a person too: only people beyond the first count.
            beyond = found[1:] if kind == "person" else found
            best = beyond[0].score if beyond else 0.0
            details = {"objects": [item.as_dict() for item in found], "face_count": len(faces)}
            signals[kind] = (best / self.config.object_min_scores[kind], best, details)
        return signals

    def _phone_signal(self, look: PhoneLook, whole_frame: Signal | None) -> Signal:
        """The hand crops' phone, or the whole frame's when that pass ran and saw one stronger."""
        level = look.best_score / self.config.hand_crop_phone_score
        if whole_frame is not None and whole_frame[0] > level:
            details = {**look.as_details(), **whole_frame[2], "found_by": "whole frame"}
            return whole_frame[0], whole_frame[1], details
        return level, look.best_score, look.as_details()

    def _events(self, closed: list[Episode[FrameEvidence]]) -> list[DetectedEvent]:
        events = [to_event(episode, self.config) for episode in closed]
        return sorted(events, key=lambda event: event.start_s)
