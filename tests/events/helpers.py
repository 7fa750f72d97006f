"""Rows the event tests need, written straight to the database."""

from __future__ import annotations

import psycopg


def add_sessions(database_url: str, statuses: list[str]) -> list[int]:
    """A fresh candidate with one session per status given; returns the session ids."""
    with psycopg.connect(database_url) as connection:
        user_id = connection.execute(
            "INSERT INTO users (username, email, password_hash, full_name) "
            "VALUES ('u' || gen_random_uuid(), gen_random_uuid() || '@example.org', 'x', 'U') "
            "RETURNING id"
        ).fetchone()[0]
        return [
            connection.execute(
                "INSERT INTO interview_sessions (user_id, status, end_time) "
                "VALUES (%s, %s, CASE WHEN %s = 'IN_PROGRESS' THEN NULL ELSE now() END) "
                "RETURNING id",
                (user_id, status, status),
            ).fetchone()[0]
            for status in statuses
        ]


def stored_count(database_url: str, table: str, session_id: int) -> int:
    with psycopg.connect(database_url) as connection:
        count: int = connection.execute(
            f"SELECT count(*) FROM {table} WHERE session_id = %s", (session_id,)
        ).fetchone()[0]
        return count
