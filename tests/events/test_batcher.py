from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest
from sqlalchemy.exc import DataError

from interview_monitor.db.engine import Database
from interview_monitor.errors import ConflictError, UnavailableError
from interview_monitor.events.batcher import IngestBatcher
from interview_monitor.events.schemas import AudioTranscriptPayload, IngestResult
from tests.events.helpers import add_sessions, stored_count

pytestmark = pytest.mark.anyio


@pytest.fixture
async def batcher(database_url: str) -> AsyncIterator[IngestBatcher]:
    database = Database.connect(database_url, pool_size=2)
    batcher = IngestBatcher(database)
    batcher.start()
    try:
        yield batcher
    finally:
        await batcher.stop()
        await database.dispose()


def _said(session_id: int, text: str, event_id: str | None = None) -> AudioTranscriptPayload:
    return AudioTranscriptPayload(session_id=session_id, text_content=text, event_id=event_id)


async def test_concurrent_requests_share_transactions_and_each_gets_its_own_ids(
    batcher: IngestBatcher, database_url: str
) -> None:
    (session_id,) = add_sessions(database_url, ["IN_PROGRESS"])
    results = await asyncio.gather(
        *(batcher.submit([_said(session_id, f"answer {n}", f"e{n}")]) for n in range(200))
    )
    assert all(result.stored == 1 and len(result.ids) == 1 for result in results)
    with psycopg.connect(database_url) as connection:
        stored = dict(
            connection.execute(
                "SELECT id, text_content FROM audio_transcripts WHERE session_id = %s",
                (session_id,),
            ).fetchall()
        )
    assert [stored[result.ids[0]] for result in results] == [f"answer {n}" for n in range(200)]
    assert stored_count(database_url, "audio_transcripts", session_id) == 200
    assert batcher.requests == 200 and batcher.batches < 200
    retried = await asyncio.gather(
        *(batcher.submit([_said(session_id, "again", f"e{n}")]) for n in range(50))
    )
    assert all((result.stored, result.duplicates) == (0, 1) for result in retried)


async def test_a_request_the_database_refuses_fails_alone(
    batcher: IngestBatcher, database_url: str
) -> None:
    live, ended = add_sessions(database_url, ["IN_PROGRESS", "ABANDONED"])
    outcomes = await asyncio.gather(
        *(batcher.submit([_said(live, f"fine {n}")]) for n in range(20)),
        # Validation refuses a NUL now; built without it, the value reaches PostgreSQL.
        batcher.submit(
            [AudioTranscriptPayload.model_construct(session_id=live, text_content="NUL \x00")]
        ),
        batcher.submit([_said(ended, "too late")]),
        return_exceptions=True,
    )
    *fine, nul, late = outcomes
    assert all(isinstance(result, IngestResult) and result.stored == 1 for result in fine)
    assert isinstance(nul, DataError)
    assert isinstance(late, ConflictError)
    assert stored_count(database_url, "audio_transcripts", live) == 20


async def test_stop_stores_what_is_queued_and_refuses_more(database_url: str) -> None:
    (session_id,) = add_sessions(database_url, ["IN_PROGRESS"])
    database = Database.connect(database_url, pool_size=1)
    batcher = IngestBatcher(database)
    batcher.start()
    pending = [asyncio.ensure_future(batcher.submit([_said(session_id, "x")])) for _ in range(30)]
    await asyncio.sleep(0)
    await batcher.stop()
    assert all(task.result().stored == 1 for task in pending)
    with pytest.raises(UnavailableError, match="shutting down"):
        await batcher.submit([_said(session_id, "y")])
    await database.dispose()
    assert stored_count(database_url, "audio_transcripts", session_id) == 30
