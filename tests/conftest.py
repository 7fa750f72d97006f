from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.pool import NullPool

from tests.ci import on_ci, unavailable

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

pytest_plugins = ["tests.api_fixtures", "tests.live_fixtures"]

DEFAULT_TEST_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _test_data_dir() -> Path:
    return Path(os.environ.get("INTERVIEW_MONITOR_TEST_DATA", DEFAULT_TEST_DATA))


def _missing_test_data() -> str | None:
    folder = _test_data_dir()
    if (folder / "ground_truth.json").is_file():
        return None
    return (
        f"real test data not found at {folder} "
        "(set INTERVIEW_MONITOR_TEST_DATA to the shared/data folder)"
    )


def pytest_configure(config: pytest.Config) -> None:
    """On CI, missing test data stops the run at once rather than skipping the tests using it."""
    if on_ci() and (missing := _missing_test_data()) is not None:
        raise pytest.UsageError(f"CI=true: {missing}")


@pytest.fixture(scope="session")
def test_data() -> Path:
    """The shared real recordings and photos; tests that need them skip when absent (but CI
    stops at the start, in `pytest_configure`)."""
    if (missing := _missing_test_data()) is not None:
        unavailable(missing)
    return _test_data_dir()


@pytest.fixture(scope="session")
def ground_truth(test_data: Path) -> dict[str, Any]:
    truth: dict[str, Any] = json.loads((test_data / "ground_truth.json").read_text())
    return truth


# --- a real PostgreSQL for every database test ------------------------------------------
# INTERVIEW_MONITOR_TEST_DATABASE_URL names a server (any database on it that the user may
# CREATE DATABASE from); otherwise the embedded server is started under the temp directory.
# Each xdist worker gets its own freshly migrated database.

TEST_SERVER_ENV = "INTERVIEW_MONITOR_TEST_DATABASE_URL"


def _server_admin_url() -> str:
    configured = os.environ.get(TEST_SERVER_ENV)
    if configured:
        from interview_monitor.db.urls import libpq_url

        return libpq_url(configured)
    import tempfile

    from interview_monitor.db.embedded import _start_server

    return _start_server(
        Path(tempfile.gettempdir()) / f"interview-monitor-tests-{os.getuid()}" / "pgdata"
    )


def _with_database(admin_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(admin_url).set(database=name)
    rendered: str = url.render_as_string(hide_password=False)
    return rendered


def database_name(prefix: str, worker_id: str) -> str:
    """Unique per test process too, so that concurrent test runs never share a database."""
    return f"{prefix}_{worker_id}_{os.getpid()}"


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    return _server_admin_url()


def recreate_database(admin_url: str, name: str) -> str:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _with_database(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="session")
def database_url(pg_admin_url: str, worker_id: str) -> Iterator[str]:
    """A migrated database of this test worker's own."""
    from interview_monitor.db.migrate import upgrade

    name = database_name("im_test", worker_id)
    url = recreate_database(pg_admin_url, name)
    upgrade(url)
    yield url
    drop_database(pg_admin_url, name)


@pytest.fixture(scope="session")
def librispeech_pcm(test_data: Path) -> bytes:
    """One reader, 10.6 s (16 kHz s16le)."""
    from interview_monitor.media.audio import decode_audio

    return decode_audio(test_data / "audio" / "librispeech_116-288045-0000.flac")[0]


@pytest.fixture(scope="session")
def conversation_pcm(test_data: Path) -> bytes:
    """Two people talking in turns, 30 s (16 kHz s16le)."""
    from interview_monitor.media.audio import decode_audio

    return decode_audio(test_data / "audio" / "pyannote_sample.wav")[0]


@pytest.fixture(scope="session")
def spoken_cue(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """ "hey siri, what's the answer" spoken by espeak-ng (en-us, 130 words a minute), 16 kHz
    float: no shared recording holds a cue phrase."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        unavailable("espeak-ng is not installed (apt-get install espeak-ng; scripts/test does)")
    wav = tmp_path_factory.mktemp("cue") / "cue.wav"
    subprocess.run(
        [espeak, "-v", "en-us", "-s", "130", "-w", str(wav), "hey siri, what's the answer"],
        check=True,
    )
    from interview_monitor.media.audio import decode_audio, pcm_to_float

    return pcm_to_float(decode_audio(wav)[0])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def db_session(database_url: str) -> AsyncIterator[AsyncSession]:
    """A session whose work is rolled back after the test (commits become savepoints)."""
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    from interview_monitor.db.urls import sqlalchemy_url

    engine = create_async_engine(sqlalchemy_url(database_url), poolclass=NullPool)
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()
    await engine.dispose()
