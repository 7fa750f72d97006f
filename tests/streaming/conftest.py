from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.live.harness import live_client

MAX_FRAME_BYTES = 300_000
MAX_AUDIO_BYTES = 64_000


@pytest.fixture(scope="module")
def client(database_url: str, home: Path) -> Iterator[TestClient]:
    with live_client(
        database_url,
        home,
        max_frame_bytes=MAX_FRAME_BYTES,
        max_audio_chunk_bytes=MAX_AUDIO_BYTES,
        status_check_s=0.2,
        auth_timeout_s=2.0,
    ) as client:
        yield client
