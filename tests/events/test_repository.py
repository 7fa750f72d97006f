from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.events.repository import write_events, write_requests
from tests.events.helpers import add_sessions

pytestmark = pytest.mark.anyio


def _row(session_id: int, event_id: str | None) -> dict[str, object]:
    return {
        "session_id": session_id,
        "client_event_id": event_id,
        "object_detected": "cell phone",
        "confidence_score": 90,
    }


async def test_ids_come_back_in_input_order_with_none_for_duplicates(
    db_session: AsyncSession, database_url: str
) -> None:
    first, second = add_sessions(database_url, ["IN_PROGRESS", "IN_PROGRESS"])
    (earlier,) = await write_events(db_session, "object_detection_events", [_row(first, "a")])
    rows = [
        _row(second, None),
        _row(first, "a"),  # stored by the earlier call
        _row(first, "b"),
        _row(second, "a"),  # same key, other session: a new event
        _row(first, "b"),  # repeated within this call
        _row(first, None),
    ]
    ids = await write_events(db_session, "object_detection_events", rows)
    assert [new_id is None for new_id in ids] == [False, True, False, False, True, False]
    new_ids = [new_id for new_id in ids if new_id is not None]
    assert new_ids == sorted(new_ids) and min(new_ids) > (earlier or 0)
    stored = await db_session.execute(
        text(
            "SELECT id, session_id, client_event_id FROM object_detection_events "
            "WHERE id = ANY(:ids) ORDER BY id"
        ),
        {"ids": new_ids},
    )
    assert [(row[1], row[2]) for row in stored] == [
        (second, None),
        (first, "b"),
        (second, "a"),
        (first, None),
    ]


async def test_no_rows_write_nothing(db_session: AsyncSession) -> None:
    assert await write_events(db_session, "face_pose_events", []) == []


async def test_guarded_writes_refuse_whole_requests_and_mark_sessions_stale(
    db_session: AsyncSession, database_url: str
) -> None:
    live, ended = add_sessions(database_url, ["IN_PROGRESS", "COMPLETED"])
    rows = [
        _row(live, "x"),
        _row(ended, None),
        _row(live, None),
        _row(live, "x"),
        _row(99_999, None),
    ]
    ids, refused = await write_requests(
        db_session, "object_detection_events", rows, [0, 1, 1, 2, 3]
    )
    assert refused == {1, 3}
    assert ids[0] is not None and ids[1:] == [None, None, None, None]
    stale = await db_session.execute(
        text("SELECT id, risk_stale FROM interview_sessions WHERE id = ANY(:ids) ORDER BY id"),
        {"ids": [live, ended]},
    )
    assert [tuple(row) for row in stale] == [(live, True), (ended, False)]
