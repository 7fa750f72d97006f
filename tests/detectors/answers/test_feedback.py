from __future__ import annotations

import numpy as np

from interview_monitor.detectors.answers.embedding import EMBEDDING_DIM
from interview_monitor.detectors.answers.features import KeyTerm, Measurement
from interview_monitor.detectors.answers.feedback import (
    MAX_TERMS_LISTED,
    empty_answer_feedback,
    question_only_feedback,
    reference_feedback,
)


def _measurement(covered: list[str], missing: list[str], negated: bool = False) -> Measurement:
    terms = [KeyTerm(word, 0.9, True) for word in covered] + [
        KeyTerm(word, 0.1, False) for word in missing
    ]
    return Measurement({}, terms, negated, np.zeros(EMBEDDING_DIM, dtype=np.float32))


def test_reference_feedback_names_covered_and_missing_terms() -> None:
    text = reference_feedback(62.0, _measurement(["stack", "lifo"], ["queue", "fifo"]))
    assert text.startswith("Relevance 62/100: the answer partly matches the reference answer.")
    assert "Covered: stack, lifo." in text
    assert "Missing: queue, fifo." in text


def test_complete_and_empty_coverage_are_said_plainly() -> None:
    assert "No key term of the reference answer is missing." in reference_feedback(
        95.0, _measurement(["a"], [])
    )
    assert "It covers none of the reference's key terms." in reference_feedback(
        10.0, _measurement([], ["a"])
    )


def test_long_lists_are_shortened() -> None:
    missing = [f"term{index}" for index in range(MAX_TERMS_LISTED + 3)]
    assert "and 3 more." in reference_feedback(20.0, _measurement([], missing))


def test_negation_mismatch_is_pointed_out() -> None:
    assert "opposite" in reference_feedback(80.0, _measurement(["main"], [], negated=True))


def test_question_only_feedback_says_correctness_was_not_judged() -> None:
    text = question_only_feedback(85.0, _measurement(["overfitting"], ["machine"]))
    assert "No reference answer was given" in text
    assert "on the question's topic" in text
    assert "Not mentioned from the question: machine." in text


def test_empty_answer_feedback() -> None:
    assert "No answer content" in empty_answer_feedback(has_reference=True)
    assert "the question" in empty_answer_feedback(has_reference=False)
