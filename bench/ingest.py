"""Event ingest throughput: the batched writer and the HTTP ingest API against raw COPY.

Usage: .venv/bin/python bench/ingest.py [--rows 100000] [--api-events 3000] [--database-url URL]

Without --database-url the embedded server is used. Every figure is measured in this run,
next to raw COPY into the same table, and printed with the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

from interview_monitor.db.migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import recreate_database
from tests.e2e.server import ServerProcess

COLUMNS = ("session_id", "event_type", "duration_ms", "severity_score")


def _prepare(url: str, sessions: int) -> list[int]:
    with psycopg.connect(url) as connection:
        connection.execute("TRUNCATE users, interview_sessions RESTART IDENTITY CASCADE")
        user_id = connection.execute(
            "INSERT INTO users (username, email, password_hash, full_name) VALUES ('bench', 'b@b.io', 'h', 'B') RETURNING id"
        ).fetchone()[0]
        return [
            connection.execute(
                "INSERT INTO interview_sessions (user_id) VALUES (%s) RETURNING id", (user_id,)
            ).fetchone()[0]
            for _ in range(sessions)
        ]


def _rows(session_ids: list[int], count: int) -> list[dict[str, object]]:
    return [
        {
            "session_id": session_ids[i % len(session_ids)],
            "event_type": "looking_away",
            "duration_ms": i % 9000,
            "severity_score": 1 + i % 5,
        }
        for i in range(count)
    ]


def bench_copy(url: str, rows: list[dict[str, object]], batch: int) -> float:
    started = time.perf_counter()
    with psycopg.connect(url) as connection:
        for offset in range(0, len(rows), batch):
            with (
                connection.transaction(),
                connection.cursor() as cursor,
                cursor.copy(f"COPY face_pose_events ({', '.join(COLUMNS)}) FROM STDIN") as copy,
            ):
                for row in rows[offset : offset + batch]:
                    copy.write_row([row[c] for c in COLUMNS])
    return len(rows) / (time.perf_counter() - started)


async def bench_writer(url: str, rows: list[dict[str, object]], batch: int) -> float:
    from interview_monitor.events.writer import write_events

    from interview_monitor.db.engine import Database

    database = Database.connect(url, pool_size=1)
    started = time.perf_counter()
    for offset in range(0, len(rows), batch):
        async with database.session() as session:
            await write_events(session, "face_pose_events", rows[offset : offset + batch])
    elapsed = time.perf_counter() - started
    await database.dispose()
    return len(rows) / elapsed


def _service_token(url: str, base: str) -> str:
    from interview_monitor.auth.passwords import hash_password

    with psycopg.connect(url) as connection:
        connection.execute(
            "INSERT INTO users (username, email, password_hash, full_name, role) VALUES ('svc', 's@s.io', %s, 'S', 'service')",
            (hash_password("bench-password"),),
        )
    response = httpx.post(
        f"{base}/api/auth/token", data={"username": "svc", "password": "bench-password"}
    )
    return str(response.json()["access_token"])


async def bench_api(
    base: str, token: str, rows: list[dict[str, object]], batch: int, concurrency: int
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    chunks = [rows[i : i + batch] for i in range(0, len(rows), batch)]
    queue: asyncio.Queue[list[dict[str, object]]] = asyncio.Queue()
    for chunk in chunks:
        queue.put_nowait(chunk)

    async def client() -> None:
        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as http:
            while not queue.empty():
                chunk = queue.get_nowait()
                body = chunk[0] if batch == 1 else chunk
                started = time.perf_counter()
                response = await http.post("/api/events/face-pose", json=body)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 201, response.text

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return len(rows) / (time.perf_counter() - started), latencies


# Events go round-robin to the bench's sessions, as they would from many live interviews
# (one session taking 1,500 events a second would have its risk recomputed over a growing pile).
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
local sessions = {%s}
local sent = 0
request = function()
  sent = sent + 1
  local body = string.format(
    '{"session_id": %%d, "event_type": "looking_away", "duration_ms": 3500, "severity_score": 3}',
    sessions[sent %% #sessions + 1])
  return wrk.format(nil, nil, nil, body)
end
"""


def bench_api_wrk(
    base: str, token: str, session_ids: list[int], connections: int, seconds: int
) -> tuple[float, float, float]:
    """Single-event POSTs driven by wrk (a C load generator that leaves the cores to the server)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % (token, ", ".join(map(str, session_ids))))
        script.flush()
        output = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                script.name,
                f"{base}/api/events/face-pose",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"wrk saw failed requests:\n{output}")

    def milliseconds(label: str) -> float:
        value = next(
            line.split()[1] for line in output.splitlines() if line.strip().startswith(label)
        )
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
        unit = value.lstrip("0123456789.")
        return float(value[: -len(unit)]) * scale[unit]

    rate = float(
        next(line.split()[1] for line in output.splitlines() if line.startswith("Requests/sec"))
    )
    return rate, milliseconds("50%"), milliseconds("99%")


def _seconds_until_scores_current(url: str) -> float:
    """How long the background risk refresh trails: until no session is left stale."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        while connection.execute(
            "SELECT count(*) FROM interview_sessions WHERE risk_stale"
        ).fetchone()[0]:
            time.sleep(0.05)
    return time.perf_counter() - started


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--api-events", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", help="a server to create the bench database on")
    args = parser.parse_args()

    if args.database_url:
        admin_url = args.database_url
    else:
        from interview_monitor.db.embedded import _start_server as start_embedded

        admin_url = start_embedded(
            Path(tempfile.gettempdir()) / "interview-monitor-bench" / "pgdata"
        )
    url = recreate_database(admin_url, "im_bench")
    upgrade(url)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.processor() or platform.platform()}"
    )
    with psycopg.connect(url) as connection:
        print(f"server: {connection.execute('SHOW server_version').fetchone()[0]}")

    rows = _rows(_prepare(url, 100), args.rows)
    for batch in (1000, 10_000):
        copy_rate = bench_copy(url, rows, batch)
        writer_rate = asyncio.run(bench_writer(url, rows, batch))
        print(
            f"batches of {batch:>6}: writer {writer_rate:>9,.0f} rows/s   raw COPY {copy_rate:>9,.0f} rows/s   "
            f"writer/COPY {writer_rate / copy_rate:.2f}"
        )

    with tempfile.TemporaryDirectory() as home:
        server = ServerProcess(
            Path(home), {"DATABASE_URL": url, "INTERVIEW_MONITOR_LIVE_ENABLED": "false"}
        )
        base = server.base
        try:
            server.wait_ready(120)
            token = _service_token(url, base)
            session_ids = _prepare_sessions_keep_users(url, 100)
            api_rows = _rows(session_ids, args.api_events)
            copy_rate = bench_copy(url, api_rows, 500)
            if shutil.which("wrk"):
                rate, p50, p99 = bench_api_wrk(base, token, session_ids, args.concurrency, 10)
                print(
                    f"API single events (wrk, {args.concurrency} connections): {rate:,.0f} events/s, "
                    f"p50 {p50:.1f} ms, p99 {p99:.1f} ms; ratio to raw COPY {rate / copy_rate:.3f}; "
                    f"every score current {_seconds_until_scores_current(url):.1f} s after the load stopped"
                )
            single_rate, single_latency = asyncio.run(
                bench_api(base, token, api_rows, 1, args.concurrency)
            )
            batch_rows = _rows(session_ids, args.api_events * 20)
            batch_rate, batch_latency = asyncio.run(bench_api(base, token, batch_rows, 500, 4))
            print(
                f"API single events (httpx, {args.concurrency} clients): {single_rate:,.0f} events/s, "
                f"p50 {_percentile(single_latency, 0.5) * 1000:.1f} ms, p99 {_percentile(single_latency, 0.99) * 1000:.1f} ms; "
                f"raw COPY (500/batch) {copy_rate:,.0f} rows/s; ratio {single_rate / copy_rate:.3f}"
            )
            print(
                f"API batches of 500 (4 clients): {batch_rate:,.0f} events/s, "
                f"p50 {statistics.median(batch_latency) * 1000:.0f} ms per batch; ratio to raw COPY {batch_rate / copy_rate:.2f}"
            )
        finally:
            server.stop()


def _prepare_sessions_keep_users(url: str, sessions: int) -> list[int]:
    with psycopg.connect(url) as connection:
        connection.execute("TRUNCATE interview_sessions RESTART IDENTITY CASCADE")
        user_id = connection.execute("SELECT id FROM users WHERE username = 'svc'").fetchone()[0]
        return [
            connection.execute(
                "INSERT INTO interview_sessions (user_id) VALUES (%s) RETURNING id", (user_id,)
            ).fetchone()[0]
            for _ in range(sessions)
        ]


if __name__ == "__main__":
    main()
