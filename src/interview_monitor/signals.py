"""What detectors hand to the rest of the system: events shaped like the seed's tables.

Pure data: no web, SQL or model imports, so detectors, the risk engine, the CLI and the
database layer can all speak it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EventTable = Literal[
    "object_detection_events", "face_pose_events", "audio_transcripts", "answer_evaluations"
]


@dataclass(frozen=True, slots=True)
class DetectedEvent:
    """One episode (or transcript, or evaluation) found in a stream or a file.

    `start_s` and `end_s` are offsets in seconds from the start of the stream. `columns` holds
    the values of the target table's own columns, e.g. for face_pose_events
    {"event_type": "looking_away", "duration_ms": 4200, "severity_score": 3}; for
    object_detection_events {"object_detected": "cell phone", "confidence_score": 81.5};
    for audio_transcripts {"text_content": "...", "is_multiple_speakers": False,
    "flagged_phrases": []}. `confidence` is the detector's confidence, 0-100.
    `details` carries anything else worth showing a reviewer (angles, matched words, ...).
    """

    table: EventTable
    start_s: float
    end_s: float
    columns: dict[str, Any]
    confidence: float | None = None
    snapshot_jpeg: bytes | None = field(default=None, repr=False)
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The form of `interview-monitor analyze --json` (DESIGN.md section 3b)."""
        payload: dict[str, Any] = {
            "table": self.table,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            **self.columns,
        }
        if self.confidence is not None:
            payload["confidence"] = round(self.confidence, 2)
        if self.details:
            payload["details"] = self.details
        payload["has_snapshot"] = self.snapshot_jpeg is not None
        return payload
