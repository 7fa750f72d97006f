"""Face stages: how many faces, and for the main one its head pose and where the eyes point.

Faces are counted by MediaPipe's full-range detector on the whole frame (the mesh's own
detector misses small faces). The mesh then runs on a crop around the largest face, so the
face fills the crop whatever its size in the frame. Head pose comes straight from the mesh's
3-D landmarks (the face's own left-right and chin-forehead axes), gaze from where each iris
sits between the corners and lids of its eye, so neither depends on the camera's intrinsics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from interview_monitor.detectors.vision.models import VisionModels

# Landmark indices of MediaPipe's 478-point mesh (with refine_landmarks=True).
_EYE_CORNERS = ((33, 133), (362, 263))  # per eye: the corner on the image's left, then right
_EYE_LIDS = ((159, 145), (386, 374))  # per eye: upper lid, lower lid
_IRIS_CENTRES = (468, 473)
_FOREHEAD, _CHIN = 10, 152
_OUTER_EYE_IMAGE_LEFT, _OUTER_EYE_IMAGE_RIGHT = 33, 263
_CROP_MARGIN = 0.6  # fraction of the face box added on every side: the mesh wants context


@dataclass(frozen=True, slots=True)
class FaceBox:
    x: float
    y: float
    width: float
    height: float
    score: float

    @property
    def area(self) -> float:
        return self.width * self.height


@dataclass(frozen=True, slots=True)
class HeadPose:
    """Degrees: yaw > 0 turned towards the image's right, pitch > 0 up, roll > 0 clockwise.

    Gaze is the iris offset inside the eye, -0.5..0.5 of the eye's width (x, > 0 towards the
    image's right) and height (y, > 0 down), averaged over both eyes.
    """

    yaw: float
    pitch: float
    roll: float
    gaze_x: float
    gaze_y: float


def detect_faces(models: VisionModels, rgb: NDArray[np.uint8], min_score: float) -> list[FaceBox]:
    """Faces at or above `min_score`, largest first, in pixels of `rgb`."""
    height, width = rgb.shape[:2]
    result = models.face_detector.process(rgb)
    faces = []
    for detection in result.detections or []:
        score = float(detection.score[0])
        if score < min_score:
            continue
        box = detection.location_data.relative_bounding_box
        faces.append(
            FaceBox(
                box.xmin * width, box.ymin * height, box.width * width, box.height * height, score
            )
        )
    return sorted(faces, key=lambda face: face.area, reverse=True)


def _crop_around(rgb: NDArray[np.uint8], face: FaceBox) -> tuple[NDArray[np.uint8], int, int]:
    """The crop, and its left and top edges in `rgb`."""
    height, width = rgb.shape[:2]
    margin_x, margin_y = face.width * _CROP_MARGIN, face.height * _CROP_MARGIN
    left = max(0, int(face.x - margin_x))
    top = max(0, int(face.y - margin_y))
    right = min(width, int(face.x + face.width + margin_x))
    bottom = min(height, int(face.y + face.height + margin_y))
    return np.ascontiguousarray(rgb[top:bottom, left:right]), left, top


def _relative_position(point: NDArray[Any], start: NDArray[Any], end: NDArray[Any]) -> float:
    """Where `point` falls along start->end, 0 at start and 1 at end (projected)."""
    axis = end - start
    return float((point - start) @ axis / max(float(axis @ axis), 1e-9))


def pose_from_landmarks(points: NDArray[np.float64]) -> HeadPose:
    """Head pose and gaze from mesh landmarks in pixels (x right, y down, z away from camera)."""
    across = points[_OUTER_EYE_IMAGE_RIGHT] - points[_OUTER_EYE_IMAGE_LEFT]
    across /= np.linalg.norm(across)
    upward = points[_FOREHEAD] - points[_CHIN]
    upward = upward - (upward @ across) * across
    upward /= np.linalg.norm(upward)
    facing = np.cross(across, upward)  # towards the camera (-z) for a frontal face
    yaw = math.degrees(math.atan2(facing[0], -facing[2]))
    pitch = math.degrees(math.atan2(-facing[1], math.hypot(facing[0], facing[2])))
    roll = math.degrees(math.atan2(across[1], across[0]))
    gaze_x = np.mean(
        [
            _relative_position(points[iris, :2], points[left, :2], points[right, :2])
            for iris, (left, right) in zip(_IRIS_CENTRES, _EYE_CORNERS, strict=True)
        ]
    )
    gaze_y = np.mean(
        [
            _relative_position(points[iris, :2], points[upper, :2], points[lower, :2])
            for iris, (upper, lower) in zip(_IRIS_CENTRES, _EYE_LIDS, strict=True)
        ]
    )
    return HeadPose(yaw, pitch, roll, float(gaze_x) - 0.5, float(gaze_y) - 0.5)


def _landmark_pixels(mesh: Any, rgb: NDArray[np.uint8]) -> NDArray[np.float64] | None:
    result = mesh.process(rgb)
    if not result.multi_face_landmarks:
        return None
    height, width = rgb.shape[:2]
    marks = result.multi_face_landmarks[0].landmark
    return np.array([(mark.x * width, mark.y * height, mark.z * width) for mark in marks])


def centred_on(points: NDArray[np.float64], face: FaceBox) -> bool:
    centre_x, centre_y = points[:, 0].mean(), points[:, 1].mean()
    return bool(
        face.x <= centre_x <= face.x + face.width and face.y <= centre_y <= face.y + face.height
    )


@dataclass(frozen=True, slots=True)
class MeshFit:
    pose: HeadPose
    points: NDArray[np.float64]  # the 478 landmarks in pixels of the whole frame


def fit_mesh(
    models: VisionModels, rgb: NDArray[np.uint8], face: FaceBox, tracker: Any | None = None
) -> MeshFit | None:
    """Head pose, gaze and landmarks of `face`, or None when the mesh cannot fit it (e.g. a
    full profile).

    With a session's tracking mesh, its landmarks are used when they sit on `face`; otherwise
    (first frame, lost track, tracking someone else) the static mesh runs on a crop of `face`.
    """
    if tracker is not None:
        tracked = _landmark_pixels(tracker, rgb)
        if tracked is not None and centred_on(tracked, face):
            return MeshFit(pose_from_landmarks(tracked), tracked)
    crop, left, top = _crop_around(rgb, face)
    if crop.size == 0:
        return None
    points = _landmark_pixels(models.face_mesh, crop)
    if points is None:
        return None
    points[:, 0] += left
    points[:, 1] += top
    return MeshFit(pose_from_landmarks(points), points)


def estimate_pose(
    models: VisionModels, rgb: NDArray[np.uint8], face: FaceBox, tracker: Any | None = None
) -> HeadPose | None:
    """`fit_mesh` without the landmarks."""
    fit = fit_mesh(models, rgb, face, tracker)
    return None if fit is None else fit.pose


def to_rgb(bgr: NDArray[np.uint8]) -> NDArray[np.uint8]:
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
