"""Speech with no moving lips: speech is heard, the face is in view, and its mouth stays shut.

Two inputs, both already produced by the detectors:

* vision: per frame, the mouth opening of the main face (`mouth_opening` of the mesh the
  vision session fits anyway), or None when there is no face or no mesh;
* audio: finished VAD speech segments (start_s, end_s) on the same clock.

Why "was the mouth ever seen open" and not a correlation with the sound: frames come at 1-2
a second, while the mouth opens and closes 3-6 times a second in speech, so a few snapshots
cannot be lined up with the audio envelope. But each snapshot taken during the candidate's own
speech has a good chance of catching the mouth open (60-67% of frames at 1-2 frames/s on 18
real clips), and in real speech the mouth never stayed shut longer than about 0.5 s, while a
silent listener's mouth stays shut on every frame. So the evidence is counted in frames: each
speech frame with a shut mouth adds to it, and a single open frame during speech clears it.
With the defaults (8 frames, 4 s) a false alarm needs the mouth shut through at least 3.5 s of
the candidate's own speech at 2 frames/s (7 s at 1 frame/s).

What this cannot see: a dub, someone else's voice while the candidate's lips move. That needs
a lip-sync model on 25 frames/s video, a different and much costlier check.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from interview_monitor.signals import DetectedEvent

KIND = "speech_without_lip_motion"

# MediaPipe face-mesh landmarks (the 468-point mesh and the 478-point one with irises).
INNER_LIP_PAIRS = ((13, 14), (82, 87), (312, 317))  # upper / lower inner lip: centre and sides
OUTER_EYE_CORNERS = (33, 263)

FloatArray = NDArray[np.float64]


def mouth_opening(points: NDArray[np.floating[Any]]) -> float:
    """Gap between the inner lips over the distance between the outer eye corners.

    Both are 3-D mesh distances, so turning the head or leaning back barely changes the value.
    The eye corners, not the mouth corners, are the scale: mouth width changes with the vowel.
    About 0.00-0.02 with the lips shut, 0.1-0.25 while talking.
    """
    gaps = [
        float(np.linalg.norm(points[upper] - points[lower])) for upper, lower in INNER_LIP_PAIRS
    ]
    left, right = OUTER_EYE_CORNERS
    eyes = float(np.linalg.norm(points[left] - points[right]))
    return float(np.mean(gaps)) / max(eyes, 1e-6)


def closed_level(openings: FloatArray, fallback: float = 0.03) -> float:
    """The person's own shut-mouth opening: the 10th percentile of their recent frames.

    Some people's lips rest apart (one test clip rests at 0.19), so an absolute cap would call
    their mouth open all the time; `fallback` until there are a few frames.
    """
    values = openings[np.isfinite(openings)]
    if values.size < 5:
        return fallback
    return float(np.percentile(values, 10))


@dataclass(frozen=True, slots=True)
class SegmentFrames:
    """What the frames inside one speech segment showed."""

    frames: int
    face_frames: int
    open_frames: int
    peak: float  # highest opening above the closed level (-inf without a face)


def segment_frames(
    times: FloatArray,
    openings: FloatArray,
    segment: tuple[float, float],
    floor: float,
    open_delta: float,
    pad_s: float,
) -> SegmentFrames:
    """Frames inside `segment`, trimmed by `pad_s` at both ends; `openings` is NaN without a face.

    VAD segments run a little past the speech (onset and offset hangover), and the mouth is
    often shut in those margins, so they are not used as evidence.
    """
    start_s, end_s = segment
    values = openings[(times >= start_s + pad_s) & (times <= end_s - pad_s)]
    faced = values[np.isfinite(values)]
    return SegmentFrames(
        frames=int(values.size),
        face_frames=int(faced.size),
        open_frames=int(np.sum(faced > floor + open_delta)),
        peak=float(faced.max() - floor) if faced.size else float("-inf"),
    )


@dataclass(frozen=True, slots=True)
class LipSpeechConfig:
    open_delta: float = 0.04  # "open" above the person's closed level (x eye-corner distance)
    min_still_speech_s: float = 4.0  # speech heard with the face in view and the mouth shut ...
    min_still_frames: int = 8  # ... seen on at least this many frames, none of them open
    min_face_fraction: float = 0.6  # a segment counts only if most of its frames had the face
    pad_s: float = 0.15
    forget_after_s: float = 30.0  # evidence expires after this long without speech
    history_s: float = 60.0  # frames kept, for the closed level and for late segments


@dataclass(frozen=True, slots=True)
class LipFinding:
    start_s: float
    end_s: float
    still_speech_s: float
    still_frames: int
    segments: int
    floor: float
    peak: float  # highest opening above the floor in the evidence (< open_delta by definition)

    def to_event(self) -> DetectedEvent:
        """A face_pose_events row, like the other face kinds (the schema is unchanged)."""
        duration_s = max(0.0, self.end_s - self.start_s)
        # More shut-mouth speech is stronger evidence; 3 at the minimum, 5 from three times it.
        severity = 3 + int(self.still_speech_s >= 8.0) + int(self.still_speech_s >= 12.0)
        return DetectedEvent(
            table="face_pose_events",
            start_s=self.start_s,
            end_s=self.end_s,
            columns={
                "event_type": KIND,
                "duration_ms": round(duration_s * 1000),
                "severity_score": severity,
            },
            confidence=round(100.0 * min(1.0, self.still_frames / 16), 2),
            details={
                "still_speech_s": round(self.still_speech_s, 3),
                "still_frames": self.still_frames,
                "speech_segments": self.segments,
                "closed_level": round(self.floor, 4),
                "peak_above_closed": round(self.peak, 4),
            },
        )


@dataclass
class LipSpeechCheck:
    """Fed with (t, mouth opening or None) per frame and finished speech segments.

    `add_speech` returns a LipFinding when the shut-mouth speech adds up to the thresholds;
    the evidence is then reset, so a long voice-over gives one finding per threshold's worth.
    Call `add_speech(start, end)` only once the frames up to `end` are in: vision may lag audio.
    """

    config: LipSpeechConfig = field(default_factory=LipSpeechConfig)
    _times: deque[float] = field(default_factory=deque)
    _openings: deque[float] = field(default_factory=deque)
    _still_s: float = 0.0
    _still_frames: int = 0
    _segments: int = 0
    _since: float | None = None
    _last_speech_end: float | None = None
    _peak: float = float("-inf")

    def add_frame(self, t_s: float, opening: float | None) -> None:
        self._times.append(t_s)
        self._openings.append(float("nan") if opening is None else float(opening))
        while self._times and self._times[0] < t_s - self.config.history_s:
            self._times.popleft()
            self._openings.popleft()

    @property
    def latest_frame_s(self) -> float | None:
        return self._times[-1] if self._times else None

    def _reset(self) -> None:
        self._still_s, self._still_frames, self._segments = 0.0, 0, 0
        self._since, self._peak = None, float("-inf")

    def add_speech(self, start_s: float, end_s: float) -> LipFinding | None:
        config = self.config
        if (
            self._last_speech_end is not None
            and start_s - self._last_speech_end > config.forget_after_s
        ):
            self._reset()
        self._last_speech_end = end_s
        times = np.fromiter(self._times, np.float64, len(self._times))
        openings = np.fromiter(self._openings, np.float64, len(self._openings))
        floor = closed_level(openings)
        seen = segment_frames(
            times, openings, (start_s, end_s), floor, config.open_delta, config.pad_s
        )
        if seen.frames == 0 or seen.face_frames < config.min_face_fraction * seen.frames:
            return None  # the face was not (mostly) in view: nothing to say about its lips
        if seen.open_frames > 0:
            self._reset()  # the mouth moved with this speech: the candidate is talking
            return None
        self._still_s += max(0.0, end_s - start_s - 2 * config.pad_s)
        self._still_frames += seen.face_frames
        self._segments += 1
        self._peak = max(self._peak, seen.peak)
        if self._since is None:
            self._since = start_s
        if (
            self._still_s < config.min_still_speech_s
            or self._still_frames < config.min_still_frames
        ):
            return None
        finding = LipFinding(
            self._since, end_s, self._still_s, self._still_frames, self._segments, floor, self._peak
        )
        self._reset()
        return finding


def speech_without_lip_motion(
    openings: list[tuple[float, float | None]],
    speech: list[tuple[float, float]],
    config: LipSpeechConfig | None = None,
) -> list[DetectedEvent]:
    """Every finding in a whole recording: frames (t_s, opening or None) and speech segments.

    Each segment is judged once all frames up to its end are in, as live.
    """
    check = LipSpeechCheck(config or LipSpeechConfig())
    frames = sorted(openings, key=lambda frame: frame[0])
    events: list[DetectedEvent] = []
    next_frame = 0
    for start_s, end_s in sorted(speech):
        while next_frame < len(frames) and frames[next_frame][0] <= end_s:
            check.add_frame(*frames[next_frame])
            next_frame += 1
        finding = check.add_speech(start_s, end_s)
        if finding is not None:
            events.append(finding.to_event())
    return events
