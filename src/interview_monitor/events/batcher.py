"""Group commit for ingest: requests that arrive together share one transaction.

A single-event POST spends most of its time in database round trips (status check, insert,
refresh mark, commit), not in storing the event. While one batch is being written, new
requests queue; the next batch takes them all, so under load each round trip serves many
requests, and at low load a request goes alone without waiting. Every caller is answered
after the commit that stored its events: nothing is acknowledged before it is durable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from interview_monitor.db.engine import DATABASE_UNAVAILABLE, Database
from interview_monitor.errors import UnavailableError
from interview_monitor.events.schemas import MAX_BATCH, EventPayload, IngestResult
from interview_monitor.events.service import ingest, ingest_many

log = logging.getLogger(__name__)
# Told of each request's events once they are committed (the live page of reviewers, say).
StoredListener = Callable[[Sequence[EventPayload]], None]


@dataclass(eq=False, slots=True)
class _Request:
    payloads: Sequence[EventPayload]
    answer: asyncio.Future[IngestResult]

    def settle(self, outcome: IngestResult | BaseException) -> None:
        # A caller that went away (client disconnected) has cancelled its future.
        if self.answer.done():
            return
        if isinstance(outcome, BaseException):
            self.answer.set_exception(outcome)
        else:
            self.answer.set_result(outcome)


class IngestBatcher:
    def __init__(self, database: Database, max_events: int = 2 * MAX_BATCH) -> None:
        self._database = database
        self._max_events = max_events
        self._queue: asyncio.Queue[_Request | None] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0
        self.requests = 0
        self._listeners: list[StoredListener] = []

    def on_stored(self, listener: StoredListener) -> None:
        self._listeners.append(listener)

    def _stored(self, request: _Request, outcome: IngestResult | BaseException) -> None:
        request.settle(outcome)
        if isinstance(outcome, IngestResult) and outcome.stored:
            for listener in self._listeners:
                try:
                    listener(request.payloads)
                except Exception:
                    log.exception("an ingest listener failed")

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write_until_stopped(), name="ingest-batcher")

    async def stop(self) -> None:
        """Store what is already queued, then stop taking requests."""
        writer, self._writer = self._writer, None
        if writer is not None:
            self._queue.put_nowait(None)
            await writer

    async def submit(self, payloads: Sequence[EventPayload]) -> IngestResult:
        if self._writer is None:
            raise UnavailableError("the server is shutting down; nothing was stored, retry")
        request = _Request(payloads, asyncio.get_running_loop().create_future())
        self._queue.put_nowait(request)
        return await request.answer

    async def _write_until_stopped(self) -> None:
        while (first := await self._queue.get()) is not None:
            batch, stopping = self._take_batch(first)
            try:
                await self._write(batch)
            except Exception as error:
                log.exception("an ingest batch failed")
                for request in batch:
                    request.settle(error)
            if stopping:
                return

    def _take_batch(self, first: _Request) -> tuple[list[_Request], bool]:
        """The queued requests, up to `max_events` events, and whether the stop mark came."""
        batch, events = [first], len(first.payloads)
        while events < self._max_events and not self._queue.empty():
            request = self._queue.get_nowait()
            if request is None:
                return batch, True
            batch.append(request)
            events += len(request.payloads)
        return batch, False

    async def _write(self, batch: list[_Request]) -> None:
        self.batches += 1
        self.requests += len(batch)
        if len(batch) > 1:
            try:
                async with self._database.session() as db:
                    outcomes = await ingest_many(db, [request.payloads for request in batch])
            except DATABASE_UNAVAILABLE as error:
                # Retrying each request alone would only knock on a closed door N times.
                for request in batch:
                    request.settle(error)
                return
            except Exception:
                # One request's values broke the shared statement (PostgreSQL refused a
                # value, say): store each request alone so only that one fails.
                log.info(
                    "a shared ingest batch of %d requests failed; storing each alone", len(batch)
                )
            else:
                for request, outcome in zip(batch, outcomes, strict=True):
                    self._stored(request, outcome)
                return
        for request in batch:
            await self._write_alone(request)

    async def _write_alone(self, request: _Request) -> None:
        try:
            async with self._database.session() as db:
                result = await ingest(db, request.payloads)
        except Exception as error:
            request.settle(error)
        else:
            self._stored(request, result)
