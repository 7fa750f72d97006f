"""Read float tensors from a PyTorch checkpoint without torch.

Resemblyzer's `pretrained.pt` uses torch's legacy serialisation: three small pickles (magic
number, protocol version, system info), the main pickle whose tensors point at storages by
persistent id, a pickle listing the storage keys, then each storage's raw bytes preceded by its
element count. Only the handful of globals such a checkpoint needs are allowed, so loading
cannot run arbitrary code the way a plain `pickle.load` would.
"""

from __future__ import annotations

import collections
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001
_STORAGE_DTYPES: dict[str, np.dtype[Any]] = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
}


class CheckpointFormatError(ValueError):
    """The file is not a legacy torch checkpoint of plain tensors."""


@dataclass(frozen=True, slots=True)
class _StorageType:
    dtype: np.dtype[Any]


@dataclass(slots=True)
class _Storage:
    dtype: np.dtype[Any]
    numel: int
    data: np.ndarray[Any, Any] | None = None


@dataclass(frozen=True, slots=True)
class _TensorRef:
    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]

    def materialise(self) -> np.ndarray[Any, Any]:
        if self.storage.data is None:
            raise CheckpointFormatError("a tensor points at a storage with no data")
        itemsize = self.storage.dtype.itemsize
        view = np.lib.stride_tricks.as_strided(
            self.storage.data[self.offset :],
            shape=self.shape,
            strides=tuple(step * itemsize for step in self.stride),
            writeable=False,
        )
        return np.array(view, copy=True)


def _rebuild_tensor(
    storage: _Storage, offset: int, shape: tuple[int, ...], stride: tuple[int, ...], *_: Any
) -> _TensorRef:
    return _TensorRef(storage, offset, tuple(shape), tuple(stride))


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, handle: IO[bytes], storages: dict[str, _Storage]) -> None:
        super().__init__(handle)
        self._storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(_STORAGE_DTYPES[name])
        raise pickle.UnpicklingError(f"checkpoint refers to {module}.{name}, which is not allowed")

    def persistent_load(self, pid: Any) -> _Storage:
        kind, storage_type, key, _location, numel, view = pid
        if kind != "storage" or not isinstance(storage_type, _StorageType) or view is not None:
            raise CheckpointFormatError(f"unsupported persistent object {pid[:2]!r}")
        if key not in self._storages:
            self._storages[key] = _Storage(storage_type.dtype, int(numel))
        return self._storages[key]


def _tensors_in(obj: Any, prefix: str = "") -> dict[str, np.ndarray[Any, Any]]:
    if isinstance(obj, _TensorRef):
        return {prefix: obj.materialise()}
    if isinstance(obj, dict):
        found: dict[str, np.ndarray[Any, Any]] = {}
        for key, value in obj.items():
            found.update(_tensors_in(value, f"{prefix}.{key}" if prefix else str(key)))
        return found
    return {}


def load_legacy_checkpoint(path: Path, section: str) -> dict[str, np.ndarray[Any, Any]]:
    """The tensors of `section` (e.g. "model_state") in a legacy torch checkpoint, as arrays."""
    storages: dict[str, _Storage] = {}
    with path.open("rb") as handle:

        def next_pickle() -> Any:
            return _RestrictedUnpickler(handle, storages).load()

        if next_pickle() != _LEGACY_MAGIC or next_pickle() != _LEGACY_PROTOCOL:
            raise CheckpointFormatError(f"{path} is not a legacy torch checkpoint")
        next_pickle()  # system info (type sizes); the storages are little-endian either way
        root = next_pickle()
        keys = next_pickle()
        for key in keys:
            storage = storages[key]
            (count,) = struct.unpack("<q", handle.read(8))
            raw = handle.read(count * storage.dtype.itemsize)
            if count != storage.numel or len(raw) != count * storage.dtype.itemsize:
                raise CheckpointFormatError(f"storage {key} in {path} is truncated")
            storage.data = np.frombuffer(raw, dtype=storage.dtype)
    if not isinstance(root, dict) or section not in root:
        raise CheckpointFormatError(f"{path} has no {section!r} section")
    return _tensors_in(root[section])
