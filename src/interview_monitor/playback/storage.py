"""Where recording segments are kept: an interface, and the data-directory implementation.

Keys are `<session id>/<segment index>.webm`, so everything of a session goes at once and
a sweep can tell which sessions still have files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

from interview_monitor.config import Settings


class RecordingStore(Protocol):
    def put(self, session_id: int, index: int, data: bytes) -> str:
        """Store a segment whole or not at all (a crash leaves no partial file); its key."""

    def get(self, key: str) -> bytes | None: ...

    def delete_sessions(self, session_ids: set[int]) -> None: ...

    def session_ids(self) -> set[int]:
        """Sessions that have any file, for sweeping the ones whose session is gone."""


def segment_key(session_id: int, index: int) -> str:
    return f"{session_id}/{index:06d}.webm"


class FileRecordingStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, session_id: int, index: int, data: bytes) -> str:
        key = segment_key(session_id, index)
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target, flushed to disk, then renamed over it: the rename is
        # atomic, so a reader (or a restart) finds the old segment, the new one, or none.
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.is_file() else None

    def delete_sessions(self, session_ids: set[int]) -> None:
        for session_id in session_ids:
            shutil.rmtree(self.root / str(session_id), ignore_errors=True)

    def session_ids(self) -> set[int]:
        if not self.root.is_dir():
            return set()
        return {int(entry.name) for entry in self.root.iterdir() if entry.name.isdigit()}


def recording_store(settings: Settings) -> RecordingStore:
    return FileRecordingStore(settings.recordings_dir)
