"""`interview-monitor purge`: ended sessions deleted after the retention period, with their
recording files."""

from __future__ import annotations

import argparse
from typing import Any

from interview_monitor.cli.common import CommandError, in_session, migrated_url, settings

MAX_RETENTION_DAYS = 36_500  # a century; more cannot be subtracted from today


def add_commands(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    purge = commands.add_parser(
        "purge", help="delete ended sessions older than the retention period"
    )
    purge.add_argument(
        "--days", type=int, help="retention in days (default: INTERVIEW_MONITOR_RETENTION_DAYS)"
    )
    purge.set_defaults(handler=cmd_purge)


def cmd_purge(args: argparse.Namespace) -> int:
    from interview_monitor.interviews.service import purge_ended
    from interview_monitor.playback.service import sweep
    from interview_monitor.playback.storage import recording_store

    current = settings()
    days = current.retention_days if args.days is None else args.days
    if not 0 < days <= MAX_RETENTION_DAYS:
        raise CommandError(f"--days must be a number of days from 1 to {MAX_RETENTION_DAYS}")
    url = migrated_url(current)
    deleted = in_session(url, lambda session: purge_ended(session, days))
    print(f"deleted {deleted} session(s) that ended more than {days} day(s) ago")
    # After the deletion is committed, so no file goes while its session could still stay.
    swept = in_session(url, lambda session: sweep(session, recording_store(current)))
    print(f"deleted the recordings of {swept} session(s) that no longer exist")
    return 0
