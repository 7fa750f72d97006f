"""Answer scoring off the event loop: one thread owns the scorer, so its model loads once."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from interview_monitor.detectors.answers import AnswerScore, AnswerScorer


class AnswerEvaluator:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="im-answers")
        self._scorer: AnswerScorer | None = None

    def _loaded(self) -> AnswerScorer:
        if self._scorer is None:
            from interview_monitor.detectors.answers import AnswerScorer

            self._scorer = AnswerScorer()
        return self._scorer

    def warm_up(self) -> Future[AnswerScorer]:
        """Start loading the model now so the first answer does not wait for it."""
        return self._executor.submit(self._loaded)

    async def score(self, question: str, answer: str, reference: str | None) -> AnswerScore:
        def work() -> AnswerScore:
            return self._loaded().score(question, answer, reference)

        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
