"""The `interview-monitor` command, run as a user runs it: a real process, a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(
    args: list[str], database_url: str | None, tmp_path: Path, stdin: str = "", timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("INTERVIEW_MONITOR_") and k != "DATABASE_URL"
    }
    env["INTERVIEW_MONITOR_HOME"] = str(tmp_path / "home")
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "interview_monitor", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def clean_users(database_url: str) -> str:
    with psycopg.connect(database_url) as connection:
        connection.execute(
            "TRUNCATE users, interview_sessions, interview_questions RESTART IDENTITY CASCADE"
        )
    return database_url


def test_user_add_creates_an_account_with_a_hashed_password(
    clean_users: str, tmp_path: Path
) -> None:
    result = run(
        [
            "user",
            "add",
            "dana",
            "--email",
            "dana@example.org",
            "--full-name",
            "Dana Scully",
            "--role",
            "interviewer",
            "--password-stdin",
        ],
        clean_users,
        tmp_path,
        stdin="trustno1-trustno1\n",
    )
    assert result.returncode == 0, result.stderr
    assert "created interviewer dana" in result.stdout
    with psycopg.connect(clean_users) as connection:
        row = connection.execute(
            "SELECT role, full_name, password_hash FROM users WHERE username = 'dana'"
        ).fetchone()
    assert row[0:2] == ("interviewer", "Dana Scully") and row[2].startswith("$argon2")
    again = run(
        [
            "user",
            "add",
            "dana",
            "--email",
            "d2@example.org",
            "--full-name",
            "D",
            "--role",
            "candidate",
            "--password-stdin",
        ],
        clean_users,
        tmp_path,
        stdin="trustno1-trustno1\n",
    )
    assert again.returncode == 1 and "username already exists" in _one_line_error(again)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            [
                "user",
                "add",
                "x",
                "--email",
                "x@example.org",
                "--full-name",
                "X",
                "--role",
                "king",
                "--password-stdin",
            ],
            2,
            "invalid choice",
        ),
        (["user", "add", "x", "--full-name", "X", "--role", "candidate"], 2, "--email"),
        (
            [
                "user",
                "add",
                "x",
                "--email",
                "not-an-email",
                "--full-name",
                "X",
                "--role",
                "candidate",
                "--password-stdin",
            ],
            1,
            "email",
        ),
        (
            [
                "user",
                "add",
                "x",
                "--email",
                "x@example.org",
                "--full-name",
                "X",
                "--role",
                "candidate",
            ],
            1,
            "--password-stdin",
        ),
        (["frobnicate"], 2, "invalid choice"),
        (["analyze", "/no/such/file.mp4", "--json"], 1, "no such file"),
        (["analyze", "pyproject.toml"], 1, "unsupported file type"),
        (["analyze", "x.png", "--store"], 1, "--user"),
        (["evaluate", "--question", "What is a stack?"], 1, "--answer"),
        (["purge", "--days", "0"], 1, "--days"),
        (["purge", "--days", "99999999999"], 1, "--days"),
        (["analyze", "x.png", "--fps", "nan"], 1, "--fps"),
    ],
)
def test_bad_arguments_give_one_clear_line_and_a_non_zero_exit(
    clean_users: str, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    result = run(args, clean_users, tmp_path, stdin="")
    assert result.returncode == code
    assert message in _one_line_error(result)


def test_db_url_redacts_the_password_and_refuses_other_schemes(tmp_path: Path) -> None:
    shown = run(
        ["db", "url"],
        "postgresql://app:s3cret@db.example.org:5432/interview_db?sslmode=require",
        tmp_path,
    )
    assert shown.returncode == 0
    assert (
        shown.stdout.strip()
        == "postgresql://app:***@db.example.org:5432/interview_db?sslmode=require"
    )
    wrong = run(["db", "url"], "mysql://app:x@db/interview_db", tmp_path)
    assert wrong.returncode == 1 and "postgresql://" in _one_line_error(wrong)


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = run(
        ["db", "upgrade"],
        "postgresql://nobody@127.0.0.1:1/interview_db?connect_timeout=2",
        tmp_path,
    )
    assert result.returncode == 1 and "cannot reach the database" in _one_line_error(result)


def test_db_upgrade_and_structure(database_url: str, tmp_path: Path) -> None:
    upgraded = run(["db", "upgrade"], database_url, tmp_path)
    assert upgraded.returncode == 0 and "0 migration(s) applied now" in upgraded.stdout
    structure = run(["db", "structure"], None, tmp_path)
    assert structure.stdout == (ROOT / "interview_db_final_structure.sql").read_text()


def test_purge_deletes_only_ended_sessions_older_than_the_retention(
    clean_users: str, tmp_path: Path
) -> None:
    with psycopg.connect(clean_users) as connection:
        connection.execute(
            "INSERT INTO users (username, email, password_hash, full_name) VALUES ('old', 'o@o.io', 'h', 'O')"
        )
        connection.execute(
            "INSERT INTO interview_sessions (user_id, start_time, end_time, status) VALUES "
            "(1, now() - interval '40 days', now() - interval '40 days', 'COMPLETED'), "
            "(1, now() - interval '2 days', now() - interval '2 days', 'COMPLETED'), "
            "(1, now() - interval '90 days', NULL, 'IN_PROGRESS')"
        )
    result = run(["purge", "--days", "30"], clean_users, tmp_path)
    assert result.returncode == 0 and "deleted 1 session" in result.stdout
    with psycopg.connect(clean_users) as connection:
        assert connection.execute("SELECT count(*) FROM interview_sessions").fetchone() == (2,)


def test_evaluate_jsonl_adds_scores_and_feedback(tmp_path: Path) -> None:
    lines = [
        {
            "question": "What is a stack?",
            "reference_answer": "A last-in first-out data structure where push adds and pop removes the top element.",
            "answer": "A LIFO structure: you push onto the top and pop from the top.",
        },
        {"question": "What is a stack?", "reference_answer": None, "answer": "I like turtles."},
    ]
    source = tmp_path / "answers.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = run(["evaluate", "--jsonl", str(source)], None, tmp_path)
    assert result.returncode == 0, result.stderr
    scored = [json.loads(line) for line in result.stdout.splitlines()]
    assert [s["answer"] for s in scored] == [line["answer"] for line in lines]
    assert scored[0]["ai_relevance_score"] > scored[1]["ai_relevance_score"]
    assert all(0 <= s["ai_relevance_score"] <= 100 and s["ai_feedback"] for s in scored)
    source.write_text('{"question": "Q", "answer": 5}\n')
    bad = run(["evaluate", "--jsonl", str(source)], None, tmp_path)
    assert bad.returncode == 1 and "answers.jsonl:1" in _one_line_error(bad)


def test_analyze_an_image_prints_one_json_object(test_data: Path, tmp_path: Path) -> None:
    result = run(["analyze", str(test_data / "images/faces/dogs.jpg"), "--json"], None, tmp_path)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert set(output) >= {"file", "duration_s", "events", "risk"}
    assert set(output["risk"]) >= {"total_risk_score", "risk_level"}
    for event in output["events"]:
        assert event["table"] in {
            "face_pose_events",
            "object_detection_events",
            "audio_transcripts",
        }
        assert "start_s" in event


def test_analyze_a_conversation_and_store_it_as_a_session(
    clean_users: str, test_data: Path, tmp_path: Path
) -> None:
    add = run(
        [
            "user",
            "add",
            "rec",
            "--email",
            "rec@example.org",
            "--full-name",
            "Recorded",
            "--role",
            "candidate",
            "--password-stdin",
        ],
        clean_users,
        tmp_path,
        stdin="recorded-password\n",
    )
    assert add.returncode == 0, add.stderr
    result = run(
        [
            "analyze",
            str(test_data / "audio/pyannote_sample.wav"),
            "--json",
            "--store",
            "--user",
            "rec",
        ],
        clean_users,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["duration_s"] == pytest.approx(30.0, abs=0.1)
    transcripts = [e for e in output["events"] if e["table"] == "audio_transcripts"]
    assert transcripts and any(e["is_multiple_speakers"] for e in transcripts)
    assert any(c["kind"] == "multiple_speakers" for c in output["risk"]["contributions"])
    with psycopg.connect(clean_users) as connection:
        stored = connection.execute(
            "SELECT status, transcript_count, multiple_speaker_segments, total_risk_score FROM view_candidate_risk_summary"
        ).fetchone()
    assert stored[0] == "COMPLETED" and stored[1] == len(transcripts) and stored[2] >= 1
    assert float(stored[3]) == pytest.approx(output["risk"]["total_risk_score"], abs=0.01)


def test_questions_load_reads_a_real_question_bank(
    clean_users: str, test_data: Path, tmp_path: Path
) -> None:
    bank = test_data / "interview_questions/data_science_interviews_theory_qa.jsonl"
    result = run(["questions", "load", str(bank)], clean_users, tmp_path)
    assert result.returncode == 0, result.stderr
    expected = sum(1 for line in bank.read_text().splitlines() if line.strip())
    assert f"loaded {expected} question(s)" in result.stdout
    again = run(["questions", "load", str(bank)], clean_users, tmp_path)
    assert again.returncode == 0
    with psycopg.connect(clean_users) as connection:
        assert connection.execute("SELECT count(*) FROM interview_questions").fetchone() == (
            expected,
        )
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"question": "ok"}\n{"answer": "no question"}\n')
    bad = run(["questions", "load", str(broken)], clean_users, tmp_path)
    assert bad.returncode == 1 and "broken.jsonl:2" in _one_line_error(bad)


def test_serve_starts_on_the_embedded_database_and_prints_the_url_and_admin_login(
    tmp_path: Path,
) -> None:
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("INTERVIEW_MONITOR_") and k != "DATABASE_URL"
    }
    env.update(
        {
            "INTERVIEW_MONITOR_HOME": str(tmp_path / "home"),
            "INTERVIEW_MONITOR_LIVE_ENABLED": "false",
        }
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "interview_monitor", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        banner = [server.stdout.readline() for _ in range(4)]
        assert banner[0].strip() == f"interview-monitor is starting at http://127.0.0.1:{port}/"
        assert "host=" in banner[1] and str(tmp_path / "home") in banner[1].replace("%2F", "/")
        username, password = banner[3].split("sign in as:")[1].strip().split(" / ")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        token = httpx.post(
            f"http://127.0.0.1:{port}/api/auth/token",
            data={"username": username, "password": password},
        )
        assert token.status_code == 200 and token.json()["user"]["role"] == "admin"
    finally:
        server.terminate()
        server.wait(timeout=60)
        if server.stdout is not None:
            server.stdout.close()


def test_analyze_store_checks_the_account_before_analysing(
    clean_users: str, tmp_path: Path
) -> None:
    result = run(["analyze", "pyproject.toml", "--store", "--user", "ghost"], clean_users, tmp_path)
    assert result.returncode == 1 and "no user named 'ghost'" in _one_line_error(result)


def test_db_upgrade_reports_the_migrations_it_applied(
    pg_admin_url: str, worker_id: str, tmp_path: Path
) -> None:
    from interview_monitor.db.migrate import migrations
    from tests.conftest import database_name, drop_database, recreate_database

    name = database_name("im_cli_upgrade", worker_id)
    url = recreate_database(pg_admin_url, name)
    try:
        result = run(["db", "upgrade"], url, tmp_path)
        assert result.returncode == 0, result.stderr
        assert f"({len(migrations())} migration(s) applied now)" in result.stdout
    finally:
        drop_database(pg_admin_url, name)
