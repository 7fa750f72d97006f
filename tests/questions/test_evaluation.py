from __future__ import annotations

import asyncio
import threading

import pytest

from interview_monitor.questions.evaluation import AnswerEvaluator

pytestmark = pytest.mark.anyio


async def test_scores_off_the_event_loop_with_the_real_model() -> None:
    evaluator = AnswerEvaluator()
    loop_thread = threading.get_ident()
    scoring = asyncio.ensure_future(
        asyncio.gather(
            evaluator.score(
                "What is overfitting?",
                "Overfitting is when a model learns noise in the training data and fails to generalise to new data.",
                "A model that fits the training data too closely, noise included, and does poorly on unseen data.",
            ),
            evaluator.score("What is overfitting?", "I like hiking in the mountains.", None),
        )
    )
    # Run right after scoring starts: scoring on the loop would finish before this ran.
    loop_ran = asyncio.Event()
    asyncio.get_running_loop().call_soon(loop_ran.set)
    try:
        await loop_ran.wait()
        assert not scoring.done(), "the event loop was blocked while scoring"
        good, off_topic = await scoring
    finally:
        evaluator.close()
    assert threading.get_ident() == loop_thread
    assert 0 <= off_topic.relevance < good.relevance <= 100
    assert good.feedback
