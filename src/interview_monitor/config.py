"""Settings from the environment (and an optional .env file)."""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path("~/.local/share/interview-monitor").expanduser()
DEFAULT_ANSWER_MATCH_WINDOW = 100


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class InsecureSettingsError(ValueError):
    pass


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    home: Path = Field(default=DEFAULT_HOME, alias="INTERVIEW_MONITOR_HOME")
    env: Environment = Field(default=Environment.DEVELOPMENT, alias="INTERVIEW_MONITOR_ENV")
    secret_key_value: str | None = Field(default=None, alias="INTERVIEW_MONITOR_SECRET_KEY")
    access_token_minutes: int = Field(
        default=12 * 60, alias="INTERVIEW_MONITOR_TOKEN_MINUTES", gt=0
    )
    # Recording segments; under the home directory unless set.
    recordings_path: Path | None = Field(default=None, alias="INTERVIEW_MONITOR_RECORDINGS_DIR")
    # Whether candidates may start sessions with no interview scheduled for them. On, so the
    # seed's `POST /api/interview/start` works for any candidate as it always has; set it
    # off to admit candidates only through scheduled interviews.
    unscheduled_sessions: bool = Field(default=True, alias="INTERVIEW_MONITOR_UNSCHEDULED_SESSIONS")
    retention_days: int = Field(default=365, alias="INTERVIEW_MONITOR_RETENTION_DAYS", gt=0)
    pool_size: int = Field(default=10, alias="INTERVIEW_MONITOR_POOL_SIZE", gt=0)
    # How long the ingest endpoints trust a resolved caller before looking it up again.
    principal_cache_s: float = Field(
        default=5.0, alias="INTERVIEW_MONITOR_PRINCIPAL_CACHE_S", ge=0, le=300
    )
    # How many of the newest answers to a question (by other candidates) a new answer is
    # compared with to find shared answers; 0 turns the comparison off. Linear cost
    # (docs/answers.md): 30 ms at 100, 0.4 s at 1,000, where only strong matches count.
    answer_match_window: int = Field(
        default=DEFAULT_ANSWER_MATCH_WINDOW,
        alias="INTERVIEW_MONITOR_ANSWER_MATCH_WINDOW",
        ge=0,
        le=10_000,
    )
    risk_weights: dict[str, float] = Field(
        default_factory=dict, alias="INTERVIEW_MONITOR_RISK_WEIGHTS"
    )

    @field_validator("risk_weights")
    @classmethod
    def _known_risk_kinds(cls, weights: dict[str, float]) -> dict[str, float]:
        from interview_monitor.risk.engine import DEFAULT_POLICIES

        unknown = sorted(set(weights) - set(DEFAULT_POLICIES))
        if unknown:
            raise ValueError(f"unknown risk kinds {unknown}; known: {sorted(DEFAULT_POLICIES)}")
        if any(weight < 0 for weight in weights.values()):
            raise ValueError("risk weights must not be negative")
        return weights

    @model_validator(mode="after")
    def _refuse_weak_secret_in_production(self) -> Settings:
        if self.env is Environment.PRODUCTION:
            key = self.secret_key_value or ""
            if len(key) < 32 or key.lower() in {"changeme", "secret", "change-me"}:
                raise InsecureSettingsError(
                    "INTERVIEW_MONITOR_SECRET_KEY must be set to at least 32 random characters "
                    "when INTERVIEW_MONITOR_ENV=production"
                )
        return self

    @property
    def home_dir(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home

    @property
    def recordings_dir(self) -> Path:
        return self.recordings_path or self.home / "recordings"

    @cached_property
    def secret_key(self) -> str:
        if self.secret_key_value:
            return self.secret_key_value
        key_file = self.home_dir / "secret_key"
        if not key_file.exists():
            key_file.touch(mode=0o600)
            key_file.write_text(secrets.token_urlsafe(48))
        return key_file.read_text().strip()
