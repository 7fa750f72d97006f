"""Speech with no moving lips, on real clips: GRID speakers in their own voice (committed), and a
silent person with another voice laid over them (built from the shared data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.lips_media import GRID_CLIPS, chained_grid, speech_segments, voice_over

from interview_monitor.detectors.audio import load_audio_models
from interview_monitor.detectors.lips import (
    KIND,
    LipSpeechCheck,
    LipSpeechConfig,
    closed_level,
    speech_without_lip_motion,
)
from interview_monitor.detectors.vision import VisionSession, analyze_video
from interview_monitor.media.video import iter_frames, read_image

Openings = list[tuple[float, float | None]]


@pytest.fixture(scope="module")
def vad() -> Any:
    return load_audio_models().vad


@pytest.fixture(scope="module")
def voice_over_clip(tmp_path_factory: pytest.TempPathFactory, test_data: Path) -> Path:
    return voice_over(tmp_path_factory.mktemp("lips") / "voice_over.mp4", test_data)


@pytest.fixture(scope="module")
def grid_session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return chained_grid(tmp_path_factory.mktemp("lips") / "grid.mp4")


def openings_of(path: Path, sample_fps: float) -> Openings:
    return analyze_video(iter_frames(path, sample_fps)).mouth_openings


def in_speech(openings: Openings, speech: list[tuple[float, float]]) -> list[float]:
    return [
        value
        for t_s, value in openings
        if value is not None and any(start <= t_s <= end for start, end in speech)
    ]


@pytest.mark.parametrize("clip", GRID_CLIPS, ids=lambda clip: clip.stem)
def test_a_grid_speaker_rests_with_a_shut_mouth_and_opens_it_to_talk(clip: Path, vad: Any) -> None:
    openings = openings_of(clip, 5.0)
    speech = speech_segments(vad, clip)
    values = np.array([value for _, value in openings], dtype=np.float64)
    assert len(speech) == 1 and np.isfinite(values).all()  # one sentence, face on every frame
    floor = closed_level(values)
    talking = np.array(in_speech(openings, speech))
    assert openings[0][1] is not None and openings[0][1] < floor + 0.02  # before the sentence
    # Most frames of one's own speech catch the mouth open (0.1-0.2 over the eye distance).
    assert np.mean(talking > floor + LipSpeechConfig().open_delta) >= 0.5
    assert talking.max() > 0.12


def test_a_silent_persons_mouth_stays_shut_under_another_voice(
    voice_over_clip: Path, vad: Any
) -> None:
    openings = openings_of(voice_over_clip, 2.0)
    speech = speech_segments(vad, voice_over_clip)
    values = np.array([value for _, value in openings], dtype=np.float64)
    assert sum(end - start for start, end in speech) > 8.0 and np.isfinite(values).all()
    floor = closed_level(values)
    assert max(in_speech(openings, speech)) < floor + LipSpeechConfig().open_delta / 2


@pytest.mark.parametrize("sample_fps", [1.0, 2.0])
def test_another_voice_over_a_shut_mouth_is_flagged_once(
    voice_over_clip: Path, vad: Any, sample_fps: float
) -> None:
    speech = speech_segments(vad, voice_over_clip)
    events = speech_without_lip_motion(openings_of(voice_over_clip, sample_fps), speech)
    [event] = events
    assert event.table == "face_pose_events" and event.columns["event_type"] == KIND
    assert 2.0 <= event.start_s <= 3.0  # the voice starts at 2 s
    assert event.details["still_frames"] >= 8 and event.details["still_speech_s"] >= 4.0


@pytest.mark.parametrize("sample_fps", [1.0, 2.0])
def test_people_speaking_in_their_own_voice_are_not_flagged(
    grid_session: Path, vad: Any, sample_fps: float
) -> None:
    speech = speech_segments(vad, grid_session)
    assert len(speech) == 4 and sum(end - start for start, end in speech) > 6.0
    assert speech_without_lip_motion(openings_of(grid_session, sample_fps), speech) == []


def test_a_frame_without_a_face_has_no_mouth_opening(test_data: Path) -> None:
    session = VisionSession()
    session.feed_frame(read_image(test_data / "images/faces/dogs.jpg"), 0.0)
    assert session.mouth_opening is None
    session.feed_frame(read_image(test_data / "images/faces/Tom_Cruise_avp_2014_4.jpg"), 1.0)
    assert session.mouth_opening is not None and 0.0 <= session.mouth_opening < 0.5


# The rule itself, on the values the vision session gives for a shut mouth (about 0.01) and
# an open one (0.1 and more).


def shut_frames(check: LipSpeechCheck, start_s: float, end_s: float, step_s: float = 0.5) -> None:
    for t_s in np.arange(start_s, end_s, step_s):
        check.add_frame(float(t_s), 0.01)


def test_one_open_frame_in_speech_clears_the_evidence() -> None:
    check = LipSpeechCheck()
    shut_frames(check, 0.0, 3.0)
    assert check.add_speech(0.0, 3.0) is None
    check.add_frame(3.2, 0.15)
    shut_frames(check, 3.5, 6.0)
    assert check.add_speech(3.0, 6.0) is None  # the mouth opened: the candidate spoke
    shut_frames(check, 6.0, 9.0)
    assert check.add_speech(6.0, 9.0) is None  # 2.7 s of evidence since, not 4
    shut_frames(check, 9.0, 11.0)
    finding = check.add_speech(9.0, 11.0)
    assert finding is not None and finding.start_s == 6.0 and finding.segments == 2


def test_speech_with_the_face_mostly_out_of_view_says_nothing() -> None:
    check = LipSpeechCheck()
    for index, t_s in enumerate(np.arange(0.0, 10.0, 0.5)):
        check.add_frame(float(t_s), 0.01 if index % 3 == 0 else None)
    assert check.add_speech(0.0, 10.0) is None
    shut_frames(check, 10.0, 15.0)
    assert check.add_speech(10.0, 15.0) is not None  # the same speech with the face in view


def test_evidence_expires_after_a_long_silence() -> None:
    check = LipSpeechCheck()
    shut_frames(check, 0.0, 3.0)
    assert check.add_speech(0.0, 3.0) is None
    shut_frames(check, 40.0, 43.0)
    assert check.add_speech(40.0, 43.0) is None  # 37 s later: the first 2.7 s are forgotten
