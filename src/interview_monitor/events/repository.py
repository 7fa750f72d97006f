"""The event tables. Batched writes: one INSERT ... SELECT FROM unnest(...) per table per batch.

A batch costs one round trip whatever its size, and ON CONFLICT on (session_id,
client_event_id) makes retried deliveries harmless. Each row's id comes back in input order,
so rows of several requests can share one statement.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import AudioTranscript
from interview_monitor.interviews.statuses import SessionStatus


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    default_sql: str | None = None

    def select_expression(self) -> str:
        value = f'u."{self.name}"'
        return f"COALESCE({value}, {self.default_sql})" if self.default_sql else value


_COMMON = (
    Column("session_id", "int"),
    Column("source", "text", "'external'"),
    Column("client_event_id", "text"),
)

TABLE_COLUMNS: dict[str, tuple[Column, ...]] = {
    "object_detection_events": (
        *_COMMON,
        Column("timestamp", "timestamptz", "now()"),
        Column("object_detected", "text"),
        Column("confidence_score", "numeric"),
        Column("duration_ms", "int", "0"),
        Column("snapshot_url", "text"),
    ),
    "face_pose_events": (
        *_COMMON,
        Column("timestamp", "timestamptz", "now()"),
        Column("event_type", "text"),
        Column("duration_ms", "int", "0"),
        Column("severity_score", "int", "1"),
        Column("confidence_score", "numeric"),
        Column("snapshot_url", "text"),
    ),
    "audio_transcripts": (
        *_COMMON,
        Column("start_timestamp", "timestamptz"),
        Column("end_timestamp", "timestamptz"),
        Column("text_content", "text"),
        Column("is_multiple_speakers", "boolean", "false"),
        Column("is_voice_mismatch", "boolean", "false"),
        Column("flagged_phrases", "text"),
        Column("speaker_confidence", "numeric"),
    ),
    "answer_evaluations": (
        *_COMMON,
        Column("question_id", "text"),
        Column("candidate_answer", "text"),
        Column("ai_relevance_score", "numeric"),
        Column("ai_feedback", "text"),
        Column("question_text", "text"),
    ),
    "browser_events": (
        *_COMMON,
        Column("timestamp", "timestamptz", "now()"),
        Column("event_type", "text"),
        Column("duration_ms", "int", "0"),
        Column("details", "jsonb", "jsonb_build_object()"),
    ),
}

# text[] cannot be unnested as an element of a text[][]; phrases travel as one JSON string each.
_JSON_ARRAY_COLUMNS = {"flagged_phrases"}
# jsonb values travel as their JSON text.
_JSON_COLUMNS = {"details"}


def _insert_sql(table: str, guarded: bool) -> str:
    """INSERT ... SELECT FROM unnest(...) for `table`.

    Guarded, every row also carries the index of the request it came from: a request naming a
    session that is missing or not in progress stores nothing, the sessions of stored rows are
    marked for a risk refresh, and all of it is one statement, one round trip.
    """
    columns = TABLE_COLUMNS[table]
    names = ", ".join(f'"{c.name}"' for c in columns)
    arrays = ", ".join(f"CAST(:{c.name} AS {c.sql_type}[])" for c in columns)
    aliases = ", ".join(f'"{c.name}"' for c in columns)
    selects = ", ".join(
        "ARRAY(SELECT jsonb_array_elements_text(COALESCE(u.flagged_phrases::jsonb, '[]')))"
        if c.name in _JSON_ARRAY_COLUMNS
        else c.select_expression()
        for c in columns
    )
    # Rows go in by ordinality, so their serial ids rise in input order: the same guarantee
    # SQLAlchemy's insertmanyvalues relies on to match RETURNING rows to parameter sets.
    insert = (
        f"INSERT INTO {table} ({names}) SELECT {selects} FROM {{source}} ORDER BY u.ord "
        "ON CONFLICT (session_id, client_event_id) DO NOTHING "
        "RETURNING id, session_id, client_event_id"
    )
    if not guarded:
        return insert.format(source=f"unnest({arrays}) WITH ORDINALITY AS u({aliases}, ord)")
    # Row locks on sessions are always taken in id order (here and in SessionRepository.lock),
    # so no two transactions can wait for each other in a cycle. FOR KEY SHARE: a session
    # cannot end under the batch, yet the refresher can still claim it. Only sessions not yet
    # stale are locked for the update that marks them.
    return (
        f"WITH input AS (SELECT * FROM unnest({arrays}, CAST(:request AS int[])) "
        f"WITH ORDINALITY AS u({aliases}, request, ord)), "
        "open_sessions AS (SELECT id FROM interview_sessions "
        f"WHERE id IN (SELECT session_id FROM input) AND status = '{SessionStatus.IN_PROGRESS}' "
        "ORDER BY id FOR KEY SHARE), "
        "refused AS (SELECT DISTINCT request FROM input "
        "WHERE session_id NOT IN (SELECT id FROM open_sessions)), "
        "inserted AS ("
        + insert.format(source="input AS u WHERE u.request NOT IN (SELECT request FROM refused)")
        + "), marked AS (UPDATE interview_sessions SET risk_stale = true "
        "WHERE id IN (SELECT id FROM interview_sessions "
        "WHERE id IN (SELECT session_id FROM inserted) AND NOT risk_stale "
        "ORDER BY id FOR NO KEY UPDATE)) "
        "SELECT id, session_id, client_event_id, NULL::int AS refused FROM inserted "
        "UNION ALL SELECT NULL, NULL, NULL, request FROM refused"
    )


_INSERTS = {table: text(_insert_sql(table, guarded=False)) for table in TABLE_COLUMNS}
_GUARDED_INSERTS = {table: text(_insert_sql(table, guarded=True)) for table in TABLE_COLUMNS}


def _column_arrays(table: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    arrays: dict[str, list[Any]] = {}
    for column in TABLE_COLUMNS[table]:
        values = [row.get(column.name) for row in rows]
        if column.name in _JSON_ARRAY_COLUMNS:
            values = [None if v is None else json.dumps(list(v)) for v in values]
        elif column.name in _JSON_COLUMNS:
            values = [None if v is None else json.dumps(v) for v in values]
        arrays[column.name] = values
    return arrays


async def write_events(
    session: AsyncSession, table: str, rows: Sequence[Mapping[str, Any]]
) -> list[int | None]:
    """Insert rows (dicts of column values) into an event table.

    Returns each row's new id, in the order of `rows`, or None for a row whose
    (session_id, client_event_id) was already stored or came earlier in `rows`.
    """
    if not rows:
        return []
    result = await session.execute(_INSERTS[table], _column_arrays(table, rows))
    return _ids_in_input_order(table, rows, [tuple(row) for row in result])


async def write_requests(
    session: AsyncSession, table: str, rows: Sequence[Mapping[str, Any]], requests: Sequence[int]
) -> tuple[list[int | None], set[int]]:
    """Insert the rows of several requests (`requests[i]` is row i's request) in one statement.

    A request that names a session which is missing or not in progress is refused whole; the
    sessions of stored rows are marked stale. Returns the ids as `write_events` does (None
    also for the rows of refused requests) and the refused requests.
    """
    if not rows:
        return [], set()
    result = await session.execute(
        _GUARDED_INSERTS[table], {**_column_arrays(table, rows), "request": list(requests)}
    )
    returned: list[tuple[Any, ...]] = []
    refused: set[int] = set()
    for row in result:
        if row[3] is None:
            returned.append(tuple(row[:3]))
        else:
            refused.add(row[3])
    kept = [row for row, request in zip(rows, requests, strict=True) if request not in refused]
    kept_ids = iter(_ids_in_input_order(table, kept, returned))
    ids = [None if request in refused else next(kept_ids) for request in requests]
    return ids, refused


def _ids_in_input_order(
    table: str, rows: Sequence[Mapping[str, Any]], returned: list[tuple[Any, ...]]
) -> list[int | None]:
    """Match RETURNING (id, session_id, client_event_id) rows to the rows sent."""
    returned = sorted(returned, key=lambda row: int(row[0]))
    new_keys = {(row[1], row[2]) for row in returned if row[2] is not None}
    seen: set[tuple[int, str | None]] = set()
    inserted: list[bool] = []
    for row in rows:
        key = (row["session_id"], row.get("client_event_id"))
        inserted.append(key[1] is None or (key in new_keys and key not in seen))
        seen.add(key)
    if sum(inserted) != len(returned):
        raise RuntimeError(f"{table}: {len(returned)} rows stored, {sum(inserted)} expected")
    ids = iter(int(row[0]) for row in returned)
    return [next(ids) if was_inserted else None for was_inserted in inserted]


_RECENT_HEARTBEATS = text(
    'SELECT session_id, "timestamp", details FROM ('
    'SELECT session_id, "timestamp", details, row_number() OVER '
    '(PARTITION BY session_id ORDER BY "timestamp" DESC, id DESC) AS newest '
    "FROM browser_events WHERE session_id = ANY(:ids) AND event_type = 'heartbeat') h "
    'WHERE newest <= :per_session ORDER BY session_id, "timestamp"'
)


async def recent_heartbeats(
    session: AsyncSession, session_ids: Sequence[int], per_session: int
) -> dict[int, list[tuple[datetime, dict[str, Any]]]]:
    """The newest heartbeats of each session, oldest first: (time, details)."""
    found: dict[int, list[tuple[datetime, dict[str, Any]]]] = {}
    result = await session.execute(
        _RECENT_HEARTBEATS, {"ids": list(session_ids), "per_session": per_session}
    )
    for session_id, at, details in result:
        found.setdefault(session_id, []).append((at, details))
    return found


async def stored_transcript_keys(
    session: AsyncSession, session_id: int, keys: Sequence[str]
) -> set[str]:
    """Which of these `client_event_id`s the session's stored transcripts already have."""
    stored = await session.scalars(
        select(AudioTranscript.client_event_id).where(
            AudioTranscript.session_id == session_id, AudioTranscript.client_event_id.in_(keys)
        )
    )
    return {key for key in stored if key is not None}


async def mark_early(
    session: AsyncSession,
    session_id: int,
    key: str,
    marks: Sequence[str],
    phrases: Sequence[str],
    speaker_confidence: float | None,
) -> None:
    """Add an early row's findings to a stored transcript, keeping its text: the voice marks
    it sets (is_multiple_speakers, is_voice_mismatch), the cue phrases not there yet, and a
    confidence if the row has none."""
    values: dict[str, Any] = {mark: True for mark in marks}
    if "is_voice_mismatch" in marks:
        # Someone else answering is not also "another voice present" (the detector's rule).
        values["is_multiple_speakers"] = False
    if marks:
        values["speaker_confidence"] = func.coalesce(
            AudioTranscript.speaker_confidence, speaker_confidence
        )
    if phrases:
        stored = await session.scalar(
            select(AudioTranscript.flagged_phrases).where(
                AudioTranscript.session_id == session_id, AudioTranscript.client_event_id == key
            )
        )
        known = list(stored or [])
        values["flagged_phrases"] = known + [p for p in phrases if p not in known]
    if values:
        await update_transcript(session, session_id, key, values)


async def update_transcript(
    session: AsyncSession, session_id: int, key: str, values: Mapping[str, Any]
) -> None:
    await session.execute(
        update(AudioTranscript)
        .where(AudioTranscript.session_id == session_id, AudioTranscript.client_event_id == key)
        .values(**values)
    )
