from __future__ import annotations

import pytest

from interview_monitor.live.config import LiveSettings, _cpus


def test_worker_counts_default_to_the_machine() -> None:
    video, audio = LiveSettings().worker_counts()
    assert video == max(1, _cpus() // 2) and audio == max(1, _cpus())
    assert LiveSettings(video_workers=3, audio_workers=2).worker_counts() == (3, 2)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEW_MONITOR_LIVE_ENABLED", "false")
    monkeypatch.setenv("INTERVIEW_MONITOR_LIVE_MAX_FRAME_BYTES", "1234")
    settings = LiveSettings()
    assert settings.enabled is False and settings.max_frame_bytes == 1234
