"""Running the service: the first admin account, then uvicorn."""

from __future__ import annotations

import asyncio
import secrets
import sys

import uvicorn

from interview_monitor.auth.passwords import verify_password
from interview_monitor.auth.repository import UserRepository
from interview_monitor.auth.roles import Role
from interview_monitor.auth.schemas import UserCreate
from interview_monitor.auth.service import create_user
from interview_monitor.config import Settings
from interview_monitor.db.engine import one_off_session

FIRST_ADMIN = "admin"


async def ensure_first_admin(settings: Settings, url: str) -> str | None:
    """Create an `admin` account when there is no admin yet; return its password if known.

    The password is kept (mode 0600) in the data directory so that a newcomer who restarts the
    server can still read it; once it is changed, it is no longer shown.
    """
    password_file = settings.home_dir / "first-admin-password"
    async with one_off_session(url) as session:
        users = UserRepository(session)
        if await users.count_admins() == 0:
            password = secrets.token_urlsafe(12)
            await create_user(
                session,
                UserCreate(
                    username=FIRST_ADMIN,
                    email="admin@localhost.localdomain",
                    full_name="Administrator",
                    password=password,
                    role=Role.ADMIN,
                ),
            )
            password_file.touch(mode=0o600)
            password_file.write_text(password)
            return password
        admin = await users.get_by_username(FIRST_ADMIN)
        if admin is not None and password_file.exists():
            kept = password_file.read_text().strip()
            if verify_password(admin.password_hash, kept):
                return kept
        return None


def serve(settings: Settings, url: str, host: str, port: int) -> int:
    from interview_monitor.app import create_app
    from interview_monitor.db.urls import redacted

    password = asyncio.run(ensure_first_admin(settings, url))
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    lines = [
        f"interview-monitor is starting at http://{shown_host}:{port}/",
        f"  database: {redacted(url)}",
        f"  API docs: http://{shown_host}:{port}/docs",
    ]
    if password:
        lines.append(f"  sign in as: {FIRST_ADMIN} / {password}")
    print("\n".join(lines), file=sys.stdout, flush=True)
    uvicorn.run(
        create_app(settings, url),
        host=host,
        port=port,
        log_level="info",
        ws_max_size=4 * 1024 * 1024,
    )
    return 0
