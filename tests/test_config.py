from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from interview_monitor.config import Settings


@pytest.mark.parametrize("key", [None, "", "changeme", "short-key"])
def test_production_refuses_a_missing_or_weak_secret(tmp_path: Path, key: str | None) -> None:
    with pytest.raises(ValidationError, match="INTERVIEW_MONITOR_SECRET_KEY"):
        Settings(
            INTERVIEW_MONITOR_ENV="production",
            INTERVIEW_MONITOR_SECRET_KEY=key,
            INTERVIEW_MONITOR_HOME=tmp_path,
        )


def test_production_takes_a_strong_secret(tmp_path: Path) -> None:
    key = "k" * 48
    settings = Settings(
        INTERVIEW_MONITOR_ENV="production",
        INTERVIEW_MONITOR_SECRET_KEY=key,
        INTERVIEW_MONITOR_HOME=tmp_path,
    )
    assert settings.secret_key == key
    assert not (tmp_path / "secret_key").exists()


def test_development_makes_one_private_secret_and_keeps_it(tmp_path: Path) -> None:
    first = Settings(INTERVIEW_MONITOR_HOME=tmp_path).secret_key
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert Settings(INTERVIEW_MONITOR_HOME=tmp_path).secret_key == first


def test_risk_weights_come_from_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEW_MONITOR_RISK_WEIGHTS", '{"looking_away": 0.5}')
    assert Settings(INTERVIEW_MONITOR_HOME=tmp_path).risk_weights == {"looking_away": 0.5}


@pytest.mark.parametrize("weights", ['{"gaze": 2}', '{"phone": -1}'])
def test_bad_risk_weights_are_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weights: str
) -> None:
    monkeypatch.setenv("INTERVIEW_MONITOR_RISK_WEIGHTS", weights)
    with pytest.raises(ValidationError, match="risk"):
        Settings(INTERVIEW_MONITOR_HOME=tmp_path)
