"""The `interview-monitor` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from interview_monitor import __version__
from interview_monitor.config import Settings


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        raise CommandError(
            f"bad setting {first['loc'][0] if first['loc'] else ''}: {first['msg']}"
        ) from None
    except ValueError as error:
        raise CommandError(str(error)) from None


def _database_url(settings: Settings) -> str:
    from interview_monitor.db.embedded import EmbeddedDatabaseError
    from interview_monitor.db.engine import resolve_database_url
    from interview_monitor.db.urls import DatabaseUrlError

    try:
        return resolve_database_url(settings)
    except (DatabaseUrlError, EmbeddedDatabaseError) as error:
        raise CommandError(str(error)) from None


def _upgrade(url: str) -> list[str]:
    import psycopg

    from interview_monitor.db.migrate import upgrade
    from interview_monitor.db.urls import redacted

    try:
        return upgrade(url)
    except psycopg.OperationalError as error:
        raise CommandError(f"cannot reach the database at {redacted(url)}: {error}") from None


def _migrated_url(settings: Settings) -> str:
    url = _database_url(settings)
    _upgrade(url)
    return url


def cmd_db(args: argparse.Namespace) -> int:
    from interview_monitor.db.migrate import current_version, structure_sql
    from interview_monitor.db.urls import redacted

    if args.db_command == "structure":
        sys.stdout.write(structure_sql())
        return 0
    settings = _settings()
    if args.db_command == "url":
        url = _database_url(settings)
        print(url if args.show_password else redacted(url))
        if not settings.database_url:
            print(
                f"embedded PostgreSQL data directory: {settings.home_dir / 'pgdata'}",
                file=sys.stderr,
            )
        return 0
    url = _database_url(settings)
    applied = _upgrade(url)
    print(f"schema at version {current_version(url)} ({len(applied)} migration(s) applied now)")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CommandError(
            "no terminal to ask for the password: pass --password-stdin and pipe it in"
        )
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise CommandError("the two passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from interview_monitor.auth.schemas import UserCreate
    from interview_monitor.auth.service import AccountConflictError, create_user
    from interview_monitor.db.engine import Database

    settings = _settings()
    try:
        data = UserCreate(
            username=args.username,
            email=args.email,
            full_name=args.full_name,
            role=args.role,
            password=_read_password(args.password_stdin),
        )
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise CommandError(f"{field}: {first['msg']}") from None
    url = _migrated_url(settings)

    async def add() -> int:
        database = Database.connect(url, pool_size=1)
        try:
            async with database.session() as session:
                user = await create_user(session, data)
                return user.id
        finally:
            await database.dispose()

    try:
        user_id = asyncio.run(add())
    except AccountConflictError as clash:
        raise CommandError(str(clash)) from None
    print(f"created {args.role} {args.username} (id {user_id})")
    return 0


MAX_RETENTION_DAYS = 36_500  # a century; more cannot be subtracted from today


def cmd_purge(args: argparse.Namespace) -> int:
    from interview_monitor.db.engine import Database
    from interview_monitor.interviews.service import purge_ended

    settings = _settings()
    days = settings.retention_days if args.days is None else args.days
    if not 0 < days <= MAX_RETENTION_DAYS:
        raise CommandError(f"--days must be a number of days from 1 to {MAX_RETENTION_DAYS}")
    url = _migrated_url(settings)

    async def purge() -> int:
        database = Database.connect(url, pool_size=1)
        try:
            async with database.session() as session:
                return await purge_ended(session, days)
        finally:
            await database.dispose()

    print(f"deleted {asyncio.run(purge())} session(s) that ended more than {days} day(s) ago")
    return 0


def cmd_questions_load(args: argparse.Namespace) -> int:
    from interview_monitor.db.engine import Database
    from interview_monitor.errors import InvalidInputError
    from interview_monitor.questions.service import load_questions

    settings = _settings()
    if not args.file.is_file():
        raise CommandError(f"{args.file}: no such file")
    url = _migrated_url(settings)

    async def load() -> int:
        database = Database.connect(url, pool_size=1)
        try:
            async with database.session() as session:
                return await load_questions(session, args.file)
        finally:
            await database.dispose()

    try:
        count = asyncio.run(load())
    except (InvalidInputError, UnicodeDecodeError) as error:
        raise CommandError(str(error)) from None
    print(f"loaded {count} question(s) from {args.file}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from interview_monitor.server import serve

    settings = _settings()
    url = _migrated_url(settings)
    return serve(settings, url, args.host, args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="interview-monitor", description="Interview-integrity monitoring service."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = commands.add_parser("serve", help="run the API, the live pipeline and the web pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=cmd_serve)

    db = commands.add_parser("db", help="database: upgrade, url, structure")
    db_commands = db.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    db_commands.add_parser("upgrade", help="apply pending migrations").set_defaults(handler=cmd_db)
    url = db_commands.add_parser("url", help="print where the data lives")
    url.add_argument("--show-password", action="store_true")
    url.set_defaults(handler=cmd_db)
    db_commands.add_parser("structure", help="print interview_db_final_structure.sql").set_defaults(
        handler=cmd_db
    )

    user = commands.add_parser("user", help="accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    add = user_commands.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--email", required=True)
    add.add_argument("--full-name", required=True)
    add.add_argument(
        "--role", required=True, choices=["candidate", "interviewer", "admin", "service"]
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=cmd_user_add)

    purge = commands.add_parser(
        "purge", help="delete ended sessions older than the retention period"
    )
    purge.add_argument(
        "--days", type=int, help="retention in days (default: INTERVIEW_MONITOR_RETENTION_DAYS)"
    )
    purge.set_defaults(handler=cmd_purge)

    questions = commands.add_parser("questions", help="the question bank")
    question_commands = questions.add_subparsers(
        dest="questions_command", required=True, parser_class=_Parser
    )
    load = question_commands.add_parser(
        "load", help='load a JSON-lines file of {"question", "reference_answer"}'
    )
    load.add_argument("file", type=Path)
    load.set_defaults(handler=cmd_questions_load)

    from interview_monitor.cli_media import add_media_commands

    add_media_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CommandError as error:
        print(f"interview-monitor: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
