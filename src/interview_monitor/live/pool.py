"""Long-lived detector worker processes, one request queue each, a session pinned to one worker.

The pool hands replies to the event loop from a reader thread, so nothing here blocks it. The
same thread watches the processes: one that dies is replaced by a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any

from interview_monitor.live.protocol import (
    Failed,
    Kind,
    Queued,
    Ready,
    Reply,
    ReplyToRequest,
    Request,
    Stop,
)
from interview_monitor.live.worker import run_worker

log = logging.getLogger(__name__)


RESTART_BACKOFF_S = 5.0
STEADY_AFTER_S = 30.0


class WorkerStartError(RuntimeError):
    pass


@dataclass
class _Worker:
    kind: Kind
    index: int
    process: BaseProcess
    requests: Queue[Queued]
    replies: Connection
    started_at: float
    queued: int = 0
    ready: bool = False
    dead: bool = False  # set by the reader thread; the event loop then replaces it


@dataclass
class WorkerPool:
    """`counts` workers per kind; `on_reply` is called on the event loop for every reply.

    A worker that dies is replaced: a new process loads the models and takes over the slot
    (the same sessions route to it), and `on_restart(kind, index)` runs on the event loop so
    the caller can give that worker's streams fresh detector state.
    """

    counts: dict[Kind, int]
    on_reply: Callable[[Reply], None]
    on_restart: Callable[[Kind, int], None] = lambda _kind, _index: None
    restarts: int = 0
    _workers: dict[Kind, list[_Worker]] = field(default_factory=dict)
    _reader: threading.Thread | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    # Wakes the reader thread: a worker was replaced (watch its pipe) or the pool stops (None).
    _wake: tuple[Connection, Connection] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: bool = False
    _context: Any = None

    def start(self, loop: asyncio.AbstractEventLoop, timeout_s: float) -> None:
        """Start every worker and wait (blocking) until each has loaded its models."""
        # spawn: the server process has threads (uvicorn, the DB pool) that fork would copy.
        self._context = multiprocessing.get_context("spawn")
        self._loop = loop
        self._wake = multiprocessing.Pipe(duplex=False)
        for kind, count in self.counts.items():
            self._workers[kind] = [self._spawn(kind, index) for index in range(count)]
        self._await_ready(timeout_s)
        self._reader = threading.Thread(
            target=self._read_replies, name="im-worker-replies", daemon=True
        )
        self._reader.start()

    def _spawn(self, kind: Kind, index: int) -> _Worker:
        requests: Queue[Queued] = self._context.Queue()
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=run_worker,
            args=(kind, index, requests, sender),
            name=f"im-{kind}-worker-{index}",
            daemon=True,
        )
        process.start()
        # Only the worker writes to its pipe: once it is gone, reading gives EOF, not a hang.
        sender.close()
        return _Worker(kind, index, process, requests, receiver, time.monotonic())

    def _await_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        for worker in self._all():
            while not worker.ready:
                reply = None
                try:
                    if worker.replies.poll(min(max(0.0, deadline - time.monotonic()), 1.0)):
                        reply = worker.replies.recv()
                except EOFError:
                    worker.process.join(5.0)
                if isinstance(reply, Failed):
                    self.stop()
                    raise WorkerStartError(
                        f"{reply.kind} worker {reply.index} failed: {reply.message}"
                    )
                worker.ready = isinstance(reply, Ready)
                if worker.ready:
                    continue
                if not worker.process.is_alive() or time.monotonic() > deadline:
                    self.stop()
                    why = (
                        f"{worker.process.name} exited"
                        if not worker.process.is_alive()
                        else f"not ready after {timeout_s} s"
                    )
                    raise WorkerStartError(f"detector workers failed to start: {why}")

    def _all(self) -> list[_Worker]:
        with self._lock:
            return [worker for workers in self._workers.values() for worker in workers]

    def _read_replies(self) -> None:
        """Every worker's replies to the event loop, in order; a worker's exit noticed by its
        process sentinel (or the end of its pipe)."""
        assert self._wake is not None
        while True:
            workers = [worker for worker in self._all() if not worker.dead]
            by_pipe: dict[Any, _Worker] = {worker.replies: worker for worker in workers}
            by_sentinel = {worker.process.sentinel: worker for worker in workers}
            for ready in wait([self._wake[0], *by_pipe, *by_sentinel]):
                if ready is self._wake[0]:
                    if self._wake[0].recv() is None:
                        return
                    continue
                worker = by_sentinel[ready] if isinstance(ready, int) else by_pipe[ready]
                if worker.dead:
                    continue
                if isinstance(ready, int):
                    self._exited(worker)
                else:
                    self._receive(worker)

    def _receive(self, worker: _Worker) -> None:
        try:
            reply = worker.replies.recv()
        except (EOFError, OSError):  # only the worker writes: it is gone
            self._exited(worker)
            return
        self._call_soon(self._deliver, worker, reply)

    def _exited(self, worker: _Worker) -> None:
        """On the reader thread: what the dead worker sent is delivered, then it is replaced."""
        worker.dead = True  # not watched from now on
        try:
            while worker.replies.poll():
                self._call_soon(self._deliver, worker, worker.replies.recv())
        except (EOFError, OSError):
            pass  # the end of the pipe, or a reply cut off by the death
        if not self._stopping:
            self._call_soon(self._replace, worker)

    def _call_soon(self, callback: Callable[..., None], *args: Any) -> None:
        assert self._loop is not None
        with contextlib.suppress(RuntimeError):  # the loop has closed: the server is stopping
            self._loop.call_soon_threadsafe(callback, *args)

    def _replace(self, dead: _Worker) -> None:
        """On the event loop: a new process for the dead worker's slot."""
        if self._stopping:
            return
        if dead.process.is_alive():  # its pipe broke, the process hangs on: end it
            dead.process.kill()
        dead.process.join(5.0)  # reaped, for its exit code
        dead.replies.close()
        # One that never got ready (its models do not load?) or died soon after (something
        # sent to it kills it?) is not restarted in a tight loop.
        lived_s = time.monotonic() - dead.started_at
        delay_s = 0.0 if dead.ready and lived_s > STEADY_AFTER_S else RESTART_BACKOFF_S
        log.error(
            "%s died (exit code %s) after %.0f s; starting a replacement in %.0f s",
            dead.process.name,
            dead.process.exitcode,
            lived_s,
            delay_s,
        )
        assert self._loop is not None
        self._loop.call_later(delay_s, self._respawn, dead)

    def _respawn(self, dead: _Worker) -> None:
        if self._stopping:
            return
        replacement = self._spawn(dead.kind, dead.index)
        with self._lock:
            self._workers[dead.kind][dead.index] = replacement
        # Requests put in the old queue until now are lost (`on_restart` answers them); nobody
        # reads it any more, and its feeder thread must not hold up the exit.
        dead.requests.cancel_join_thread()
        dead.requests.close()
        self.restarts += 1
        self._send_wake("watch")
        self.on_restart(dead.kind, dead.index)

    def _deliver(self, worker: _Worker, reply: Reply) -> None:
        if isinstance(reply, Ready):
            worker.ready = True
            log.info("%s ready", worker.process.name)
            return
        if isinstance(reply, Failed):
            log.error(
                "%s %s worker %s failed to start: %s",
                worker.process.name,
                reply.kind,
                reply.index,
                reply.message,
            )
            return
        if isinstance(reply, ReplyToRequest):
            worker.queued = max(0, worker.queued - 1)
        self.on_reply(reply)

    def worker_of(self, kind: Kind, stream_id: int) -> int:
        return session_of(stream_id) % len(self._workers[kind])

    def submit(self, kind: Kind, request: Request) -> None:
        worker = self._workers[kind][self.worker_of(kind, request.stream_id)]
        worker.queued += 1
        worker.requests.put(request)

    def backlog(self) -> dict[str, list[int]]:
        return {kind: [w.queued for w in workers] for kind, workers in self._workers.items()}

    def alive(self) -> bool:
        return all(w.process.is_alive() for w in self._all())

    def pid(self, kind: Kind, index: int) -> int | None:
        return self._workers[kind][index].process.pid

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stopping = True
        workers = self._all()
        for worker in workers:
            if worker.process.is_alive():
                worker.requests.put(Stop())
        for worker in workers:
            worker.process.join(timeout_s)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout_s)
        self._send_wake(None)
        if self._reader is not None:
            self._reader.join(timeout_s)
        for worker in workers:
            worker.replies.close()
        with self._lock:
            self._workers.clear()

    def _send_wake(self, message: str | None) -> None:
        if self._wake is not None:
            with self._lock:  # the event loop and the stopping thread may both send
                self._wake[1].send(message)


_SEGMENTS = 1_000_000


def stream_id_for(session_id: int, kind: Kind, segment: int) -> int:
    """Stream ids encode the session (for routing) and the kind (for accounting) in one int."""
    return (session_id * _SEGMENTS + segment % _SEGMENTS) * 2 + (0 if kind == "video" else 1)


def session_of(stream_id: int) -> int:
    return stream_id // 2 // _SEGMENTS


def kind_of(stream_id: int) -> Kind:
    return "video" if stream_id % 2 == 0 else "audio"
