"""Module-scoped accounts for tests that run the app with live detection: each test module
gets its own data directory, settings and candidate and interviewer accounts."""

from __future__ import annotations

from pathlib import Path

import pytest

from interview_monitor.config import Settings
from tests.live.harness import Account, make_account, settings_for


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def settings(home: Path) -> Settings:
    return settings_for(home)


@pytest.fixture(scope="module")
def candidate(database_url: str, settings: Settings) -> Account:
    return make_account(database_url, settings, "candidate")


@pytest.fixture(scope="module")
def reviewer(database_url: str, settings: Settings) -> Account:
    return make_account(database_url, settings, "interviewer")
