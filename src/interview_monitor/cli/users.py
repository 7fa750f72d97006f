"""`interview-monitor user add`: an account, its password read without echo or from stdin."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from pydantic import ValidationError

from interview_monitor.cli.common import CommandError, in_session, migrated_url, settings


def add_commands(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    user = commands.add_parser("user", help="accounts")
    user_commands = user.add_subparsers(
        dest="user_command", required=True, parser_class=parser_class
    )
    add = user_commands.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--email", required=True)
    add.add_argument("--full-name", required=True)
    add.add_argument(
        "--role", required=True, choices=["candidate", "interviewer", "admin", "service"]
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=cmd_user_add)


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

    current = settings()
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
    url = migrated_url(current)
    try:
        user = in_session(url, lambda session: create_user(session, data))
    except AccountConflictError as clash:
        raise CommandError(str(clash)) from None
    print(f"created {args.role} {args.username} (id {user.id})")
    return 0
