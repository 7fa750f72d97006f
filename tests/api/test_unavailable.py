"""When PostgreSQL goes away under a running app: 503 with Retry-After, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql

from interview_monitor.app import create_app
from interview_monitor.auth.roles import Role
from interview_monitor.auth.tokens import create_access_token
from interview_monitor.config import Settings
from interview_monitor.live.config import LiveSettings
from tests.api_fixtures import Api
from tests.conftest import database_name, drop_database, recreate_database

pytestmark = pytest.mark.anyio
FACE_POSE = {"session_id": 1, "event_type": "looking_away"}


@pytest.fixture
async def cut_off(
    pg_admin_url: str, worker_id: str, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """A running app on a database of its own, which then stops taking connections."""
    name = database_name("im_unavailable", worker_id)
    url = recreate_database(pg_admin_url, name)
    settings = Settings(INTERVIEW_MONITOR_HOME=tmp_path, INTERVIEW_MONITOR_ENV="test")
    app = create_app(settings, url, LiveSettings(enabled=False))
    async with app.router.lifespan_context(app):
        with psycopg.connect(url) as connection:
            user_id = connection.execute(
                "INSERT INTO users (username, email, password_hash, full_name, role) "
                "VALUES ('svc', 's@example.org', 'x', 'S', 'service') RETURNING id"
            ).fetchone()[0]
            connection.execute("INSERT INTO interview_sessions (user_id) VALUES (%s)", (user_id,))
        token = create_access_token(user_id, Role.SERVICE, settings.secret_key, 5)[0]
        headers = {"Authorization": f"Bearer {token}"}
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        warm = httpx.AsyncClient(transport=transport, base_url="http://test")
        # The caller is now cached: a later POST fails in the batcher, not in the lookup.
        stored = await warm.post("/api/events/face-pose", json=FACE_POSE, headers=headers)
        assert stored.status_code == 201, stored.text
        await warm.aclose()
        with psycopg.connect(pg_admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(sql.Identifier(name))
            )
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            try:
                yield client, headers
            finally:
                with psycopg.connect(pg_admin_url, autocommit=True) as admin:
                    admin.execute(
                        sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(
                            sql.Identifier(name)
                        )
                    )
    drop_database(pg_admin_url, name)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/events/face-pose", FACE_POSE),
        ("GET", "/api/interviews", None),
        ("GET", "/api/auth/me", None),
    ],
)
async def test_a_lost_database_answers_503_with_retry_after(
    cut_off: tuple[httpx.AsyncClient, dict[str, str]],
    method: str,
    path: str,
    body: dict[str, object] | None,
) -> None:
    client, headers = cut_off
    response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5"
    assert response.json()["detail"][0]["type"] == "unavailable"


async def test_the_face_check_is_503_when_live_detection_is_off(api: Api) -> None:
    response = await api.client.post(
        "/api/live/face-check", content=b"\xff\xd8\xff\xd9", headers=api.headers["candidate"]
    )
    assert response.status_code == 503
    assert "live detection" in response.json()["detail"][0]["msg"]
