"""Closed vision episodes become DetectedEvents: severity, confidence and the evidence JPEG."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from interview_monitor.detectors.episodes import Episode
from interview_monitor.detectors.vision.config import OBJECT_KINDS, VisionConfig
from interview_monitor.signals import DetectedEvent, EventTable

# Seconds of an episode at which its severity steps up by one (1 below the first step).
_SEVERITY_STEPS_S = (2.0, 5.0, 10.0, 30.0)
_STRONG_LEVEL = 2.0  # twice the threshold (e.g. yaw 50 degrees off): one step more severe
# Another face, or another person in the seat, is worse than a glance.
_SERIOUS_KINDS = frozenset({"multiple_faces", "identity_mismatch"})

Signal = tuple[float, float, dict[str, Any]]  # level, confidence 0-1, details


@dataclass(slots=True)
class FrameEvidence:
    """What a reviewer sees for the strongest frame of an episode."""

    t_s: float
    confidence: float  # 0-1
    details: dict[str, Any]
    frame: NDArray[np.uint8] | None = field(default=None, repr=False)
    jpeg: bytes | None = field(default=None, repr=False)
    # identity_mismatch: the reference face, shown beside the frame in the snapshot
    reference_jpeg: bytes | None = field(default=None, repr=False)


def severity(kind: str, duration_s: float, peak_level: float) -> int:
    steps = sum(duration_s >= step for step in _SEVERITY_STEPS_S)
    steps += peak_level >= _STRONG_LEVEL
    steps += kind in _SERIOUS_KINDS
    return int(min(5, 1 + steps))


def encode_jpeg(frame: NDArray[np.uint8], max_side: int, quality: int) -> bytes | None:
    image: Any = frame
    scale = max_side / max(frame.shape[:2])
    if scale < 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return encoded.tobytes() if ok else None


def snapshot_jpeg(evidence: FrameEvidence, config: VisionConfig) -> bytes | None:
    if evidence.reference_jpeg is not None:
        return _beside_reference(evidence, config)
    if evidence.jpeg is not None:
        return evidence.jpeg
    if evidence.frame is None:
        return None
    return encode_jpeg(evidence.frame, config.snapshot_max_side, config.snapshot_jpeg_quality)


def _beside_reference(evidence: FrameEvidence, config: VisionConfig) -> bytes | None:
    """The reference face (left) beside the current frame (right), in one image: every
    place that shows an event's snapshot (review page, report, PDF) then shows both."""
    reference = cv2.imdecode(
        np.frombuffer(evidence.reference_jpeg or b"", np.uint8), cv2.IMREAD_COLOR
    )
    current: Any = evidence.frame
    if evidence.jpeg is not None:
        current = cv2.imdecode(np.frombuffer(evidence.jpeg, np.uint8), cv2.IMREAD_COLOR)
    if reference is None or current is None:
        return evidence.jpeg
    height = current.shape[0]
    width = max(1, round(reference.shape[1] * height / reference.shape[0]))
    side_by_side = np.asarray(
        cv2.hconcat([cv2.resize(reference, (width, height)), current]), dtype=np.uint8
    )
    return encode_jpeg(side_by_side, 2 * config.snapshot_max_side, config.snapshot_jpeg_quality)


def to_event(episode: Episode[FrameEvidence], config: VisionConfig) -> DetectedEvent:
    evidence = episode.evidence
    confidence = round(100.0 * (evidence.confidence if evidence else 0.0), 2)
    duration_ms = round(episode.duration_s * 1000)
    details: dict[str, Any] = {
        "peak_t_s": round(episode.peak_t_s, 3),
        "peak_level": round(episode.peak_level, 3),
        "mean_level": round(episode.mean_level, 3),
        "frames": episode.active_samples,
        **(evidence.details if evidence else {}),
    }
    table, columns = _table_columns(episode, confidence, duration_ms)
    return DetectedEvent(
        table=table,
        start_s=episode.start_s,
        end_s=episode.end_s,
        columns=columns,
        confidence=confidence,
        snapshot_jpeg=snapshot_jpeg(evidence, config) if evidence else None,
        details=details,
    )


def _table_columns(
    episode: Episode[FrameEvidence], confidence: float, duration_ms: int
) -> tuple[EventTable, dict[str, Any]]:
    if episode.kind in OBJECT_KINDS:
        return "object_detection_events", {
            "object_detected": episode.kind,
            "confidence_score": confidence,
            "duration_ms": duration_ms,
        }
    return "face_pose_events", {
        "event_type": episode.kind,
        "duration_ms": duration_ms,
        "severity_score": severity(episode.kind, episode.duration_s, episode.peak_level),
    }
