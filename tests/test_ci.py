"""On CI a run without the shared test data fails at once instead of skipping its tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_missing_test_data_on_ci_fails_the_run_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-data"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests/test_config.py"],
        capture_output=True,
        text=True,
        env={**os.environ, "CI": "true", "INTERVIEW_MONITOR_TEST_DATA": str(missing)},
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stdout.strip() == ""
    assert result.stderr.strip().splitlines() == [
        f"ERROR: CI=true: real test data not found at {missing} "
        "(set INTERVIEW_MONITOR_TEST_DATA to the shared/data folder)"
    ]
