"""What every browser test shares: Chromium, a work folder, the real server."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ci import unavailable
from tests.e2e.server import running_server

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return CHROMIUM


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="im-e2e-"))
    yield folder
    if os.environ.get("KEEP_E2E") != "1":
        shutil.rmtree(folder / "home", ignore_errors=True)


@pytest.fixture(scope="module")
def server(database_url: str, workdir: Path) -> Iterator[str]:
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    with running_server(database_url, home) as base:
        yield base
