from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

START_AND_HOLD = """
import sys, time
from pathlib import Path
from interview_monitor.db.embedded import embedded_database_url
print(embedded_database_url(Path(sys.argv[1])), flush=True)
time.sleep(float(sys.argv[2]))
"""


def _start(home: Path, hold_s: float = 0.0) -> str:
    result = subprocess.run(
        [sys.executable, "-c", START_AND_HOLD, str(home), str(hold_s)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _holding(home: Path) -> tuple[subprocess.Popen[str], str]:
    """A process that starts the server and keeps it up (it stops when the process ends)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", START_AND_HOLD, str(home), "60"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    return holder, holder.stdout.readline().strip()


def _release(holder: subprocess.Popen[str]) -> None:
    holder.terminate()
    holder.wait(timeout=60)
    assert holder.stdout is not None
    holder.stdout.close()


def test_first_start_creates_the_cluster_and_a_second_start_reuses_it(tmp_path: Path) -> None:
    holder, url = _holding(tmp_path)
    try:
        assert "/interview_db?" in url
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT current_database()").fetchone() == ("interview_db",)
            assert int(connection.execute("SHOW max_connections").fetchone()[0]) >= 50
            connection.execute("CREATE TABLE kept (value int)")
            connection.execute("INSERT INTO kept VALUES (7)")
        assert _start(tmp_path) == url
    finally:
        _release(holder)
    holder, again = _holding(tmp_path)
    try:
        assert again == url
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT value FROM kept").fetchone() == (7,)
    finally:
        _release(holder)


def test_a_crashed_cluster_with_a_stale_lock_is_recovered(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", START_AND_HOLD, str(tmp_path), "60"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    url = holder.stdout.readline().strip()
    pid_file = tmp_path / "pgdata" / "postmaster.pid"
    postmaster = int(pid_file.read_text().splitlines()[0])
    os.kill(postmaster, signal.SIGKILL)
    holder.kill()
    holder.wait()
    holder.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(postmaster, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    assert pid_file.exists(), "the crash should leave a stale postmaster.pid behind"
    assert _start(tmp_path) == url


def test_an_unusable_data_directory_is_one_clear_error(tmp_path: Path) -> None:
    from interview_monitor.db.embedded import EmbeddedDatabaseError, embedded_database_url

    blocker = tmp_path / "home"
    blocker.write_text("a file where the data directory should be")
    with pytest.raises((EmbeddedDatabaseError, OSError)):
        embedded_database_url(blocker)
