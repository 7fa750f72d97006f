"""How an answer arrived, stored beside it: the summary of the page's input events (typed
answers) or the delay before the first speech (spoken ones). Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import AnswerCadence
from interview_monitor.detectors.cadence import InputEvent, summarise
from interview_monitor.interviews.repository import SessionRepository
from interview_monitor.questions.schemas import CadenceRecord


async def store_cadence(
    db: AsyncSession,
    session_id: int,
    answer_id: int,
    question_id: str,
    record: CadenceRecord | None,
    spoken_since: datetime | None,
) -> AnswerCadence | None:
    """The answer's cadence row; None when the page sent no record and nothing was spoken."""
    events = [
        InputEvent(t_ms, chars, kind) for t_ms, chars, kind in (record.events if record else [])
    ]
    repository = SessionRepository(db)
    spoke_at = (
        None if spoken_since is None else await repository.first_speech_at(session_id, spoken_since)
    )
    if spoke_at is not None and spoken_since is not None:
        shown = next((e.t_ms for e in events if e.kind == "shown"), 0.0)
        events.append(
            InputEvent(shown + (spoke_at - spoken_since).total_seconds() * 1000, 0, "speech")
        )
    if not events:
        return None
    summary = summarise(events)
    cadence = AnswerCadence(
        session_id=session_id,
        answer_id=answer_id,
        question_id=question_id,
        verdict=summary.verdict,
        first_key_ms=summary.first_key_ms,
        first_speech_ms=summary.first_speech_ms,
        inserted_chars=summary.inserted_chars,
        typed_chars=summary.typed_chars,
        bulk_chars=summary.bulk_chars,
        cps_bursts_p95=summary.cps_bursts_p95,
        pauses=summary.pauses,
        summary={**summary.to_json(), "truncated": bool(record and record.truncated)},
    )
    await repository.add_cadence(cadence)
    return cadence
