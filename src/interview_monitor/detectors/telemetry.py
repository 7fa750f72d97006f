"""Checks of the candidate page's telemetry against its own video stream. Pure: times in,
findings out.

The page sends a heartbeat every `interval_s` and, with it, how many video frames it sent
since the previous one. Two things then cannot happen on an honest page:
- frames keep arriving but heartbeats stop (the page's script was stopped, blocked or replaced
  while something else keeps the camera stream going): `page_tampered`;
- the server receives clearly more frames between two heartbeats than the page says it sent
  (the frames come from somewhere else than the page): `telemetry_contradiction`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

MISSED_HEARTBEATS = 3  # a reload or a slow request misses one or two
MIN_FRAMES_IN_GAP = 3  # frames must really be flowing, not one late frame
# Frames in flight at either end of a heartbeat interval, and timer jitter in a busy tab.
CONTRADICTION_MARGIN_FRAMES = 10


@dataclass(frozen=True, slots=True)
class Heartbeat:
    at: float  # wall-clock seconds, the server's clock when it was stored
    frames_sent: int | None  # since the page's previous heartbeat


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Literal["page_tampered", "telemetry_contradiction"]
    start: float  # wall-clock seconds
    duration_s: float
    # What the reviewer is shown: the numbers behind the finding.
    details: dict[str, int | float]

    @property
    def key(self) -> str:
        """One finding per gap or interval: checked again, it is the same finding."""
        return f"{self.kind}:{round(self.start * 1000)}"


def _between(arrivals: Sequence[float], start: float, end: float) -> int:
    return sum(1 for at in arrivals if start < at <= end)


def missing_heartbeats(
    arrivals: Sequence[float], last_heartbeat: float | None, now: float, interval_s: float
) -> Finding | None:
    """Frames arrived over more than MISSED_HEARTBEATS intervals with no heartbeat."""
    if not arrivals:
        return None
    since = last_heartbeat if last_heartbeat is not None else arrivals[0]
    gap_s = now - since
    frames = _between(arrivals, since, now)
    recent = arrivals[-1] >= now - interval_s
    if gap_s <= MISSED_HEARTBEATS * interval_s or frames < MIN_FRAMES_IN_GAP or not recent:
        return None
    details: dict[str, int | float] = {"frames_without_heartbeat": frames, "gap_s": round(gap_s)}
    return Finding("page_tampered", since, gap_s, details)


def frames_contradict(
    arrivals: Sequence[float], previous: Heartbeat, last: Heartbeat
) -> Finding | None:
    """The server received more frames between two heartbeats than the page says it sent."""
    if last.frames_sent is None or last.at <= previous.at:
        return None
    received = _between(arrivals, previous.at, last.at)
    reported = last.frames_sent
    if received - reported <= max(CONTRADICTION_MARGIN_FRAMES, reported):
        return None
    details: dict[str, int | float] = {"frames_received": received, "frames_page_sent": reported}
    return Finding("telemetry_contradiction", previous.at, last.at - previous.at, details)
