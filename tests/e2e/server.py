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


class ServerProcess:
    """`uvicorn --factory interview_monitor.app:create_app` in a child process on a free port.

    Shared by the browser tests and the benchmarks; the log goes to HOME/server.log.
    """

    def __init__(self, home: Path, env: dict[str, str], port: int | None = None) -> None:
        """`port`: a restarted server takes its predecessor's, so clients find it again."""
        port = port or free_port()
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.ws = f"ws://127.0.0.1:{port}"
        self.home = home
        self.env = {**os.environ, "INTERVIEW_MONITOR_HOME": str(home), **env}
        self.log = (home / "server.log").open("ab")
        self.process = subprocess.Popen(
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
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: see {self.home / 'server.log'}")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("server did not start")
            time.sleep(0.5)

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill: no shutdown, nothing flushed."""
        self.process.kill()
        self.process.wait()
        self.log.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@contextmanager
def running_server(
    database_url: str, home: Path, extra_env: dict[str, str] | None = None, timeout_s: float = 180
) -> Iterator[str]:
    server = ServerProcess(home, {"DATABASE_URL": database_url, **(extra_env or {})})
    try:
        server.wait_ready(timeout_s)
        yield server.base
    finally:
        server.stop()


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
