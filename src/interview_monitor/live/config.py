"""Settings of the live pipeline, from INTERVIEW_MONITOR_LIVE_* environment variables."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class LiveSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERVIEW_MONITOR_LIVE_", extra="ignore")

    enabled: bool = True
    video_workers: int = Field(default=0, ge=0, le=64, description="0: one per two CPUs")
    audio_workers: int = Field(default=0, ge=0, le=64, description="0: one per CPU")
    max_frame_bytes: int = Field(default=2_000_000, gt=0)
    max_audio_chunk_bytes: int = Field(default=128_000, gt=0)
    # A dropped connection may come back within this time and resume the detector state.
    resume_grace_s: float = Field(default=30.0, ge=0)
    # How often a streaming connection re-reads its session's status (ended by a reviewer?).
    status_check_s: float = Field(default=5.0, gt=0)
    auth_timeout_s: float = Field(default=10.0, gt=0)
    # How often the candidate page sends a heartbeat, and the telemetry watcher checks them.
    heartbeat_s: float = Field(default=5.0, gt=0, le=300)
    # The candidate page asks for full screen, and reports leaving it.
    fullscreen: bool = True
    worker_start_timeout_s: float = Field(default=180.0, gt=0)

    def worker_counts(self) -> tuple[int, int]:
        cpus = _cpus()
        return (self.video_workers or max(1, cpus // 2), self.audio_workers or max(1, cpus))
