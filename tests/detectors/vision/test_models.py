from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from interview_monitor.detectors.vision import VisionModels, load_vision_models
from interview_monitor.detectors.vision import models as vision_models_module
from interview_monitor.model_files.files import ModelFileError


def test_models_load_once_per_process(vision_models: VisionModels) -> None:
    assert load_vision_models() is vision_models


def test_the_object_detector_uses_one_thread(object_session: Any) -> None:
    options = object_session.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (1, 1)


def test_an_altered_face_model_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    altered = dict(vision_models_module.MEDIAPIPE_FILES)
    first = next(iter(altered))
    altered[first] = "0" * 64
    monkeypatch.setattr(vision_models_module, "MEDIAPIPE_FILES", altered)
    with pytest.raises(ModelFileError, match="sha256"):
        vision_models_module._check_mediapipe_files()


def test_a_missing_object_model_leaves_the_face_stages_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEW_MONITOR_MODELS_DIR", str(tmp_path))
    session, status = vision_models_module._object_session()
    assert session is None
    assert (
        status.startswith("object detector unavailable")
        and "interview_monitor.model_files.fetch" in status
    )


def test_a_corrupt_object_model_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interview_monitor.model_files.fetch import NANODET

    monkeypatch.setenv("INTERVIEW_MONITOR_MODELS_DIR", str(tmp_path))
    (tmp_path / NANODET.onnx_name).write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match="sha256"):
        vision_models_module._object_session()
