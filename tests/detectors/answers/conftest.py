from __future__ import annotations

from pathlib import Path

import pytest

from interview_monitor.detectors.answers import AnswerModels, AnswerScorer, load_answer_models
from interview_monitor.detectors.answers.graded_data import GradedAnswer, read_graded_answers


@pytest.fixture(scope="session")
def answer_models() -> AnswerModels:
    return load_answer_models()


@pytest.fixture(scope="session")
def scorer(answer_models: AnswerModels) -> AnswerScorer:
    return AnswerScorer(answer_models)


@pytest.fixture(scope="session")
def graded_answers(test_data: Path) -> list[GradedAnswer]:
    return read_graded_answers(test_data / "answers" / "mohler_assignments_1-6.csv")
