"""The `interview-monitor` command: parses, calls the services, prints."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from interview_monitor import __version__
from interview_monitor.cli import db, media, questions, sessions, users
from interview_monitor.cli.common import CommandError, migrated_url, settings


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def cmd_serve(args: argparse.Namespace) -> int:
    from interview_monitor.server import serve

    current = settings()
    return serve(current, migrated_url(current), args.host, args.port)


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

    for group in (db, users, sessions, questions, media):
        group.add_commands(commands, _Parser)
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
