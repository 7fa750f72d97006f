"""Shared by the live, streaming, questions and web tests: an app with real workers, users."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
from fastapi.testclient import TestClient
from sqlalchemy.pool import NullPool

from interview_monitor.auth.roles import Role
from interview_monitor.auth.schemas import UserCreate
from interview_monitor.auth.service import create_user
from interview_monitor.auth.tokens import create_access_token
from interview_monitor.config import Settings
from interview_monitor.live.config import LiveSettings
from interview_monitor.media.video import iter_frames


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def settings_for(home: Path) -> Settings:
    return Settings.model_validate({"INTERVIEW_MONITOR_HOME": str(home)})


def make_account(database_url: str, settings: Settings, role: str) -> Account:
    async def create() -> int:
        from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

        from interview_monitor.db.urls import sqlalchemy_url

        engine = create_async_engine(sqlalchemy_url(database_url), poolclass=NullPool)
        try:
            async with AsyncSession(engine) as session, session.begin():
                user = await create_user(
                    session,
                    UserCreate(
                        username=username,
                        email=f"{username}@example.org",
                        full_name=f"Test {role.title()}",
                        password="test-password-1",
                        role=Role(role),
                    ),
                )
                return user.id
        finally:
            await engine.dispose()

    username = f"{role}-{uuid.uuid4().hex[:8]}"
    user_id = asyncio.run(create())
    token, _ = create_access_token(user_id, Role(role), settings.secret_key, 60)
    return Account(user_id, username, role, token)


@contextmanager
def live_client(database_url: str, home: Path, **live: Any) -> Iterator[TestClient]:
    from interview_monitor.app import create_app

    options = {"video_workers": 1, "audio_workers": 1, **live}
    app = create_app(settings_for(home), database_url, LiveSettings(**options))
    with TestClient(app) as client:
        yield client


def start_session(client: TestClient, candidate: Account) -> int:
    response = client.post("/api/interview/start", headers=candidate.headers, json={})
    assert response.status_code == 201, response.text
    session_id: int = response.json()["session_id"]
    return session_id


def jpeg_frames(video: Path, fps: float, limit: int | None = None) -> list[bytes]:
    frames = []
    for _, frame in iter_frames(video, fps):
        frames.append(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes())
        if limit is not None and len(frames) == limit:
            break
    return frames
