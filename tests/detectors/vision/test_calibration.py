from __future__ import annotations

from interview_monitor.detectors.vision.calibration import Baseline, CalibrationRules, Calibrator
from interview_monitor.detectors.vision.faces import HeadPose


def pose(yaw: float, pitch: float = 5.0, gaze_x: float = 0.0) -> HeadPose:
    return HeadPose(yaw=yaw, pitch=pitch, roll=0.0, gaze_x=gaze_x, gaze_y=0.0)


def test_the_prior_stands_until_the_window_has_enough_samples() -> None:
    calibrator = Calibrator(CalibrationRules(window_s=2.0, min_samples=3))
    calibrator.observe(0.0, pose(4.0))
    calibrator.observe(0.5, pose(6.0))
    assert calibrator.baseline == Baseline()
    calibrator.observe(1.0, pose(5.0, pitch=12.0))
    assert calibrator.provisional().yaw == 5.0 and not calibrator.provisional().calibrated
    calibrator.observe(2.0, pose(7.0, pitch=14.0))
    assert calibrator.baseline.calibrated
    assert (calibrator.baseline.yaw, calibrator.baseline.pitch) == (5.5, 8.5)


def test_a_session_that_starts_turned_does_not_learn_turned_as_neutral() -> None:
    calibrator = Calibrator(CalibrationRules(window_s=1.0, min_samples=2))
    for index in range(6):
        calibrator.observe(index * 0.25, pose(-48.0))
    assert calibrator.provisional() == Baseline()
    calibrator.observe(1.5, pose(2.0, gaze_x=0.02))
    calibrator.observe(1.75, pose(4.0, gaze_x=0.04))
    assert calibrator.baseline.calibrated
    assert calibrator.baseline.yaw == 3.0
    assert calibrator.baseline.gaze_x == 0.03


def test_calibration_gives_up_and_keeps_the_prior() -> None:
    calibrator = Calibrator(CalibrationRules(give_up_s=10.0))
    for index in range(30):
        calibrator.observe(float(index), pose(60.0))
    assert calibrator.baseline == Baseline()
    calibrator.observe(31.0, pose(0.0))
    calibrator.observe(32.0, pose(0.0))
    calibrator.observe(33.0, pose(0.0))
    assert calibrator.baseline == Baseline()
