"""`purge` deletes the recording files of the sessions it deletes, and of any session gone."""

from __future__ import annotations

from pathlib import Path

import psycopg

from interview_monitor.playback.storage import FileRecordingStore
from tests.test_cli import clean_users, run

__all__ = ["clean_users"]


def test_purge_removes_the_recordings_of_purged_and_deleted_sessions(
    clean_users: str, tmp_path: Path, test_data: Path
) -> None:
    from tests.playback.webm_files import webm_segment

    with psycopg.connect(clean_users) as connection:
        connection.execute(
            "INSERT INTO users (username, email, password_hash, full_name) VALUES ('c', 'c@c.io', 'h', 'C')"
        )
        old, recent = (
            row[0]
            for row in connection.execute(
                "INSERT INTO interview_sessions (user_id, start_time, end_time, status) VALUES "
                "(1, now() - interval '40 days', now() - interval '40 days', 'COMPLETED'), "
                "(1, now() - interval '2 days', now() - interval '2 days', 'COMPLETED') "
                "RETURNING id"
            ).fetchall()
        )
    store = FileRecordingStore(tmp_path / "home" / "recordings")
    segment = webm_segment(test_data, 1.0)
    deleted_meanwhile = recent + 1000  # files whose session was deleted some other way
    for session_id in (old, recent, deleted_meanwhile):
        store.put(session_id, 0, segment)
    result = run(["purge", "--days", "30"], clean_users, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "deleted the recordings of 2 session(s)" in result.stdout
    assert store.session_ids() == {recent}
    assert store.get(f"{recent}/000000.webm") == segment
