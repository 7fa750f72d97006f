"""On CI (which sets CI=true) a test that lacks what it needs fails instead of skipping."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def on_ci() -> bool:
    return os.environ.get("CI") == "true"


def unavailable(reason: str) -> NoReturn:
    """Skip on a developer machine; fail on CI, where everything a test needs is installed."""
    if on_ci():
        pytest.fail(reason)
    pytest.skip(reason)
