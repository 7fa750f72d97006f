from __future__ import annotations

import numpy as np
import pytest

from interview_monitor.detectors.answers import (
    AnswerModels,
    AnswerRequest,
    AnswerScorer,
    load_answer_models,
)
from interview_monitor.detectors.answers.calibration import pearson
from interview_monitor.detectors.answers.graded_data import GradedAnswer

QUESTION = "What is overfitting in machine learning?"
REFERENCE = (
    "Overfitting is when a model learns the noise in the training data, so it performs well on "
    "the training data but poorly on new unseen data."
)
# The shipped calibration must keep agreeing with the graders on questions it never saw at
# least this well (it measured 0.585 when fitted; cosine similarity alone reaches 0.50).
HELD_OUT_R_FLOOR = 0.56


def test_held_out_questions_agree_with_the_human_grades(
    scorer: AnswerScorer, answer_models: AnswerModels, graded_answers: list[GradedAnswer]
) -> None:
    held_out = set(answer_models.with_reference.provenance["held_out_questions"])
    fitted_on = set(answer_models.with_reference.provenance["fitting_questions"])
    assert held_out and not held_out & fitted_on
    measured = [answer for answer in graded_answers if answer.question_id in held_out]
    scores = scorer.score_many([answer.request() for answer in measured])
    grades = [answer.grade for answer in measured]
    model_r = pearson([score.relevance for score in scores], grades)
    cosine_r = pearson([score.details["features"]["cosine_reference"] for score in scores], grades)
    assert model_r >= HELD_OUT_R_FLOOR
    assert model_r > cosine_r + 0.05


def test_an_incomplete_answer_is_told_which_key_terms_it_missed(scorer: AnswerScorer) -> None:
    result = scorer.score(QUESTION, "The model does well on the training data.", REFERENCE)
    assert "Missing:" in result.feedback
    missing = result.feedback.split("Missing:")[1]
    for term in ("noise", "poorly", "unseen"):
        assert term in missing
    assert {"noise", "poorly", "unseen"} <= set(result.details["missing_terms"])
    assert "training" in result.details["covered_terms"]


def test_the_reference_copied_back_scores_high(scorer: AnswerScorer) -> None:
    result = scorer.score(QUESTION, REFERENCE, REFERENCE)
    assert result.relevance >= 90
    assert "No key term of the reference answer is missing" in result.feedback


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   ",
        "I like pizza and playing football on weekends.",
        "The stock market went up yesterday after the announcement.",
    ],
)
def test_empty_or_irrelevant_answers_score_low(scorer: AnswerScorer, answer: str) -> None:
    assert scorer.score(QUESTION, answer, REFERENCE).relevance < 25
    assert scorer.score(QUESTION, answer).relevance < 25


def test_an_empty_answer_is_told_so(scorer: AnswerScorer) -> None:
    result = scorer.score(QUESTION, " ?! ", REFERENCE)
    assert result.relevance == 0.0
    assert result.feedback.startswith("No answer content was given")


def test_a_full_answer_outscores_a_vague_on_topic_one(scorer: AnswerScorer) -> None:
    full = scorer.score(
        QUESTION,
        "The model memorises noise in its training data, so it does well there but badly on new data.",
        REFERENCE,
    )
    vague = scorer.score(
        QUESTION, "Overfitting is a problem that machine learning models have.", REFERENCE
    )
    assert full.relevance > vague.relevance + 10


def test_without_a_reference_only_relevance_to_the_question_is_judged(scorer: AnswerScorer) -> None:
    on_topic = scorer.score(
        QUESTION, "When a model fits noise in the training data and fails on new data."
    )
    assert on_topic.details["mode"] == "question_only"
    assert "No reference answer was given" in on_topic.feedback
    assert on_topic.relevance >= 60
    blank_reference = scorer.score(QUESTION, "Fits noise in training data.", reference="  ")
    assert blank_reference.details["mode"] == "question_only"


def test_a_negated_answer_is_flagged_in_the_feedback(scorer: AnswerScorer) -> None:
    result = scorer.score(
        "Where do C++ programs begin to execute?",
        "Not at the main function.",
        "At the main function.",
    )
    assert "negation" in result.feedback


def test_score_many_matches_score_and_accepts_jsonl_shaped_mappings(scorer: AnswerScorer) -> None:
    items = [
        {"question": QUESTION, "reference_answer": REFERENCE, "answer": "It learns noise."},
        AnswerRequest(QUESTION, "It fails on unseen data.", REFERENCE),
        {"question": QUESTION, "reference_answer": None, "answer": "It learns noise."},
    ]
    batch = scorer.score_many(items)
    one_by_one = [
        scorer.score(QUESTION, "It learns noise.", REFERENCE),
        scorer.score(QUESTION, "It fails on unseen data.", REFERENCE),
        scorer.score(QUESTION, "It learns noise."),
    ]
    assert [score.relevance for score in batch] == pytest.approx(
        [score.relevance for score in one_by_one], abs=0.05
    )
    assert [score.details["mode"] for score in batch] == [
        "with_reference",
        "with_reference",
        "question_only",
    ]


def test_scores_stay_within_0_and_100(scorer: AnswerScorer) -> None:
    answers = [REFERENCE, REFERENCE * 5, "noise", "data data data data", "?!", "0 1 2 3"]
    relevances = np.array(
        [scorer.score(QUESTION, answer, REFERENCE).relevance for answer in answers]
    )
    assert ((relevances >= 0) & (relevances <= 100)).all()


def test_the_models_are_loaded_once_per_process(answer_models: AnswerModels) -> None:
    assert load_answer_models() is answer_models
