from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from interview_monitor.app import create_app
from interview_monitor.config import Settings
from interview_monitor.live.config import LiveSettings

PASSWORD = "correct horse battery"
ACCOUNTS = {
    "candidate": ("alice", "candidate"),
    "other_candidate": ("bob", "candidate"),
    "interviewer": ("ivan", "interviewer"),
    "admin": ("root", "admin"),
    "service": ("yolo", "service"),
}


@dataclass
class Api:
    client: httpx.AsyncClient
    headers: dict[str, dict[str, str]]
    user_ids: dict[str, int]

    async def start_session(self, who: str = "candidate") -> int:
        response = await self.client.post("/api/interview/start", headers=self.headers[who])
        assert response.status_code == 201, response.text
        session_id: int = response.json()["session_id"]
        return session_id


def _truncate(database_url: str) -> None:
    with psycopg.connect(database_url) as connection:
        connection.execute(
            "TRUNCATE users, interview_sessions, interview_questions RESTART IDENTITY CASCADE"
        )


@pytest.fixture(scope="session")
def password_hash() -> str:
    from interview_monitor.auth.passwords import hash_password

    return hash_password(PASSWORD)


def _add_accounts(database_url: str, password_hash: str) -> dict[str, int]:
    """The accounts, inserted with one precomputed hash: argon2 is slow on purpose."""
    with psycopg.connect(database_url) as connection:
        return {
            key: connection.execute(
                "INSERT INTO users (username, email, password_hash, full_name, role) "
                "VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (username, f"{username}@example.org", password_hash, username.title(), role),
            ).fetchone()[0]
            for key, (username, role) in ACCOUNTS.items()
        }


@pytest.fixture
async def api(database_url: str, password_hash: str, tmp_path: Path) -> AsyncIterator[Api]:
    from interview_monitor.auth.roles import Role
    from interview_monitor.auth.tokens import create_access_token

    _truncate(database_url)
    user_ids = _add_accounts(database_url, password_hash)
    settings = Settings(INTERVIEW_MONITOR_HOME=tmp_path, INTERVIEW_MONITOR_ENV="test")
    app = create_app(settings, database_url, LiveSettings(enabled=False))
    headers = {
        key: {
            "Authorization": "Bearer "
            + create_access_token(user_ids[key], Role(role), settings.secret_key, 60)[0]
        }
        for key, (_, role) in ACCOUNTS.items()
    }
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(client, headers, user_ids)
    _truncate(database_url)
