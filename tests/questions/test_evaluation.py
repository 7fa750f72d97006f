from __future__ import annotations

import asyncio
import threading

import pytest

from interview_monitor.questions.evaluation import AnswerEvaluator

pytestmark = pytest.mark.anyio


async def test_scores_off_the_event_loop_with_the_real_model() -> None:
    evaluator = AnswerEvaluator()
    loop_thread = threading.get_ident()
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(ticker())
    try:
        good, off_topic = await asyncio.gather(
            evaluator.score(
                "What is overfitting?",
                "Overfitting is when a model learns noise in the training data and fails to generalise to new data.",
                "A model that fits the training data too closely, noise included, and does poorly on unseen data.",
            ),
            evaluator.score("What is overfitting?", "I like hiking in the mountains.", None),
        )
    finally:
        ticking.cancel()
        evaluator.close()
    assert ticks > 5, "the event loop was blocked while scoring"
    assert threading.get_ident() == loop_thread
    assert 0 <= off_topic.relevance < good.relevance <= 100
    assert good.feedback
