"""A recorded file analysed with the live detectors, in this process, with the real models."""

from __future__ import annotations

from pathlib import Path

from interview_monitor.media.analysis import analyze_file


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
