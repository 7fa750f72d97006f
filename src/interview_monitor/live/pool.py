"""Long-lived detector worker processes, one request queue each, a session pinned to one worker.

The pool hands replies to the event loop from a reader thread, so nothing here blocks it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any

from interview_monitor.live.worker import Kind, Reply, Request, run_worker

log = logging.getLogger(__name__)


class WorkerStartError(RuntimeError):
    pass


@dataclass
class _Worker:
    kind: Kind
    index: int
    process: BaseProcess
    requests: Queue[Request]
    queued: int = 0


@dataclass
class WorkerPool:
    """`counts` workers per kind; `on_reply` is called on the event loop for every reply."""

    counts: dict[Kind, int]
    on_reply: Callable[[Reply], None]
    _workers: dict[Kind, list[_Worker]] = field(default_factory=dict)
    _replies: Queue[Reply | None] | None = None
    _reader: threading.Thread | None = None

    def start(self, loop: asyncio.AbstractEventLoop, timeout_s: float) -> None:
        """Start every worker and wait (blocking) until each has loaded its models."""
        # spawn: the server process has threads (uvicorn, the DB pool) that fork would copy.
        context = multiprocessing.get_context("spawn")
        self._replies = context.Queue()
        for kind, count in self.counts.items():
            self._workers[kind] = []
            for index in range(count):
                requests: Queue[Request] = context.Queue()
                process = context.Process(
                    target=run_worker,
                    args=(kind, index, requests, self._replies),
                    name=f"im-{kind}-worker-{index}",
                    daemon=True,
                )
                process.start()
                self._workers[kind].append(_Worker(kind, index, process, requests))
        self._await_ready(timeout_s)
        self._reader = threading.Thread(
            target=self._read_replies, args=(loop,), name="im-worker-replies", daemon=True
        )
        self._reader.start()

    def _await_ready(self, timeout_s: float) -> None:
        assert self._replies is not None
        waiting = sum(self.counts.values())
        deadline = time.monotonic() + timeout_s
        while waiting:
            try:
                reply = self._replies.get(timeout=1.0)
            except queue.Empty:
                dead = [
                    w.process.name
                    for ws in self._workers.values()
                    for w in ws
                    if not w.process.is_alive()
                ]
                if dead or time.monotonic() > deadline:
                    self.stop()
                    why = f"{', '.join(dead)} exited" if dead else f"not ready after {timeout_s} s"
                    raise WorkerStartError(f"detector workers failed to start: {why}") from None
                continue
            if reply is not None and reply[0] == "failed":
                self.stop()
                raise WorkerStartError(f"{reply[1]} worker {reply[2]} failed: {reply[3]}")
            waiting -= 1

    def _read_replies(self, loop: asyncio.AbstractEventLoop) -> None:
        assert self._replies is not None
        while (reply := self._replies.get()) is not None:
            try:
                loop.call_soon_threadsafe(self._deliver, reply)
            except RuntimeError:  # the loop has closed: the server is going down
                return

    def _deliver(self, reply: Reply) -> None:
        if reply[0] in ("opened", "probed", "done", "closed"):
            worker = self._worker_for(kind_of(reply[1]), reply[1])
            worker.queued = max(0, worker.queued - 1)
        self.on_reply(reply)

    def _worker_for(self, kind: Kind, stream_id: int) -> _Worker:
        workers = self._workers[kind]
        return workers[session_of(stream_id) % len(workers)]

    def submit(self, kind: Kind, request: tuple[Any, ...]) -> None:
        worker = self._worker_for(kind, request[1])
        worker.queued += 1
        worker.requests.put(request)

    def backlog(self) -> dict[str, list[int]]:
        return {kind: [w.queued for w in workers] for kind, workers in self._workers.items()}

    def alive(self) -> bool:
        return all(w.process.is_alive() for ws in self._workers.values() for w in ws)

    def stop(self, timeout_s: float = 10.0) -> None:
        for workers in self._workers.values():
            for worker in workers:
                if worker.process.is_alive():
                    worker.requests.put(None)
        for workers in self._workers.values():
            for worker in workers:
                worker.process.join(timeout_s)
                if worker.process.is_alive():
                    worker.process.terminate()
                    worker.process.join(timeout_s)
        if self._replies is not None:
            self._replies.put(None)
        if self._reader is not None:
            self._reader.join(timeout_s)
        self._workers.clear()


_SEGMENTS = 1_000_000


def stream_id_for(session_id: int, kind: Kind, segment: int) -> int:
    """Stream ids encode the session (for routing) and the kind (for accounting) in one int."""
    return (session_id * _SEGMENTS + segment % _SEGMENTS) * 2 + (0 if kind == "video" else 1)


def session_of(stream_id: int) -> int:
    return stream_id // 2 // _SEGMENTS


def kind_of(stream_id: int) -> Kind:
    return "video" if stream_id % 2 == 0 else "audio"
