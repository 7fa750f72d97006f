"""Answer scoring: relevance 0-100 and feedback for a candidate's answer to a question."""

from interview_monitor.detectors.answers.features import AnswerRequest
from interview_monitor.detectors.answers.scorer import (
    AnswerModels,
    AnswerScore,
    AnswerScorer,
    load_answer_models,
)

__all__ = ["AnswerModels", "AnswerRequest", "AnswerScore", "AnswerScorer", "load_answer_models"]
