"""A detector worker process: models loaded once, detector state for the sessions routed to it.

Talks only in plain tuples over multiprocessing queues (see `Request` and `Reply`): a model
never sees a socket. Each stream's detector object lives in exactly one worker, because the
pool routes a session to a worker by its id.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

    from interview_monitor.signals import DetectedEvent

Kind = Literal["video", "audio"]

# Requests: ("open", stream_id) | ("probe", stream_id, jpeg) | ("video", stream_id, t_s, jpeg, received_at)
#           | ("audio", stream_id, pcm, received_at) | ("close", stream_id, t_s) | None (stop)
Request = tuple[Any, ...] | None
# Replies: ("ready", kind, index) | ("opened", stream_id) | ("probed", stream_id, faces, error)
#          | ("done", stream_id, events, received_at, error)
#          | ("closed", stream_id, events, stats) | ("failed", kind, index, message)
Reply = tuple[Any, ...]

log = logging.getLogger(__name__)


class Detector(Protocol):
    def feed(self, payload: bytes, t_s: float) -> list[DetectedEvent]: ...

    def close(self, t_s: float) -> tuple[list[DetectedEvent], dict[str, Any]]: ...


class _VideoDetector:
    def __init__(self) -> None:
        from interview_monitor.detectors.vision import VisionConfig, VisionSession

        self._session = VisionSession(VisionConfig())

    def feed(self, payload: bytes, t_s: float) -> list[DetectedEvent]:
        return self._session.feed_jpeg(payload, t_s)

    def close(self, t_s: float) -> tuple[list[DetectedEvent], dict[str, Any]]:
        return self._session.close(t_s), dict(self._session.stats)


class _AudioDetector:
    def __init__(self) -> None:
        from interview_monitor.detectors.audio import AudioConfig, AudioSession

        self._session = AudioSession(AudioConfig())

    def feed(self, payload: bytes, t_s: float) -> list[DetectedEvent]:
        return self._session.feed_pcm(payload)

    def close(self, t_s: float) -> tuple[list[DetectedEvent], dict[str, Any]]:
        events = self._session.close()
        return events, {
            **self._session.stats,
            "speaker_verdict": str(self._session.speaker_verdict),
        }


def _load_models(kind: Kind) -> None:
    if kind == "video":
        from interview_monitor.detectors.vision import load_vision_models

        load_vision_models()
    else:
        from interview_monitor.detectors.audio import load_audio_models

        load_audio_models()


def _count_faces(jpeg: bytes) -> tuple[int | None, str | None]:
    """For the candidate's camera check before the interview: is a face in view?"""
    from interview_monitor.detectors.vision import VisionConfig, load_vision_models
    from interview_monitor.detectors.vision.faces import detect_faces, to_rgb
    from interview_monitor.media.video import decode_image

    try:
        rgb = to_rgb(decode_image(jpeg))
    except Exception as error:
        return None, f"{type(error).__name__}: {error}"
    return len(detect_faces(load_vision_models(), rgb, VisionConfig().face_min_score)), None


def _new_detector(kind: Kind) -> Detector:
    return _VideoDetector() if kind == "video" else _AudioDetector()


def run_worker(
    kind: Kind, index: int, requests: Queue[Request], replies: Queue[Reply | None]
) -> None:
    """The worker's main loop; returns when it receives None."""
    # BLAS thread pools fight over 2 cores and made the encoders up to 6x slower.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    try:
        _load_models(kind)
    except Exception as error:
        replies.put(("failed", kind, index, f"{type(error).__name__}: {error}"))
        return
    replies.put(("ready", kind, index))
    detectors: dict[int, Detector] = {}
    while (request := requests.get()) is not None:
        replies.put(_handle(kind, detectors, request))


def _handle(kind: Kind, detectors: dict[int, Detector], request: tuple[Any, ...]) -> Reply:
    action, stream_id = request[0], request[1]
    if action == "open":
        detectors[stream_id] = _new_detector(kind)
        return ("opened", stream_id)
    if action == "probe":
        return ("probed", stream_id, *_count_faces(request[2]))
    if action == "close":
        detector = detectors.pop(stream_id, None)
        if detector is None:
            return ("closed", stream_id, [], {})
        try:
            events, stats = detector.close(request[2])
        except Exception as error:
            log.exception("closing stream %s failed", stream_id)
            return ("closed", stream_id, [], {"error": str(error)})
        return ("closed", stream_id, events, stats)
    if action == "video":
        _, _, t_s, payload, received_at = request
    else:
        _, _, payload, received_at = request
        t_s = 0.0
    detector = detectors.get(stream_id)
    if detector is None:
        return ("done", stream_id, [], received_at, "stream is not open")
    try:
        return ("done", stream_id, detector.feed(payload, t_s), received_at, None)
    except Exception as error:
        # An undecodable frame is the client's fault; the detector state stays usable.
        return ("done", stream_id, [], received_at, f"{type(error).__name__}: {error}")
