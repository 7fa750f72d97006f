"""Session checks for streams, straight against the database."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from interview_monitor.db.engine import Database
from interview_monitor.db.tables import InterviewSession, User
from interview_monitor.streaming.auth import session_for_candidate
from interview_monitor.streaming.protocol import CloseCode, StreamClosed

pytestmark = pytest.mark.anyio


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database.connect(database_url, 2)
    yield database
    await database.dispose()


async def _user(database: Database, role: str) -> User:
    async with database.session() as db:
        user = User(
            username=f"{role}-{time.time_ns()}",
            email=f"{time.time_ns()}@example.org",
            password_hash="x",
            full_name=role,
            role=role,
        )
        db.add(user)
        await db.flush()
        return user


async def test_codes_for_the_wrong_user_and_an_ended_session(database: Database) -> None:
    owner = await _user(database, "candidate")
    other = await _user(database, "candidate")
    async with database.session() as db:
        interview = InterviewSession(user_id=owner.id, status="COMPLETED")
        db.add(interview)
        await db.flush()
    with pytest.raises(StreamClosed) as forbidden:
        await session_for_candidate(database, interview.id, other)
    assert forbidden.value.code == CloseCode.FORBIDDEN
    with pytest.raises(StreamClosed) as ended:
        await session_for_candidate(database, interview.id, owner)
    assert ended.value.code == CloseCode.SESSION_ENDED
    with pytest.raises(StreamClosed) as unknown:
        await session_for_candidate(database, 2_000_000_000, owner)
    assert unknown.value.code == CloseCode.UNKNOWN_SESSION
