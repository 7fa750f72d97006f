from __future__ import annotations

from collections.abc import Iterable

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from interview_monitor.db.engine import Database
from interview_monitor.interviews.refresher import BATCH, pause_after, refresh_stale
from interview_monitor.risk.engine import Flag, RiskAssessment, RiskModel, object_kind
from tests.api_fixtures import Api
from tests.events.helpers import add_sessions

pytestmark = pytest.mark.anyio


async def test_ingest_marks_sessions_stale_and_a_refresh_stores_the_score(
    api: Api, database_url: str
) -> None:
    sessions = [await api.start_session(), await api.start_session("other_candidate")]
    payloads = [
        {"session_id": s, "object_detected": "cell phone", "confidence_score": 90} for s in sessions
    ]
    await api.client.post(
        "/api/events/object-detection", json=payloads, headers=api.headers["service"]
    )
    database = Database.connect(database_url, pool_size=1)
    try:
        await refresh_stale(database, RiskModel())
    finally:
        await database.dispose()
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT risk_stale, total_risk_score FROM interview_sessions ORDER BY id"
        ).fetchall()
    assert [row[0] for row in rows] == [False, False]
    assert all(float(row[1]) > 30 for row in rows)


def test_the_refresher_keeps_to_its_share_of_the_event_loop() -> None:
    assert pause_after(0.01, 0.5, 0.2) == 0.5
    assert pause_after(1.0, 0.5, 0.2) == pytest.approx(4.0)
    assert pause_after(0.3, 0.5, 0.5) == 0.5


async def test_a_refresh_takes_every_stale_session_in_chunks_and_records_changes_once(
    database_url: str,
) -> None:
    session_ids = add_sessions(database_url, ["IN_PROGRESS"] * (2 * BATCH + 5))
    with psycopg.connect(database_url) as connection:
        for session_id in session_ids:
            connection.execute(
                "INSERT INTO object_detection_events (session_id, object_detected, confidence_score) "
                "VALUES (%s, 'cell phone', 90)",
                (session_id,),
            )
        connection.execute(
            "UPDATE interview_sessions SET risk_stale = true WHERE id = ANY(%s)", (session_ids,)
        )
    database = Database.connect(database_url, pool_size=1)
    try:
        assert await refresh_stale(database, RiskModel()) == len(session_ids)
        with psycopg.connect(database_url) as connection:
            connection.execute(
                "UPDATE interview_sessions SET risk_stale = true WHERE id = ANY(%s)", (session_ids,)
            )
        assert await refresh_stale(database, RiskModel()) == len(session_ids)
    finally:
        await database.dispose()
    with psycopg.connect(database_url) as connection:
        scores = connection.execute(
            "SELECT s.total_risk_score, count(h.id) FROM interview_sessions s "
            "JOIN risk_history h ON h.session_id = s.id WHERE s.id = ANY(%s) "
            "GROUP BY s.id, s.total_risk_score",
            (session_ids,),
        ).fetchall()
    assert len(scores) == len(session_ids)
    # The second refresh found the same scores: no new history rows.
    assert all(float(score) > 30 and history == 1 for score, history in scores)


class _UnreachableModel(RiskModel):
    def assess(self, flags: Iterable[Flag]) -> RiskAssessment:
        raise OperationalError("SELECT", {}, ConnectionError("server closed the connection"))


async def test_sessions_stay_stale_while_the_database_is_unreachable(database_url: str) -> None:
    session_ids = add_sessions(database_url, ["IN_PROGRESS"] * 3)
    with psycopg.connect(database_url) as connection:
        connection.execute(
            "UPDATE interview_sessions SET risk_stale = true WHERE id = ANY(%s)", (session_ids,)
        )
    database = Database.connect(database_url, pool_size=1)
    try:
        with pytest.raises(OperationalError, match="server closed the connection"):
            await refresh_stale(database, _UnreachableModel())
    finally:
        await database.dispose()
    with psycopg.connect(database_url) as connection:
        stale = connection.execute(
            "SELECT bool_and(risk_stale) FROM interview_sessions WHERE id = ANY(%s)",
            (session_ids,),
        ).fetchone()[0]
    assert stale is True


class _PhonesBreakItModel(RiskModel):
    def assess(self, flags: Iterable[Flag]) -> RiskAssessment:
        flags = list(flags)
        if any(flag.kind == object_kind("cell phone") for flag in flags):
            raise RuntimeError("cannot assess this session")
        return super().assess(flags)


async def test_a_session_that_cannot_be_assessed_does_not_hold_up_the_others(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    good, bad, other = add_sessions(database_url, ["IN_PROGRESS"] * 3)
    with psycopg.connect(database_url) as connection:
        connection.execute(
            "INSERT INTO face_pose_events (session_id, event_type, duration_ms, severity_score) "
            "VALUES (%s, 'looking_away', 8000, 4), (%s, 'looking_away', 8000, 4)",
            (good, other),
        )
        connection.execute(
            "INSERT INTO object_detection_events (session_id, object_detected, confidence_score) "
            "VALUES (%s, 'cell phone', 95)",
            (bad,),
        )
        connection.execute(
            "UPDATE interview_sessions SET risk_stale = true WHERE id = ANY(%s)",
            ([good, bad, other],),
        )
    database = Database.connect(database_url, pool_size=1)
    try:
        assert await refresh_stale(database, _PhonesBreakItModel()) >= 3
    finally:
        await database.dispose()
    with psycopg.connect(database_url) as connection:
        rows = {
            session_id: (score, stale)
            for session_id, score, stale in connection.execute(
                "SELECT id, total_risk_score, risk_stale FROM interview_sessions "
                "WHERE id = ANY(%s)",
                ([good, bad, other],),
            ).fetchall()
        }
    assert float(rows[good][0]) > 0 and float(rows[other][0]) > 0
    assert not any(stale for _, stale in rows.values()), "the bad one waits for its next event"
    assert f"the risk of session {bad} cannot be computed" in caplog.text
