"""The real server in a subprocess: uvicorn on 127.0.0.1, a free port, the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

CLI = [
    sys.executable,
    "-c",
    "import sys; from interview_monitor.cli import main; sys.exit(main(sys.argv[1:]))",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_server(
    database_url: str, home: Path, extra_env: dict[str, str] | None = None, timeout_s: float = 180
) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INTERVIEW_MONITOR_HOME": str(home),
        **(extra_env or {}),
    }
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "interview_monitor.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: see {home / 'server.log'}")
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("server did not start")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def add_user(database_url: str, home: Path, username: str, role: str, password: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "INTERVIEW_MONITOR_HOME": str(home)}
    subprocess.run(
        [
            *CLI,
            "user",
            "add",
            username,
            "--email",
            f"{username}@example.org",
            "--full-name",
            username.replace("-", " ").title(),
            "--role",
            role,
            "--password-stdin",
        ],
        input=password.encode(),
        env=env,
        check=True,
        capture_output=True,
    )
