"""What every command shares: the one-line error, the settings, the migrated database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError

from interview_monitor.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


def settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        raise CommandError(
            f"bad setting {first['loc'][0] if first['loc'] else ''}: {first['msg']}"
        ) from None
    except ValueError as error:
        raise CommandError(str(error)) from None


def database_url(settings: Settings) -> str:
    from interview_monitor.db.embedded import EmbeddedDatabaseError
    from interview_monitor.db.engine import resolve_database_url
    from interview_monitor.db.urls import DatabaseUrlError

    try:
        return resolve_database_url(settings)
    except (DatabaseUrlError, EmbeddedDatabaseError) as error:
        raise CommandError(str(error)) from None


def upgrade(url: str) -> list[str]:
    import psycopg

    from interview_monitor.db.migrate import upgrade
    from interview_monitor.db.urls import redacted

    try:
        return upgrade(url)
    except psycopg.OperationalError as error:
        raise CommandError(f"cannot reach the database at {redacted(url)}: {error}") from None


def migrated_url(settings: Settings) -> str:
    url = database_url(settings)
    upgrade(url)
    return url


def in_session(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`work` done in one unit of work on the database, from synchronous command code."""
    from interview_monitor.db.engine import one_off_session

    async def run() -> T:
        async with one_off_session(url) as session:
            return await work(session)

    return asyncio.run(run())
