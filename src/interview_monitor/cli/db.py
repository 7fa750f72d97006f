"""`interview-monitor db`: the schema and where the data lives."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from interview_monitor.cli.common import database_url, settings, upgrade


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
