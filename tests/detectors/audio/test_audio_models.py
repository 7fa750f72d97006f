from __future__ import annotations

import pytest

from interview_monitor.detectors.audio import AudioModels, load_audio_models
from interview_monitor.detectors.audio import models as audio_models_module
from interview_monitor.model_files.files import ModelFileError


def test_models_load_once_per_process(audio_models: AudioModels) -> None:
    assert load_audio_models() is audio_models
    assert audio_models.whisper.model.compute_type.startswith("int8")
    assert audio_models.whisper.model.num_workers == 1
    assert audio_models.vad.get_session_options().intra_op_num_threads == 1


def test_a_model_file_with_the_wrong_hash_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio_models_module, "_loaded", None)
    relative, _sha256 = audio_models_module.RESEMBLYZER_FILE
    monkeypatch.setattr(audio_models_module, "RESEMBLYZER_FILE", (relative, "0" * 64))
    with pytest.raises(ModelFileError, match=r"pretrained\.pt has sha256 39373b86"):
        load_audio_models()


def test_a_missing_model_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio_models_module, "_loaded", None)
    monkeypatch.setattr(audio_models_module, "WHISPER_PACKAGE", "no_such_model_package")
    with pytest.raises(ModelFileError, match=r"'no_such_model_package' .* is not installed"):
        load_audio_models()


def test_a_missing_model_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio_models_module, "_loaded", None)
    monkeypatch.setattr(audio_models_module, "SILERO_FILE", ("assets/gone.onnx", "0" * 64))
    with pytest.raises(ModelFileError, match=r"gone\.onnx is missing"):
        load_audio_models()
