"""Live episodes are stored with their evidence, the risk recomputed, reviewers told."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from interview_monitor.db.engine import Database
from interview_monitor.db.tables import AudioTranscript, FacePoseEvent, InterviewSession, User
from interview_monitor.live.hub import ReviewHub
from interview_monitor.live.store import LIVE_SOURCE, EventStore
from interview_monitor.risk.engine import RiskModel
from interview_monitor.signals import DetectedEvent

pytestmark = pytest.mark.anyio


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database.connect(database_url, 2)
    yield database
    await database.dispose()


async def _session(database: Database) -> int:
    async with database.session() as db:
        user = User(
            username=f"store-{time.time_ns()}",
            email=f"s{time.time_ns()}@example.org",
            password_hash="x",
            full_name="Store Test",
            role="candidate",
        )
        db.add(user)
        await db.flush()
        interview = InterviewSession(user_id=user.id)
        db.add(interview)
        await db.flush()
        return interview.id


def _absent(start_s: float) -> DetectedEvent:
    return DetectedEvent(
        table="face_pose_events",
        start_s=start_s,
        end_s=start_s + 4.0,
        columns={"event_type": "face_absent", "duration_ms": 4000, "severity_score": 3},
        confidence=97.0,
        snapshot_jpeg=b"\xff\xd8\xff\xe0fake\xff\xd9",
    )


async def test_episodes_are_stored_scored_and_published(database: Database) -> None:
    hub = ReviewHub()
    store = EventStore(database, RiskModel(), hub)
    session_id = await _session(database)
    origin = datetime.now(UTC) - timedelta(seconds=30)
    async with hub.subscribe(session_id) as updates:
        received_at = time.time()
        await store(session_id, origin, [_absent(10.0)], received_at)
        message = updates.get_nowait()
    assert message["type"] == "flags" and message["received_at"] == received_at
    assert message["risk"]["total_risk_score"] > 0
    assert message["published_at"] - received_at < 2.0
    assert message["events"][0]["event_type"] == "face_absent"
    async with database.session() as db:
        row = (
            await db.scalars(select(FacePoseEvent).where(FacePoseEvent.session_id == session_id))
        ).one()
        score = await db.scalar(
            select(InterviewSession.total_risk_score).where(InterviewSession.id == session_id)
        )
    assert (
        row.source == LIVE_SOURCE
        and row.snapshot_url
        and row.snapshot_url.startswith("/api/evidence/")
    )
    assert abs((row.timestamp - origin).total_seconds() - 10.0) < 0.01
    assert float(score or 0) == message["risk"]["total_risk_score"]


async def test_a_failed_store_publishes_nothing_and_keeps_the_pipeline_alive(
    database: Database,
) -> None:
    hub = ReviewHub()
    store = EventStore(database, RiskModel(), hub)
    async with hub.subscribe(2_000_000_000) as updates:
        await store(2_000_000_000, datetime.now(UTC), [_absent(1.0)], time.time())
        assert updates.empty()
    async with database.session() as db:
        count = await db.scalar(
            select(func.count())
            .select_from(FacePoseEvent)
            .where(FacePoseEvent.session_id == 2_000_000_000)
        )
    assert count == 0


def _voice(
    key: str, text: str, confidence: float | None, other_voice: bool = True
) -> DetectedEvent:
    return DetectedEvent(
        table="audio_transcripts",
        start_s=12.0,
        end_s=15.5,
        columns={
            "text_content": text,
            "is_multiple_speakers": other_voice,
            "flagged_phrases": ["tell me the answer"] if text else [],
            "client_event_id": key,
        },
        confidence=confidence,
        details={"transcript_pending": True} if not text else {},
    )


async def _transcripts(database: Database, session_id: int) -> list[AudioTranscript]:
    async with database.session() as db:
        query = select(AudioTranscript).where(AudioTranscript.session_id == session_id)
        return list(await db.scalars(query))


async def test_an_early_other_voice_row_is_completed_by_its_transcript(
    database: Database,
) -> None:
    hub = ReviewHub()
    store = EventStore(database, RiskModel(), hub)
    session_id = await _session(database)
    origin = datetime.now(UTC) - timedelta(seconds=30)
    async with hub.subscribe(session_id) as updates:
        await store(session_id, origin, [_voice("k-1", "", None)], time.time())
        early = updates.get_nowait()
        await store(session_id, origin, [_voice("k-1", "Tell me the answer.", 81.0)], time.time())
        later = updates.get_nowait()
    assert early["risk"]["total_risk_score"] > 0, "the other voice counts before its text"
    assert later["risk"]["total_risk_score"] > early["risk"]["total_risk_score"]  # + spoken cue
    [row] = await _transcripts(database, session_id)
    assert row.text_content == "Tell me the answer." and row.is_multiple_speakers
    assert row.flagged_phrases == ["tell me the answer"] and float(row.speaker_confidence) == 81.0
    assert early["stored"]["audio_transcripts"] == [row.id] and later["stored"] == {}


async def test_an_early_row_and_its_transcript_in_one_batch_are_one_row(
    database: Database,
) -> None:
    store = EventStore(database, RiskModel(), ReviewHub())
    session_id = await _session(database)
    origin = datetime.now(UTC)
    batch = [_voice("k-2", "", None), _voice("k-2", "Hello there.", 70.0), _voice("k-3", "", None)]
    await store(session_id, origin, batch, time.time())
    rows = sorted(await _transcripts(database, session_id), key=lambda row: row.id)
    assert [(row.client_event_id, row.text_content) for row in rows] == [
        ("k-2", "Hello there."),
        ("k-3", ""),
    ]


async def test_an_early_row_after_an_other_voice_transcript_changes_nothing(
    database: Database,
) -> None:
    store = EventStore(database, RiskModel(), ReviewHub())
    session_id = await _session(database)
    origin = datetime.now(UTC)
    await store(session_id, origin, [_voice("k-4", "Tell me the answer.", 81.0)], time.time())
    await store(session_id, origin, [_voice("k-4", "", None)], time.time())
    await store(
        session_id, origin, [_voice("k-5", "Hello.", 60.0), _voice("k-5", "", None)], time.time()
    )
    rows = sorted(await _transcripts(database, session_id), key=lambda row: row.id)
    assert [(row.client_event_id, row.text_content, row.flagged_phrases) for row in rows] == [
        ("k-4", "Tell me the answer.", ["tell me the answer"]),
        ("k-5", "Hello.", ["tell me the answer"]),
    ]


async def test_an_early_row_after_a_plain_transcript_marks_it_as_another_voice(
    database: Database,
) -> None:
    """A first short whisper is transcribed as the candidate's speech; a later segment gives
    the session enough evidence of a second voice, and the audio session reports the earlier
    segment then: its stored row is marked, its text kept."""
    hub = ReviewHub()
    store = EventStore(database, RiskModel(), hub)
    session_id = await _session(database)
    origin = datetime.now(UTC)
    plain = _voice("k-6", "Tell me the answer.", 81.0, other_voice=False)
    async with hub.subscribe(session_id) as updates:
        await store(session_id, origin, [plain], time.time())
        before = updates.get_nowait()
        # The late early row carries the transcript's confidence, as the row would have had.
        await store(session_id, origin, [_voice("k-6", "", 81.0)], time.time())
        after = updates.get_nowait()
    [row] = await _transcripts(database, session_id)
    assert row.is_multiple_speakers and row.text_content == "Tell me the answer."
    assert float(row.speaker_confidence) == 81.0
    assert after["risk"]["total_risk_score"] > before["risk"]["total_risk_score"]
    assert after["stored"] == {}


async def test_a_plain_transcript_and_a_later_early_row_in_one_batch_are_one_marked_row(
    database: Database,
) -> None:
    store = EventStore(database, RiskModel(), ReviewHub())
    session_id = await _session(database)
    origin = datetime.now(UTC)
    plain = _voice("k-7", "Tell me the answer.", 64.0, other_voice=False)
    for batch in ([plain, _voice("k-7", "", 64.0)], [plain], [plain, _voice("k-7", "", 64.0)]):
        await store(session_id, origin, batch, time.time())
        [row] = await _transcripts(database, session_id)
        assert row.text_content == "Tell me the answer."
        assert row.is_multiple_speakers is (len(batch) == 2)
        assert row.speaker_confidence is None or float(row.speaker_confidence) == 64.0
