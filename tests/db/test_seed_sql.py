"""The seed's "Main SQL Operations" and "Test It" statements, run unchanged."""

from __future__ import annotations

import subprocess

import psycopg
import pytest

from tests.conftest import database_name, drop_database, recreate_database
from tests.db.test_migrate import SEED_TABLES, STRUCTURE_FILE, psql_binary

TEST_IT = """
-- Create user
INSERT INTO users (username, email, password_hash, full_name)
VALUES ('test', 'test@test.com', 'hash', 'Test User') RETURNING id;

-- Start session
INSERT INTO interview_sessions (user_id) VALUES (1) RETURNING id;

-- Log events
INSERT INTO object_detection_events (session_id, object_detected, confidence_score)
VALUES (1, 'cell phone', 95.5);

-- Check results
SELECT * FROM view_candidate_risk_summary WHERE session_id = 1;
"""

MAIN_OPERATIONS = [
    (
        "INSERT INTO interview_sessions (user_id, status) VALUES (?, 'IN_PROGRESS') RETURNING id;",
        ("user",),
    ),
    (
        "INSERT INTO object_detection_events (session_id, object_detected, confidence_score) VALUES (?, ?, ?);",
        ("session", "cell phone", 95.5),
    ),
    (
        "INSERT INTO face_pose_events (session_id, event_type, severity_score) VALUES (?, ?, ?);",
        ("session", "looking_away", 4),
    ),
    (
        "INSERT INTO audio_transcripts (session_id, text_content, is_multiple_speakers) VALUES (?, ?, ?);",
        ("session", "My answer is...", False),
    ),
    (
        "INSERT INTO answer_evaluations (session_id, ai_relevance_score, ai_feedback) VALUES (?, ?, ?);",
        ("session", 85.5, "Good understanding..."),
    ),
    ("UPDATE interview_sessions SET total_risk_score = ? WHERE id = ?;", (42.5, "session")),
    (
        "UPDATE interview_sessions SET end_time = NOW(), status = 'COMPLETED' WHERE id = ?;",
        ("session",),
    ),
]


@pytest.fixture(params=["psql-file", "migrations"])
def seed_db(request: pytest.FixtureRequest, pg_admin_url: str, worker_id: str):
    from interview_monitor.db.migrate import upgrade

    name = database_name("im_seed", worker_id)
    url = recreate_database(pg_admin_url, name)
    if request.param == "psql-file":
        subprocess.run(
            [
                psql_binary(),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                url,
                "-f",
                str(STRUCTURE_FILE),
            ],
            check=True,
            capture_output=True,
        )
    else:
        upgrade(url)
    yield url
    drop_database(pg_admin_url, name)


def test_the_test_it_block_runs_through_psql_as_written(seed_db: str) -> None:
    result = subprocess.run(
        [psql_binary(), "-X", "-v", "ON_ERROR_STOP=1", "-d", seed_db],
        input=TEST_IT,
        text=True,
        capture_output=True,
        check=True,
    )
    assert "Test User" in result.stdout
    with psycopg.connect(seed_db) as connection:
        row = connection.execute(
            "SELECT full_name, email, phone_detection_count, suspicious_face_movements, total_risk_score "
            "FROM view_candidate_risk_summary WHERE session_id = 1"
        ).fetchone()
    assert row is not None
    assert row[:4] == ("Test User", "test@test.com", 1, 0)
    assert float(row[4]) == 0.0
    tables = subprocess.run(
        [psql_binary(), "-X", "-d", seed_db, "-c", r"\dt"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout
    for table in SEED_TABLES:
        assert f" {table} " in tables


def test_main_sql_operations_run_unchanged_and_read_back(seed_db: str) -> None:
    with psycopg.connect(seed_db) as connection:
        user_id = connection.execute(
            "INSERT INTO users (username, email, password_hash, full_name) "
            "VALUES ('omsrikar', 'o@example.org', 'hash', 'Backend Team') RETURNING id"
        ).fetchone()[0]
        session_id = None
        for statement, values in MAIN_OPERATIONS:
            params = [
                user_id if v == "user" else session_id if v == "session" else v for v in values
            ]
            cursor = connection.execute(statement.replace("?", "%s"), params)
            if "RETURNING id" in statement:
                session_id = cursor.fetchone()[0]
        summary = connection.execute(
            "SELECT status, total_risk_score, phone_detection_count, suspicious_face_movements, "
            "transcript_count, answer_count, mean_relevance_score, end_time IS NOT NULL "
            "FROM view_candidate_risk_summary WHERE session_id = %s",
            (session_id,),
        ).fetchone()
    assert summary is not None
    status, score, phones, severe, transcripts, answers, relevance, ended = summary
    assert (
        status,
        float(score),
        phones,
        severe,
        transcripts,
        answers,
        float(relevance),
        ended,
    ) == (
        "COMPLETED",
        42.5,
        1,
        1,
        1,
        1,
        85.5,
        True,
    )


def test_view_counts_are_exact_with_several_events_of_each_kind(seed_db: str) -> None:
    with psycopg.connect(seed_db) as connection:
        user_id = connection.execute(
            "INSERT INTO users (username, email, password_hash, full_name) "
            "VALUES ('many', 'many@example.org', 'hash', 'Many Events') RETURNING id"
        ).fetchone()[0]
        session_id = connection.execute(
            "INSERT INTO interview_sessions (user_id) VALUES (%s) RETURNING id", (user_id,)
        ).fetchone()[0]
        for _ in range(2):
            connection.execute(
                "INSERT INTO object_detection_events (session_id, object_detected, confidence_score) "
                "VALUES (%s, 'cell phone', 90)",
                (session_id,),
            )
        connection.execute(
            "INSERT INTO object_detection_events (session_id, object_detected, confidence_score) "
            "VALUES (%s, 'person', 70)",
            (session_id,),
        )
        for severity in (4, 5, 5, 2):
            connection.execute(
                "INSERT INTO face_pose_events (session_id, event_type, severity_score) VALUES (%s, 'looking_away', %s)",
                (session_id, severity),
            )
        for multiple in (True, False, True):
            connection.execute(
                "INSERT INTO audio_transcripts (session_id, text_content, is_multiple_speakers) VALUES (%s, 'x', %s)",
                (session_id, multiple),
            )
        for score in (80, 60):
            connection.execute(
                "INSERT INTO answer_evaluations (session_id, ai_relevance_score) VALUES (%s, %s)",
                (session_id, score),
            )
        row = connection.execute(
            "SELECT phone_detection_count, extra_person_count, suspicious_face_movements, looking_away_count, "
            "transcript_count, multiple_speaker_segments, answer_count, mean_relevance_score "
            "FROM view_candidate_risk_summary WHERE session_id = %s",
            (session_id,),
        ).fetchone()
    assert row is not None
    assert row[:7] == (2, 1, 3, 4, 3, 2, 2)
    assert float(row[7]) == 70.0


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        (
            "INSERT INTO object_detection_events (session_id, object_detected, confidence_score) VALUES (1, 'x', 101)",
            "confidence",
        ),
        (
            "INSERT INTO face_pose_events (session_id, event_type, severity_score) VALUES (1, 'x', 6)",
            "severity",
        ),
        (
            "INSERT INTO face_pose_events (session_id, event_type, duration_ms) VALUES (1, 'x', -1)",
            "duration",
        ),
        (
            "INSERT INTO answer_evaluations (session_id, ai_relevance_score) VALUES (1, -0.5)",
            "relevance",
        ),
        ("UPDATE interview_sessions SET status = 'PAUSED' WHERE id = 1", "status"),
        (
            "INSERT INTO object_detection_events (session_id, object_detected, confidence_score) VALUES (999, 'x', 1)",
            "fkey",
        ),
    ],
)
def test_constraints_refuse_out_of_range_values(
    seed_db: str, statement: str, constraint: str
) -> None:
    with psycopg.connect(seed_db) as connection:
        connection.execute(
            "INSERT INTO users (username, email, password_hash, full_name) VALUES ('c', 'c@c.io', 'h', 'C')"
        )
        connection.execute("INSERT INTO interview_sessions (user_id) VALUES (1)")
        with pytest.raises(psycopg.errors.IntegrityError, match=constraint):
            connection.execute(statement)


def test_deleting_a_user_removes_all_of_their_data(seed_db: str) -> None:
    with psycopg.connect(seed_db) as connection:
        connection.execute(
            "INSERT INTO users (username, email, password_hash, full_name) VALUES ('gone', 'g@g.io', 'h', 'G')"
        )
        connection.execute("INSERT INTO interview_sessions (user_id) VALUES (1)")
        connection.execute(
            "INSERT INTO object_detection_events (session_id, object_detected, confidence_score) VALUES (1, 'cell phone', 90)"
        )
        connection.execute(
            "INSERT INTO evidence_snapshots (id, session_id, data) VALUES (gen_random_uuid(), 1, 'x')"
        )
        connection.execute("DELETE FROM users WHERE id = 1")
        remaining = connection.execute(
            "SELECT (SELECT count(*) FROM interview_sessions) + (SELECT count(*) FROM object_detection_events) "
            "+ (SELECT count(*) FROM evidence_snapshots)"
        ).fetchone()[0]
    assert remaining == 0


def test_view_counts_the_second_wave_signals_exactly(seed_db: str) -> None:
    with psycopg.connect(seed_db) as connection:
        user_id = connection.execute(
            "INSERT INTO users (username, email, password_hash, full_name) "
            "VALUES ('wave', 'wave@example.org', 'hash', 'Second Wave') RETURNING id"
        ).fetchone()[0]
        session_id = connection.execute(
            "INSERT INTO interview_sessions (user_id) VALUES (%s) RETURNING id", (user_id,)
        ).fetchone()[0]
        for event_type in (
            "identity_mismatch",
            "identity_mismatch",
            "camera_blocked",
            "frozen_video",
        ):
            connection.execute(
                "INSERT INTO face_pose_events (session_id, event_type) VALUES (%s, %s)",
                (session_id, event_type),
            )
        for dismissed in (False, False, True):
            connection.execute(
                "INSERT INTO audio_transcripts (session_id, text_content, is_voice_mismatch, dismissed_at) "
                "VALUES (%s, 'x', true, CASE WHEN %s THEN now() END)",
                (session_id, dismissed),
            )
        for event_type in ("heartbeat", "heartbeat", "page_hidden", "paste", "page_tampered"):
            connection.execute(
                "INSERT INTO browser_events (session_id, event_type) VALUES (%s, %s)",
                (session_id, event_type),
            )
        for verdict in ("pasted_in_one_go", "typed_at_human_speed"):
            answer_id = connection.execute(
                "INSERT INTO answer_evaluations (session_id, ai_relevance_score) VALUES (%s, 50) RETURNING id",
                (session_id,),
            ).fetchone()[0]
            connection.execute(
                "INSERT INTO answer_cadence (session_id, answer_id, verdict) VALUES (%s, %s, %s)",
                (session_id, answer_id, verdict),
            )
        row = connection.execute(
            "SELECT identity_mismatch_count, camera_tamper_count, lip_motion_mismatch_count, "
            "voice_mismatch_segments, browser_flag_count, page_tampered_count, shared_answer_count, "
            "pasted_answer_count, face_event_count, answer_count "
            "FROM view_candidate_risk_summary WHERE session_id = %s",
            (session_id,),
        ).fetchone()
    assert row == (2, 2, 0, 2, 3, 1, 0, 1, 4, 2)
