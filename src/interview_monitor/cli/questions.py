"""`interview-monitor questions load`: the question bank from a JSON-lines file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from interview_monitor.cli.common import CommandError, in_session, migrated_url, settings


def add_commands(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    questions = commands.add_parser("questions", help="the question bank")
    question_commands = questions.add_subparsers(
        dest="questions_command", required=True, parser_class=parser_class
    )
    load = question_commands.add_parser(
        "load", help='load a JSON-lines file of {"question", "reference_answer"}'
    )
    load.add_argument("file", type=Path)
    load.set_defaults(handler=cmd_questions_load)


def cmd_questions_load(args: argparse.Namespace) -> int:
    from interview_monitor.errors import InvalidInputError
    from interview_monitor.questions.service import load_questions

    current = settings()
    if not args.file.is_file():
        raise CommandError(f"{args.file}: no such file")
    url = migrated_url(current)
    try:
        count = in_session(url, lambda session: load_questions(session, args.file))
    except (InvalidInputError, UnicodeDecodeError) as error:
        raise CommandError(str(error)) from None
    print(f"loaded {count} question(s) from {args.file}")
    return 0
