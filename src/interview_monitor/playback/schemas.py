from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

SEGMENT_URL = "/api/interview/{session_id}/recording/segments/{index}"


class SegmentRead(BaseModel):
    index: int
    start_offset_ms: int
    duration_ms: int
    size_bytes: int
    url: str


class DropRead(BaseModel):
    kind: str
    started_at: datetime
    ended_at: datetime | None


class RecordingRead(BaseModel):
    """What the session page plays: the segments on the session clock, and the stream gaps."""

    session_id: int
    start_time: datetime
    segments: list[SegmentRead]
    drops: list[DropRead]
