"""One async engine per process, built at start-up from the settings (never at import)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from interview_monitor.config import Settings
from interview_monitor.db.embedded import embedded_database_url
from interview_monitor.db.urls import libpq_url, sqlalchemy_url

# What a lost or overloaded database raises: no connection, or none free in time.
DATABASE_UNAVAILABLE = (OperationalError, PoolTimeoutError)


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL when set; otherwise the embedded server under the data directory."""
    if settings.database_url:
        return libpq_url(settings.database_url)
    return embedded_database_url(settings.home_dir)


@dataclass
class Database:
    url: str
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, url: str, pool_size: int = 10) -> Database:
        engine = create_async_engine(
            sqlalchemy_url(url),
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_recycle=1800,
            pool_timeout=10,
            # A server that stops answering fails requests in seconds instead of holding them
            # (and the ingest writer behind them) until TCP gives up.
            connect_args={"connect_timeout": 10},
        )
        return cls(url, engine, async_sessionmaker(engine, expire_on_commit=False))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits when the block succeeds, rolls back when it raises."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


@asynccontextmanager
async def one_off_session(url: str) -> AsyncIterator[AsyncSession]:
    """A unit of work on an engine of its own, disposed after it: for code that runs once."""
    database = Database.connect(url, pool_size=1)
    try:
        async with database.session() as session:
            yield session
    finally:
        await database.dispose()
