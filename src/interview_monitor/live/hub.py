"""Publishing live updates to the reviewers watching a session (or the list of all sessions)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

ALL_SESSIONS = 0
_QUEUE_LIMIT = 256


class ReviewHub:
    """In-process fan-out. A slow reviewer loses its oldest updates, never blocks the pipeline."""

    def __init__(self) -> None:
        self._subscribers: dict[int, set[asyncio.Queue[dict[str, Any]]]] = {}

    def publish(self, session_id: int, message: dict[str, Any]) -> None:
        for channel in (session_id, ALL_SESSIONS):
            for subscriber in self._subscribers.get(channel, ()):
                if subscriber.full():
                    subscriber.get_nowait()
                subscriber.put_nowait(message)

    def watchers(self, session_id: int) -> int:
        return len(self._subscribers.get(session_id, ()))

    @contextlib.asynccontextmanager
    async def subscribe(self, session_id: int) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """A queue of the updates of `session_id` (ALL_SESSIONS: of every session)."""
        subscriber: asyncio.Queue[dict[str, Any]] = asyncio.Queue(_QUEUE_LIMIT)
        self._subscribers.setdefault(session_id, set()).add(subscriber)
        try:
            yield subscriber
        finally:
            subscribers = self._subscribers[session_id]
            subscribers.discard(subscriber)
            if not subscribers:
                del self._subscribers[session_id]
