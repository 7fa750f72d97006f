"""Turning the seed's libpq URLs into SQLAlchemy URLs and back."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

_LIBPQ_SCHEMES = {"postgres", "postgresql", "postgresql+psycopg"}


class DatabaseUrlError(ValueError):
    pass


def sqlalchemy_url(url: str) -> URL:
    """`postgresql://user:pass@host:5432/db?sslmode=require` -> the psycopg 3 driver URL.

    Query parameters such as sslmode pass through to libpq unchanged.
    """
    try:
        parsed = make_url(url)
    except Exception as error:
        raise DatabaseUrlError(f"DATABASE_URL is not a valid URL: {error}") from None
    if parsed.drivername not in _LIBPQ_SCHEMES:
        raise DatabaseUrlError(
            f"DATABASE_URL must be a postgresql:// URL, not {parsed.drivername}://"
        )
    return parsed.set(drivername="postgresql+psycopg")


def libpq_url(url: str) -> str:
    """The same database as a plain libpq URL (for psql and psycopg.connect)."""
    rendered: str = (
        sqlalchemy_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    return rendered


def redacted(url: str) -> str:
    rendered: str = (
        sqlalchemy_url(url).set(drivername="postgresql").render_as_string(hide_password=True)
    )
    return rendered
