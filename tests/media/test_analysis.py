"""A recorded file analysed with the live detectors, in this process, with the real models."""

from __future__ import annotations

from pathlib import Path

from tests.lips_media import GRID_CLIPS, chained_grid, voice_over

from interview_monitor.detectors.lips import KIND
from interview_monitor.media.analysis import analyze_file
from interview_monitor.risk.engine import DEFAULT_POLICIES


def test_an_episode_open_at_the_end_of_a_video_lasts_to_the_end_of_the_file(
    test_data: Path,
) -> None:
    # Sampled once a second the last frame is at 1 s of 1.92 s, the head still turned.
    result = analyze_file(test_data / "video/head-pose-face-detection-female.mp4", sample_fps=1.0)
    turned = [e for e in result.events if e.columns.get("event_type") == "head_turned"]
    assert result.duration_s > 1.9 and turned
    assert turned[-1].end_s == result.duration_s


def test_each_stage_is_reported_as_it_starts(test_data: Path) -> None:
    stages: list[str] = []
    analyze_file(test_data / "video/head-pose-face-detection-female.mp4", progress=stages.append)
    assert [stage.split()[1] for stage in stages] == ["frames", "sound"]


def test_another_voice_over_a_silent_candidate_is_speech_without_lip_motion(
    tmp_path: Path, test_data: Path
) -> None:
    result = analyze_file(voice_over(tmp_path / "voice_over.mp4", test_data))
    [event] = [e for e in result.events if e.columns.get("event_type") == KIND]
    assert event.table == "face_pose_events" and 2.0 <= event.start_s <= 3.0
    assert event.details["still_frames"] >= 8
    [contribution] = [c for c in result.risk.contributions if c.kind == KIND]
    assert 0 < contribution.points <= DEFAULT_POLICIES[KIND].cap


def test_people_speaking_in_their_own_voice_give_no_lip_motion_flag(tmp_path: Path) -> None:
    result = analyze_file(chained_grid(tmp_path / "grid.mp4"))
    spoken = [e for e in result.events if e.table == "audio_transcripts"]
    assert len(spoken) == 4  # every sentence was heard, so the check had speech to judge
    assert [e for e in result.events if e.columns.get("event_type") == KIND] == []


def test_a_grid_clip_is_analysed_as_a_video(tmp_path: Path) -> None:
    result = analyze_file(GRID_CLIPS[0])
    assert [e.table for e in result.events] == ["audio_transcripts"]
