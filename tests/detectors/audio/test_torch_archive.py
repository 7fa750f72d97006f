from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from interview_monitor.detectors.audio.models import RESEMBLYZER_FILE, RESEMBLYZER_PACKAGE
from interview_monitor.detectors.audio.torch_archive import (
    CheckpointFormatError,
    load_legacy_checkpoint,
)
from interview_monitor.model_files.files import package_dir

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


def test_reads_the_resemblyzer_checkpoint_as_arrays() -> None:
    path = package_dir(RESEMBLYZER_PACKAGE) / RESEMBLYZER_FILE[0]
    weights = load_legacy_checkpoint(path, "model_state")
    assert weights["lstm.weight_ih_l0"].shape == (1024, 40)
    assert weights["lstm.weight_hh_l2"].shape == (1024, 256)
    assert weights["linear.weight"].shape == (256, 256)
    # The LSTM weights share one flat storage; offsets must keep them apart.
    assert not np.allclose(weights["lstm.weight_hh_l0"][:, :40], weights["lstm.weight_ih_l0"])
    assert all(np.isfinite(array).all() for array in weights.values())


def _checkpoint(tmp_path: Path, main: bytes) -> Path:
    path = tmp_path / "evil.pt"
    header = b"".join(pickle.dumps(obj, protocol=2) for obj in (LEGACY_MAGIC, 1001, {}))
    path.write_bytes(header + main + pickle.dumps([], protocol=2))
    return path


class _RunsCode:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("this must never run",))


def test_refuses_a_checkpoint_that_would_run_code(tmp_path: Path) -> None:
    path = _checkpoint(tmp_path, pickle.dumps({"model_state": _RunsCode()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        load_legacy_checkpoint(path, "model_state")


def test_refuses_a_file_that_is_not_a_legacy_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "other.pt"
    path.write_bytes(pickle.dumps(12345) + pickle.dumps(1001))
    with pytest.raises(CheckpointFormatError, match="not a legacy torch checkpoint"):
        load_legacy_checkpoint(path, "model_state")


def test_reports_a_missing_section(tmp_path: Path) -> None:
    path = _checkpoint(tmp_path, pickle.dumps({"other": 1}, protocol=2))
    with pytest.raises(CheckpointFormatError, match="no 'model_state' section"):
        load_legacy_checkpoint(path, "model_state")
