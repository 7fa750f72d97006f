"""The offline answer scorer: relevance 0-100 and plain-words feedback for interview answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from interview_monitor.detectors.answers.calibration import (
    LinearCalibration,
    capped_scores,
    load_calibrations,
    relevance_scores,
)
from interview_monitor.detectors.answers.embedding import (
    Matrix,
    SentenceEncoder,
    limit_blas_threads,
)
from interview_monitor.detectors.answers.features import (
    NO_CONTENT,
    AnswerRequest,
    EncodingCache,
    Measurement,
    measure_many,
)
from interview_monitor.detectors.answers.feedback import (
    empty_answer_feedback,
    question_only_feedback,
    reference_feedback,
)

CALIBRATION_FILE = Path(__file__).with_name("answer_model.json")
WITH_REFERENCE = "with_reference"
ON_TOPIC = "on_topic"
QUESTION_ONLY = "question_only"
EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True)
class AnswerScore:
    relevance: float  # 0-100, two decimals (answer_evaluations.ai_relevance_score)
    feedback: str
    answer_vector: Matrix  # unit sentence vector of the answer (answer_vectors.vector)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerModels:
    encoder: SentenceEncoder
    with_reference: LinearCalibration
    on_topic: LinearCalibration
    question_only: LinearCalibration


@cache
def load_answer_models() -> AnswerModels:
    """Load the embedding model and calibrations once per process (the weights are 91 MB)."""
    limit_blas_threads(1)
    calibrations = load_calibrations(CALIBRATION_FILE)
    return AnswerModels(
        SentenceEncoder(),
        calibrations[WITH_REFERENCE],
        calibrations[ON_TOPIC],
        calibrations[QUESTION_ONLY],
    )


def as_request(item: AnswerRequest | Mapping[str, Any]) -> AnswerRequest:
    """Accept an AnswerRequest or a mapping shaped like an `evaluate --jsonl` line."""
    if isinstance(item, AnswerRequest):
        request = item
    else:
        reference = item.get("reference", item.get("reference_answer"))
        request = AnswerRequest(str(item["question"]), str(item.get("answer") or ""), reference)
    # A blank reference gives nothing to compare with: judge against the question instead.
    if request.reference is not None and not request.reference.strip():
        return AnswerRequest(request.question, request.answer, None)
    return request


class AnswerScorer:
    def __init__(self, models: AnswerModels | None = None, batch_size: int = 16) -> None:
        self._models = models or load_answer_models()
        self._batch_size = batch_size
        self._prompt_cache = EncodingCache()

    def score(self, question: str, answer: str, reference: str | None = None) -> AnswerScore:
        return self.score_many([AnswerRequest(question, answer, reference)])[0]

    def score_many(self, items: Iterable[AnswerRequest | Mapping[str, Any]]) -> list[AnswerScore]:
        """Score many answers, embedding each distinct text once and in batches."""
        requests = [as_request(item) for item in items]
        measurements = measure_many(
            self._models.encoder, requests, self._batch_size, self._prompt_cache
        )
        return [
            self._judge(request, measurement)
            for request, measurement in zip(requests, measurements, strict=True)
        ]

    def _judge(self, request: AnswerRequest, measurement: Measurement) -> AnswerScore:
        has_reference = request.reference is not None
        calibration = self._models.with_reference if has_reference else self._models.question_only
        details: dict[str, Any] = {
            "method": "offline-embedding-calibrated",
            "embedding_model": EMBEDDING_MODEL,
            "mode": WITH_REFERENCE if has_reference else QUESTION_ONLY,
            "features": {name: round(value, 4) for name, value in measurement.features.items()},
            "covered_terms": [term.word for term in measurement.key_terms if term.covered],
            "missing_terms": [term.word for term in measurement.key_terms if not term.covered],
        }
        if has_reference:
            scores, on_topic = capped_scores(
                calibration, self._models.on_topic, [measurement.features]
            )
            details["on_topic_probability"] = round(float(on_topic[0]), 4)
        else:
            scores = relevance_scores(calibration, [measurement.features])
        relevance = round(float(scores[0]), 2)
        details["contributions"] = {
            term: round(value, 4)
            for term, value in calibration.contributions(measurement.features).items()
        }
        if measurement.features[NO_CONTENT]:
            feedback = empty_answer_feedback(has_reference)
        elif has_reference:
            feedback = reference_feedback(relevance, measurement)
        else:
            feedback = question_only_feedback(relevance, measurement)
        return AnswerScore(relevance, feedback, measurement.answer_vector, details)
