"""The candidate page's telemetry, live: reviewers hear of each stored event, and a watcher
compares the page's heartbeats with its video stream (detectors/telemetry.py has the rules)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from interview_monitor.db.engine import Database
from interview_monitor.detectors.telemetry import (
    Finding,
    Heartbeat,
    frames_contradict,
    missing_heartbeats,
)
from interview_monitor.events.schemas import BrowserEventPayload, EventPayload
from interview_monitor.events.service import latest_heartbeats, store_server_browser_events
from interview_monitor.live.hub import ReviewHub
from interview_monitor.live.pipeline import LivePipeline

log = logging.getLogger(__name__)
SERVER_SOURCE = "server"


def browser_message(session_id: int, event_types: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "browser",
        "session_id": session_id,
        "event_types": list(event_types),
        "published_at": time.time(),
    }


def publish_browser_events(hub: ReviewHub, payloads: Sequence[EventPayload]) -> None:
    """Tell each session's reviewers which browser events were stored (heartbeats are routine,
    not news)."""
    by_session: dict[int, list[str]] = {}
    for payload in payloads:
        if isinstance(payload, BrowserEventPayload) and payload.event_type != "heartbeat":
            by_session.setdefault(payload.session_id, []).append(payload.event_type)
    for session_id, event_types in by_session.items():
        hub.publish(session_id, browser_message(session_id, event_types))


def _frames_sent(details: dict[str, Any]) -> int | None:
    value = details.get("frames_sent")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def findings(
    arrivals: Sequence[float],
    heartbeats: Sequence[tuple[datetime, dict[str, Any]]],
    now: float,
    interval_s: float,
) -> list[Finding]:
    beats = [Heartbeat(at.timestamp(), _frames_sent(details)) for at, details in heartbeats]
    found = []
    if tampered := missing_heartbeats(arrivals, beats[-1].at if beats else None, now, interval_s):
        found.append(tampered)
    if len(beats) >= 2 and (contradiction := frames_contradict(arrivals, beats[-2], beats[-1])):
        found.append(contradiction)
    return found


def _row(session_id: int, finding: Finding) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "source": SERVER_SOURCE,
        "client_event_id": finding.key,
        "timestamp": datetime.fromtimestamp(finding.start, UTC),
        "event_type": finding.kind,
        "duration_ms": round(finding.duration_s * 1000),
        "details": finding.details,
    }


async def check_once(
    database: Database, pipeline: LivePipeline, hub: ReviewHub, interval_s: float
) -> int:
    """Store what the connected sessions' telemetry shows now; returns how many new findings."""
    arrivals = pipeline.video_arrivals()
    if not arrivals:
        return 0
    now = time.time()
    async with database.session() as db:
        heartbeats = await latest_heartbeats(db, sorted(arrivals))
        rows = [
            _row(session_id, finding)
            for session_id, times in arrivals.items()
            for finding in findings(times, heartbeats.get(session_id, []), now, interval_s)
        ]
        ids = await store_server_browser_events(db, rows) if rows else []
    stored = [row for row, new_id in zip(rows, ids, strict=True) if new_id is not None]
    for row in stored:
        hub.publish(row["session_id"], browser_message(row["session_id"], [row["event_type"]]))
    return len(stored)


async def watch_telemetry(
    database: Database, pipeline: LivePipeline, hub: ReviewHub, interval_s: float
) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await check_once(database, pipeline, hub, interval_s)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the telemetry check failed; retrying")
