from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.errors import ConflictError, NotFoundError
from interview_monitor.events.schemas import (
    FacePosePayload,
    IngestResult,
    ObjectDetectionPayload,
)
from interview_monitor.events.service import ingest, ingest_many
from tests.events.helpers import add_sessions

pytestmark = pytest.mark.anyio


def _phone(session_id: int, event_id: str | None = None) -> ObjectDetectionPayload:
    return ObjectDetectionPayload(
        session_id=session_id,
        object_detected="cell phone",
        confidence_score=90.0,
        event_id=event_id,
    )


def _away(session_id: int) -> FacePosePayload:
    return FacePosePayload(session_id=session_id, event_type="looking_away", duration_ms=3500)


async def test_each_request_in_a_shared_batch_stands_alone(
    db_session: AsyncSession, database_url: str
) -> None:
    live, other, ended = add_sessions(database_url, ["IN_PROGRESS", "IN_PROGRESS", "COMPLETED"])
    outcomes = await ingest_many(
        db_session,
        [
            [_phone(live, "e1"), _phone(other)],
            [_phone(live), _phone(ended)],  # one ended session: none of this request is stored
            [_away(other), _away(live)],
            [_phone(live, "e1")],  # a retry of the first request's event
            [_phone(999_999)],
        ],
    )
    first, refused, poses, retry, unknown = outcomes
    assert isinstance(first, IngestResult) and (first.stored, first.duplicates) == (2, 0)
    assert isinstance(refused, ConflictError) and refused.loc == ["body", 1, "session_id"]
    assert isinstance(poses, IngestResult) and poses.stored == 2 and len(poses.ids) == 2
    assert isinstance(retry, IngestResult) and (retry.stored, retry.duplicates) == (0, 1)
    assert isinstance(unknown, NotFoundError) and unknown.loc == ["body", 0, "session_id"]
    stale = await db_session.execute(
        text("SELECT id FROM interview_sessions WHERE risk_stale AND id = ANY(:ids)"),
        {"ids": [live, other, ended]},
    )
    assert sorted(row[0] for row in stale) == sorted([live, other])


async def test_ingest_raises_the_error_of_a_single_request(
    db_session: AsyncSession, database_url: str
) -> None:
    (ended,) = add_sessions(database_url, ["TERMINATED"])
    with pytest.raises(ConflictError):
        await ingest(db_session, [_phone(ended)])
