"""Who sits in front of the camera: each judged face against the session's reference face.

SFace (OpenCV Zoo) turns a 112x112 crop, aligned on five points of the MediaPipe mesh the face
stage already fitted, into a unit 128-d vector; cosine >= 0.45 is the same person. On the
shared photos and clips same-person pairs scored 0.566 and up, different people 0.450 and
down (docs/vision.md). An embedding costs ~27 ms of CPU, over a frame's budget, so a session
embeds one face every few seconds while the faces match, and more often when they stop.

The reference is the face of the system check or an uploaded ID photo (`reference_from_image`);
without one, the first `enrol_faces` judged faces that agree with each other become it.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from interview_monitor.detectors.vision.config import IdentityRules
from interview_monitor.detectors.vision.events import Signal, encode_jpeg
from interview_monitor.detectors.vision.faces import (
    FaceBox,
    MeshFit,
    centred_on,
    detect_faces,
    fit_mesh,
    to_rgb,
)
from interview_monitor.detectors.vision.models import (
    VisionModels,
    face_recognizer_path,
    load_vision_models,
)

# Where SFace (like ArcFace) expects the eyes, nose tip and mouth corners in a 112x112 crop,
# in image order: eye on the image's left, eye on the right, nose, mouth left, mouth right.
_TEMPLATE_112 = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float32,
)
_EYE_IMAGE_LEFT, _EYE_IMAGE_RIGHT = (33, 133), (362, 263)  # mesh indices of each eye's corners
_NOSE_TIP, _MOUTH_IMAGE_LEFT, _MOUTH_IMAGE_RIGHT = 1, 61, 291
_REFERENCE_CROP_MARGIN = 0.5  # of the face box on every side, for the reviewer's snapshot


def five_points(points: NDArray[np.float64]) -> NDArray[np.float32]:
    """The five alignment points (template order) from the mesh's landmarks in pixels."""
    xy = points[:, :2]
    return np.array(
        [
            xy[list(_EYE_IMAGE_LEFT)].mean(axis=0),
            xy[list(_EYE_IMAGE_RIGHT)].mean(axis=0),
            xy[_NOSE_TIP],
            xy[_MOUTH_IMAGE_LEFT],
            xy[_MOUTH_IMAGE_RIGHT],
        ],
        dtype=np.float32,
    )


def aligned_face(rgb: NDArray[np.uint8], points: NDArray[np.float64]) -> NDArray[np.uint8] | None:
    """The 112x112 RGB crop with the five points moved onto the template (similarity transform)."""
    matrix, _ = cv2.estimateAffinePartial2D(five_points(points), _TEMPLATE_112, method=cv2.LMEDS)
    if matrix is None:
        return None
    return np.asarray(
        cv2.warpAffine(
            rgb, matrix, (112, 112), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        ),
        dtype=np.uint8,
    )


class FaceEmbedder:
    """SFace through OpenCV's FaceRecognizerSF (opencv-contrib, already a dependency).

    onnxruntime cannot load this int8 file (its weights are graph inputs fed by
    DequantizeLinear); OpenCV runs it, one thread like every model here.
    """

    def __init__(self) -> None:
        self._recognizer = cv2.FaceRecognizerSF.create(str(face_recognizer_path()), "")

    def embed(
        self, rgb: NDArray[np.uint8], points: NDArray[np.float64]
    ) -> NDArray[np.float32] | None:
        chip = aligned_face(rgb, points)
        if chip is None:
            return None
        # feature() expects a BGR chip and swaps it to the network's RGB itself.
        vector = np.asarray(self._recognizer.feature(np.ascontiguousarray(chip[:, :, ::-1])))
        return unit(vector)


def unit(vector: NDArray[Any]) -> NDArray[np.float32]:
    flat = np.asarray(vector, dtype=np.float32).ravel()
    return flat / max(float(np.linalg.norm(flat)), 1e-12)


_lock = threading.Lock()
_embedder: FaceEmbedder | None = None


def load_face_embedder() -> FaceEmbedder:
    """Load (once per process) the SFace embedder; ModelFileError if its file is missing."""
    global _embedder
    with _lock:
        if _embedder is None:
            _embedder = FaceEmbedder()
        return _embedder


@dataclass(frozen=True)
class ReferenceFace:
    vector: NDArray[np.float32]
    jpeg: bytes  # the reference face as the reviewer sees it next to the current one
    source: str  # "uploaded photo", "system check" or "first stable face"


class ReferenceFaceError(ValueError):
    """The image cannot serve as a reference face; `reason` says why in a word."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def face_snapshot(bgr: NDArray[np.uint8], face: FaceBox) -> bytes:
    margin_x, margin_y = face.width * _REFERENCE_CROP_MARGIN, face.height * _REFERENCE_CROP_MARGIN
    height, width = bgr.shape[:2]
    left, top = max(0, int(face.x - margin_x)), max(0, int(face.y - margin_y))
    right = min(width, int(face.x + face.width + margin_x))
    bottom = min(height, int(face.y + face.height + margin_y))
    return encode_jpeg(np.ascontiguousarray(bgr[top:bottom, left:right]), 320, 90) or b""


def reference_from_image(
    bgr: NDArray[np.uint8],
    source: str,
    face_min_score: float,
    models: VisionModels | None = None,
    embedder: FaceEmbedder | None = None,
) -> ReferenceFace:
    """The reference face of a photo with exactly one clear, measurable face.

    Raises ReferenceFaceError("no_face" / "several_faces" / "face_not_measurable").
    """
    models = models or load_vision_models()
    embedder = embedder or load_face_embedder()
    rgb = to_rgb(bgr)
    faces = detect_faces(models, rgb, face_min_score)
    if not faces:
        raise ReferenceFaceError("no_face", "no face was found in the image")
    if len(faces) > 1:
        raise ReferenceFaceError(
            "several_faces", f"{len(faces)} faces were found; the image must show one person"
        )
    fit = fit_mesh(models, rgb, faces[0])
    vector = None if fit is None else embedder.embed(rgb, fit.points)
    if vector is None:
        raise ReferenceFaceError(
            "face_not_measurable", "the face could not be measured; use a frontal photo"
        )
    return ReferenceFace(vector, face_snapshot(bgr, faces[0]), source)


class IdentityCheck:
    """One session's identity stage: a signal for `identity_mismatch` on each judged face.

    The level is the share of mismatching faces among the last `window` judged ones, scaled
    so that `mismatches_needed` of them reach 1.0: one odd frame (a hand over the face, motion
    blur) never starts an episode, and the episode ends only once all of them match again.
    """

    def __init__(self, rules: IdentityRules, embedder: FaceEmbedder | None = None) -> None:
        self.rules = rules
        self._embedder = embedder or load_face_embedder()
        self.reference: ReferenceFace | None = None
        self._enrolling: list[NDArray[np.float32]] = []
        self._matches: deque[bool] = deque(maxlen=rules.window)
        self._last_embedded_s: float | None = None
        self._face_was_away = False
        self.embeddings = 0

    def set_reference(self, reference: ReferenceFace) -> None:
        self.reference = reference
        self._enrolling.clear()
        self._matches.clear()

    def observe(
        self,
        rgb: NDArray[np.uint8],
        bgr: NDArray[np.uint8],
        faces: list[FaceBox],
        fit: MeshFit | None,
        t_s: float,
    ) -> Signal | None:
        """The signal for the main face (`faces[0]`, fitted by `fit`), or None when not judged."""
        rules = self.rules
        if len(faces) != 1:
            self._face_was_away = True  # whoever is alone in view next may be someone else
        if not faces:
            return None
        face = faces[0]
        # Profiles are not judged (similarity falls with yaw), nor a mesh fitted to a neighbour.
        if fit is None or abs(fit.pose.yaw) > rules.max_yaw_deg or not centred_on(fit.points, face):
            return None
        if not self._due(t_s):
            return None
        vector = self._embedder.embed(rgb, fit.points)
        if vector is None:
            return None
        self._last_embedded_s, self._face_was_away = t_s, len(faces) != 1
        self.embeddings += 1
        if self.reference is None:
            self._enrol(vector, bgr, face)
            return None
        similarity = float(vector @ self.reference.vector)
        self._matches.append(similarity >= rules.threshold)
        mismatches = sum(not same for same in self._matches)
        level = mismatches / rules.mismatches_needed
        confidence = float(np.clip((rules.threshold - similarity) / rules.threshold, 0.0, 1.0))
        details = {
            "similarity": round(similarity, 3),
            "threshold": rules.threshold,
            "mismatches": f"{mismatches} of the last {len(self._matches)} judged faces",
            "reference": self.reference.source,
        }
        return level, confidence, details

    def _due(self, t_s: float) -> bool:
        if self._last_embedded_s is None or self._face_was_away:
            return True
        settled = self.reference is not None and len(self._matches) > 0 and all(self._matches)
        interval = self.rules.embed_interval_s if settled else self.rules.recheck_interval_s
        return t_s - self._last_embedded_s >= interval

    def _enrol(self, vector: NDArray[np.float32], bgr: NDArray[np.uint8], face: FaceBox) -> None:
        if self._enrolling and float(vector @ self._enrolling[-1]) < self.rules.threshold:
            self._enrolling.clear()  # not stable yet, or someone else: start again
        self._enrolling.append(vector)
        if len(self._enrolling) >= self.rules.enrol_faces:
            mean = unit(np.mean(self._enrolling, axis=0))
            self.set_reference(ReferenceFace(mean, face_snapshot(bgr, face), "first stable face"))
