"""The candidate's read-aloud voice print, stored with their session (table voice_enrolments):
the audio worker's verdict in, one row per session (a new reading replaces the old one)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import User, VoiceEnrolmentRow
from interview_monitor.errors import ForbiddenError
from interview_monitor.interviews.service import ensure_in_progress, get_session


async def store_voice_print(
    db: AsyncSession,
    session_id: int,
    actor: User,
    voice_print: tuple[float, ...],
    measures: dict[str, float],
) -> None:
    """Only the session's own candidate enrols, while it is in progress."""
    interview = await get_session(db, session_id, actor)
    if interview.user_id != actor.id:
        raise ForbiddenError("only the session's candidate enrols their voice")
    await ensure_in_progress(db, session_id)
    values = {
        "voice_print": list(voice_print),
        "windows": int(measures["windows"]),
        "min_agreement": Decimal(str(measures["min_agreement"])),
        "speech_s": Decimal(str(measures["speech_s"])),
        "speech_dbfs": Decimal(str(measures["speech_dbfs"])),
    }
    statement = insert(VoiceEnrolmentRow).values(session_id=session_id, **values)
    await db.execute(statement.on_conflict_do_update(index_elements=["session_id"], set_=values))


async def voice_print_of(db: AsyncSession, session_id: int) -> tuple[float, ...] | None:
    stored = await db.scalar(
        select(VoiceEnrolmentRow.voice_print).where(VoiceEnrolmentRow.session_id == session_id)
    )
    return None if stored is None else tuple(float(value) for value in stored)
