"""The server process's fusion of the two streams for speech_without_lip_motion (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from interview_monitor.detectors.lips import KIND
from interview_monitor.live.lips import LiveLipChecks

VIDEO_ORIGIN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
AUDIO_ORIGIN = VIDEO_ORIGIN + timedelta(seconds=1)  # the audio stream connected 1 s later


def test_speech_waits_for_the_frames_and_lands_on_the_video_clock() -> None:
    checks = LiveLipChecks()
    # Audio runs ahead: 2.0-7.0 s on its clock is 3.0-8.0 s on the video's.
    assert checks.speech(1, AUDIO_ORIGIN, ((2.0, 7.0),)) == []
    events = []
    for t_s in np.arange(0.0, 8.5, 0.5):  # shut-mouth frames, as a silent listener gives
        events += checks.frame(1, VIDEO_ORIGIN, float(t_s), 0.01)
        if t_s < 8.0:
            assert events == [], "judged before the frames reached the segment's end"
    [event] = events
    assert event.columns["event_type"] == KIND
    assert (event.start_s, event.end_s) == (3.0, 8.0)


def test_sessions_are_kept_apart_and_forgotten() -> None:
    checks = LiveLipChecks()
    for t_s in np.arange(0.0, 9.0, 0.5):
        checks.frame(1, VIDEO_ORIGIN, float(t_s), 0.01)
        checks.frame(2, VIDEO_ORIGIN, float(t_s), 0.01 if t_s != 4.0 else 0.2)
    assert len(checks.speech(1, VIDEO_ORIGIN, ((1.0, 7.0),))) == 1
    assert checks.speech(2, VIDEO_ORIGIN, ((1.0, 7.0),)) == []  # session 2's mouth opened
    checks.forget(1)
    assert checks.speech(1, VIDEO_ORIGIN, ((1.0, 7.0),)) == []  # no frames any more
