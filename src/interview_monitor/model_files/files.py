"""Locating model files shipped inside installed packages and checking their hashes."""

from __future__ import annotations

import hashlib
import importlib.util
from functools import cache
from pathlib import Path


class ModelFileError(RuntimeError):
    """A model file is missing or is not the file this version was tested with."""


def package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            f"the package {package!r} that carries a model is not installed; run scripts/install"
        )
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified_file(path: Path, sha256: str) -> Path:
    """Return `path` if it exists and its sha256 is `sha256`; raise ModelFileError otherwise."""
    if not path.is_file():
        raise ModelFileError(f"model file {path} is missing; run scripts/install")
    actual = _sha256(path)
    if actual != sha256:
        raise ModelFileError(
            f"model file {path} has sha256 {actual}, expected {sha256}; reinstall it with scripts/install"
        )
    return path
