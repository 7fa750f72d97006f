"""An audio worker's Whisper calls, on a thread of their own.

Ownership rule: the request loop owns the batcher and every session. It takes a packed batch
from the batcher and hands it here; this thread runs the Whisper call on that batch's audio
alone (CTranslate2 computes with the GIL released) and hands the transcript back through a
queue. The request loop then maps the words back into its sessions (`TranscriptBatcher.finish`)
and sends the events. So voice activity, speaker checks and early other-voice flags of every
stream go on while a call runs, and no session state is touched by two threads.

At most one batch is in flight: Whisper runs on one CTranslate2 thread (`cpu_threads=1`, one
replica), and while it runs the speech that comes due keeps piling up for the next, fuller call.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from interview_monitor.detectors.audio.batching import Batch, TranscribedBatch, TranscriptBatcher

log = logging.getLogger(__name__)

Outcome = TranscribedBatch | Exception
# Niceness of every thread of the worker but its request loop. On 2 busy cores the Whisper
# call and the request loop fight for the CPU, and the loop (voice activity, speaker checks,
# other-voice flags) is what must stay on time; transcripts may come a little later.
WHISPER_NICENESS = 10


def lower_other_threads(niceness: int = WHISPER_NICENESS) -> int:
    """Lower the CPU priority of every thread of this process except the calling one (the
    Whisper thread and CTranslate2's compute thread, which it starts when the model loads).
    Linux only (a thread's niceness is its own there); returns how many threads it lowered."""
    me = threading.get_native_id()
    lowered = 0
    tasks = Path("/proc/self/task")
    for task in tasks.iterdir() if tasks.is_dir() else ():
        if int(task.name) == me:
            continue
        try:
            os.setpriority(os.PRIO_PROCESS, int(task.name), niceness)
            lowered += 1
        except OSError:  # gone meanwhile
            continue
    return lowered


class WhisperThread:
    def __init__(self, batcher: TranscriptBatcher, wake: Callable[[], None]) -> None:
        """`wake` is called (on this thread) after each call, to wake a request loop that may
        be blocked waiting for requests."""
        self._batcher = batcher
        self._wake = wake
        self._todo: queue.SimpleQueue[Batch | None] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[tuple[Batch, Outcome]] = queue.SimpleQueue()
        self._busy = False  # read and written by the request loop only
        self._thread = threading.Thread(target=self._run, name="im-whisper", daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        return self._busy

    def hand(self, batch: Batch) -> None:
        if self._busy:
            raise RuntimeError("a Whisper call is already running")
        self._busy = True
        self._todo.put(batch)

    def finished(self) -> tuple[Batch, Outcome] | None:
        """The batch handed last and its transcript (or the error it raised), once done."""
        try:
            done = self._done.get_nowait()
        except queue.Empty:
            return None
        self._busy = False
        return done

    def stop(self, timeout_s: float = 30.0) -> None:
        self._todo.put(None)
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while (batch := self._todo.get()) is not None:
            outcome: Outcome
            try:
                outcome = self._batcher.transcribe(batch)
            except Exception as error:
                log.exception("transcribing a batch failed")
                outcome = error
            self._done.put((batch, outcome))
            self._wake()
