"""Speech with no moving lips, live: the one check that needs both of a session's streams.

The video and audio workers are separate processes, so the fusion happens here, in the server
process: the video worker's replies carry each frame's mouth opening, the audio worker's the
VAD segments each chunk closed (live/protocol.py `Done`). Each stream has its own origin, so
segments are put on the video stream's clock, and a segment is judged only once a frame at or
after its end has come in (vision lags audio: frames queue behind the mesh, audio does not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from interview_monitor.detectors.lips import LipSpeechCheck, LipSpeechConfig
from interview_monitor.signals import DetectedEvent


@dataclass
class _SessionLips:
    check: LipSpeechCheck
    video_origin: float | None = None  # epoch seconds of the video stream's t_s = 0
    waiting: list[tuple[float, float]] = field(default_factory=list)  # epoch seconds


@dataclass
class LiveLipChecks:
    """One `LipSpeechCheck` per session; returns findings as events on the video's clock."""

    config: LipSpeechConfig = field(default_factory=LipSpeechConfig)
    _sessions: dict[int, _SessionLips] = field(default_factory=dict)

    def _session(self, session_id: int) -> _SessionLips:
        lips = self._sessions.get(session_id)
        if lips is None:
            lips = self._sessions[session_id] = _SessionLips(LipSpeechCheck(self.config))
        return lips

    def frame(
        self, session_id: int, origin: datetime, t_s: float, opening: float | None
    ) -> list[DetectedEvent]:
        lips = self._session(session_id)
        video_origin = origin.timestamp()
        if lips.video_origin != video_origin:  # a new video stream: its clock starts afresh
            lips.check = LipSpeechCheck(self.config)
            lips.video_origin = video_origin
        lips.check.add_frame(t_s, opening)
        return self._judge(lips)

    def speech(
        self, session_id: int, origin: datetime, segments: tuple[tuple[float, float], ...]
    ) -> list[DetectedEvent]:
        lips = self._session(session_id)
        audio_origin = origin.timestamp()
        lips.waiting += [(audio_origin + start, audio_origin + end) for start, end in segments]
        # Without video nothing can be judged; keep no more than the check's history.
        newest = max((end for _, end in lips.waiting), default=0.0)
        lips.waiting = [s for s in lips.waiting if s[1] >= newest - self.config.history_s]
        return self._judge(lips)

    def forget(self, session_id: int) -> None:
        self._sessions.pop(session_id, None)

    def _judge(self, lips: _SessionLips) -> list[DetectedEvent]:
        latest = lips.check.latest_frame_s
        if lips.video_origin is None or latest is None:
            return []
        events: list[DetectedEvent] = []
        lips.waiting.sort()
        while lips.waiting and lips.waiting[0][1] - lips.video_origin <= latest:
            start, end = lips.waiting.pop(0)
            finding = lips.check.add_speech(start - lips.video_origin, end - lips.video_origin)
            if finding is not None:
                events.append(finding.to_event())
        return events
