from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

DEFAULT_TEST_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _test_data_dir() -> Path:
    return Path(os.environ.get("INTERVIEW_MONITOR_TEST_DATA", DEFAULT_TEST_DATA))


@pytest.fixture(scope="session")
def test_data() -> Path:
    """The shared real recordings and photos; tests that need them skip when absent."""
    folder = _test_data_dir()
    if not (folder / "ground_truth.json").is_file():
        pytest.skip(
            f"real test data not found at {folder} "
            "(set INTERVIEW_MONITOR_TEST_DATA to the shared/data folder)"
        )
    return folder


@pytest.fixture(scope="session")
def ground_truth(test_data: Path) -> dict[str, Any]:
    truth: dict[str, Any] = json.loads((test_data / "ground_truth.json").read_text())
    return truth
