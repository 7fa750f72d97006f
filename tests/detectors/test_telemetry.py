"""The page's heartbeats against its video stream's arrivals."""

from __future__ import annotations

from interview_monitor.detectors.telemetry import Heartbeat, frames_contradict, missing_heartbeats

INTERVAL_S = 5.0


def _frames(start: float, end: float, per_s: float = 2.0) -> list[float]:
    count = int((end - start) * per_s)
    return [start + n / per_s for n in range(count)]


def test_frames_without_heartbeats_for_three_intervals_is_a_finding() -> None:
    arrivals = _frames(0, 40)
    assert (
        missing_heartbeats(arrivals, last_heartbeat=30.0, now=40.0, interval_s=INTERVAL_S) is None
    )
    found = missing_heartbeats(arrivals, last_heartbeat=20.0, now=40.0, interval_s=INTERVAL_S)
    assert found is not None and found.kind == "page_tampered"
    assert found.details == {"frames_without_heartbeat": 39, "gap_s": 20}
    # The same gap checked later is the same finding (stored once).
    later = missing_heartbeats(_frames(0, 45), 20.0, 45.0, INTERVAL_S)
    assert later is not None and later.key == found.key


def test_no_finding_when_the_video_stopped_too() -> None:
    assert (
        missing_heartbeats(_frames(0, 20), last_heartbeat=10.0, now=40.0, interval_s=INTERVAL_S)
        is None
    )
    assert missing_heartbeats([], None, 40.0, INTERVAL_S) is None


def test_more_frames_than_the_page_sent_contradicts_it() -> None:
    arrivals = _frames(0, 20)
    honest = frames_contradict(arrivals, Heartbeat(5.0, 10), Heartbeat(10.0, 10))
    assert honest is None
    found = frames_contradict(arrivals, Heartbeat(5.0, 10), Heartbeat(15.0, 0))
    assert found is not None and found.kind == "telemetry_contradiction"
    assert found.details == {"frames_received": 20, "frames_page_sent": 0}
    assert frames_contradict(arrivals, Heartbeat(5.0, None), Heartbeat(15.0, None)) is None
