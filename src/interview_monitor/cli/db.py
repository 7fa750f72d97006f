"""`interview-monitor db` and `purge`: the schema, where the data lives, retention."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from interview_monitor.cli.common import (
    CommandError,
    database_url,
    in_session,
    migrated_url,
    settings,
    upgrade,
)

MAX_RETENTION_DAYS = 36_500  # a century; more cannot be subtracted from today


def add_commands(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="database: upgrade, url, structure")
    db_commands = db.add_subparsers(dest="db_command", required=True, parser_class=parser_class)
    db_commands.add_parser("upgrade", help="apply pending migrations").set_defaults(handler=cmd_db)
    url = db_commands.add_parser("url", help="print where the data lives")
    url.add_argument("--show-password", action="store_true")
    url.set_defaults(handler=cmd_db)
    db_commands.add_parser("structure", help="print interview_db_final_structure.sql").set_defaults(
        handler=cmd_db
    )

    purge = commands.add_parser(
        "purge", help="delete ended sessions older than the retention period"
    )
    purge.add_argument(
        "--days", type=int, help="retention in days (default: INTERVIEW_MONITOR_RETENTION_DAYS)"
    )
    purge.set_defaults(handler=cmd_purge)


def cmd_db(args: argparse.Namespace) -> int:
    from interview_monitor.db.migrate import current_version, structure_sql
    from interview_monitor.db.urls import redacted

    if args.db_command == "structure":
        sys.stdout.write(structure_sql())
        return 0
    current = settings()
    if args.db_command == "url":
        url = database_url(current)
        print(url if args.show_password else redacted(url))
        if not current.database_url:
            print(
                f"embedded PostgreSQL data directory: {current.home_dir / 'pgdata'}",
                file=sys.stderr,
            )
        return 0
    url = database_url(current)
    applied = upgrade(url)
    print(f"schema at version {current_version(url)} ({len(applied)} migration(s) applied now)")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from interview_monitor.interviews.service import purge_ended

    current = settings()
    days = current.retention_days if args.days is None else args.days
    if not 0 < days <= MAX_RETENTION_DAYS:
        raise CommandError(f"--days must be a number of days from 1 to {MAX_RETENTION_DAYS}")
    deleted = in_session(migrated_url(current), lambda session: purge_ended(session, days))
    print(f"deleted {deleted} session(s) that ended more than {days} day(s) ago")
    return 0
