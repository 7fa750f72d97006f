"""Features of an answer measured against its question and, when given, a reference answer.

Sentence cosine alone rates a wrong but on-topic answer as high as a partly right one, so the
features also measure which of the reference's own points (its words beyond the question's)
the answer covers, both by contextual word-piece similarity and by shared word stems.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from interview_monitor.detectors.answers.embedding import EncodedText, Matrix
from interview_monitor.detectors.answers.text import (
    STOPWORDS,
    content_stems,
    has_content,
    is_content_word,
    is_negated,
    stem,
    words,
)

REFERENCE_FEATURES = (
    "cosine_reference",
    "cosine_question",
    "soft_recall_new",
    "soft_recall",
    "soft_precision",
    "stem_recall_new",
    "stem_precision",
    "log_length_ratio",
    "negation_mismatch",
)
QUESTION_ONLY_FEATURES = (
    "cosine_question",
    "soft_recall_question",
    "stem_recall_question",
    "log_answer_words",
)
# Present in every measurement beside the model features: 1.0 when the answer has no letter or
# digit at all, which is scored 0 by rule rather than by a model that never saw such answers.
NO_CONTENT = "no_content"
# A key term counts as covered when one of its word pieces has a contextual match at least this
# close in the answer (checked by eye on the Mohler answers: synonyms and inflections pass,
# related but different terms mostly do not).
COVERED_SIMILARITY = 0.72

_WORD_SPAN = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#'_-]*")


@dataclass(frozen=True)
class AnswerRequest:
    question: str
    answer: str
    reference: str | None = None


@dataclass(frozen=True)
class KeyTerm:
    word: str
    similarity: float
    covered: bool


@dataclass(frozen=True)
class Measurement:
    features: dict[str, float]
    # Terms of the target text (the reference, or the question when there is none) in order.
    key_terms: list[KeyTerm]
    negation_mismatch: bool
    # The answer's unit sentence vector, kept to compare it with other candidates' answers.
    answer_vector: Matrix


def _content_rows(text: EncodedText, exclude: frozenset[str] = frozenset()) -> Matrix:
    keep = [
        index
        for index, token in enumerate(text.tokens)
        if any(char.isalnum() for char in token) and token not in STOPWORDS and token not in exclude
    ]
    rows: Matrix = text.token_vectors[keep]
    return rows


def _best_matches(targets: Matrix, answer: Matrix) -> Matrix:
    """Each target word piece's best cosine with any answer word piece (0 when none)."""
    if len(answer) == 0:
        return np.zeros(len(targets), dtype=np.float32)
    best: Matrix = np.clip((targets @ answer.T).max(axis=1), 0.0, 1.0)
    return best


def _soft_recall(targets: Matrix, answer: Matrix) -> float:
    return float(_best_matches(targets, answer).mean()) if len(targets) else 1.0


def _share_found(wanted: list[str], found: set[str]) -> float:
    return sum(item in found for item in wanted) / len(wanted) if wanted else 1.0


def key_terms(
    target_text: str, target: EncodedText, answer: EncodedText, skip_stems: set[str]
) -> list[KeyTerm]:
    """The target's content words (minus `skip_stems`), each with how well the answer covers it."""
    answer_stems = set(content_stems(answer.text))
    answer_rows = _content_rows(answer)
    terms: dict[str, KeyTerm] = {}
    for match in _WORD_SPAN.finditer(target_text):
        word = match.group().lower().strip("'-_")
        word_stem = stem(word)
        if not is_content_word(word) or word_stem in skip_stems:
            continue
        if word_stem in terms:
            continue
        pieces = [
            index
            for index, (start, end) in enumerate(target.offsets)
            if start >= match.start() and end <= match.end()
        ]
        similarity = (
            float(_best_matches(target.token_vectors[pieces], answer_rows).max()) if pieces else 0.0
        )
        covered = word_stem in answer_stems or similarity >= COVERED_SIMILARITY
        terms[word_stem] = KeyTerm(word=word, similarity=similarity, covered=covered)
    return list(terms.values())


def measure_with_reference(
    question: EncodedText, reference: EncodedText, answer: EncodedText
) -> Measurement:
    question_pieces = frozenset(question.tokens)
    answer_rows = _content_rows(answer)
    reference_rows = _content_rows(reference)
    reference_new_rows = _content_rows(reference, exclude=question_pieces)
    question_stems = set(content_stems(question.text))
    reference_stems = content_stems(reference.text)
    answer_stems = content_stems(answer.text)
    new_reference_stems = [item for item in reference_stems if item not in question_stems]
    negation_mismatch = is_negated(answer.text) != is_negated(reference.text)
    features = {
        "cosine_reference": float(answer.sentence @ reference.sentence),
        "cosine_question": float(answer.sentence @ question.sentence),
        "soft_recall_new": _soft_recall(
            reference_new_rows if len(reference_new_rows) else reference_rows, answer_rows
        ),
        "soft_recall": _soft_recall(reference_rows, answer_rows),
        "soft_precision": _soft_recall(answer_rows, reference_rows) if len(answer_rows) else 0.0,
        "stem_recall_new": _share_found(new_reference_stems or reference_stems, set(answer_stems)),
        "stem_precision": _share_found(answer_stems, set(reference_stems) | question_stems)
        if answer_stems
        else 0.0,
        "log_length_ratio": math.log(
            (len(words(answer.text)) + 1) / (len(words(reference.text)) + 1)
        ),
        "negation_mismatch": float(negation_mismatch),
        NO_CONTENT: float(not has_content(answer.text)),
    }
    skip = question_stems if new_reference_stems else set()
    terms = key_terms(reference.text, reference, answer, skip)
    return Measurement(features, terms, negation_mismatch, answer.sentence)


def measure_question_only(question: EncodedText, answer: EncodedText) -> Measurement:
    answer_stems = content_stems(answer.text)
    features = {
        "cosine_question": float(answer.sentence @ question.sentence),
        "soft_recall_question": _soft_recall(_content_rows(question), _content_rows(answer)),
        "stem_recall_question": _share_found(content_stems(question.text), set(answer_stems)),
        "log_answer_words": math.log1p(len(words(answer.text))),
        NO_CONTENT: float(not has_content(answer.text)),
    }
    terms = key_terms(question.text, question, answer, set())
    return Measurement(features, terms, False, answer.sentence)


class TextEncoder(Protocol):
    def encode_detailed(self, texts: list[str], batch_size: int = ...) -> list[EncodedText]: ...


class EncodingCache:
    """The encodings of recently seen questions and reference answers: they repeat for every
    candidate, so caching them leaves one text in three to embed per answer. Thread-safe."""

    def __init__(self, capacity: int = 512) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, EncodedText] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> EncodedText | None:
        with self._lock:
            entry = self._entries.get(text)
            if entry is not None:
                self._entries.move_to_end(text)
            return entry

    def put(self, encoded: EncodedText) -> None:
        with self._lock:
            self._entries[encoded.text] = encoded
            self._entries.move_to_end(encoded.text)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)


def measure_many(
    encoder: TextEncoder,
    requests: list[AnswerRequest],
    batch_size: int = 16,
    cache: EncodingCache | None = None,
) -> list[Measurement]:
    """Measure every request, embedding each distinct text once and, with a cache, each
    question and reference only when it was not seen recently."""
    prompts = {
        text: None
        for request in requests
        for text in (request.question, request.reference)
        if text is not None
    }
    encoded: dict[str, EncodedText] = {}
    if cache is not None:
        encoded = {text: hit for text in prompts if (hit := cache.get(text)) is not None}
    missing = list(
        dict.fromkeys(
            text for text in [*prompts, *(r.answer for r in requests)] if text not in encoded
        )
    )
    for fresh in encoder.encode_detailed(missing, batch_size):
        encoded[fresh.text] = fresh
        if cache is not None and fresh.text in prompts:
            cache.put(fresh)
    return [
        measure_with_reference(
            encoded[request.question], encoded[request.reference], encoded[request.answer]
        )
        if request.reference is not None
        else measure_question_only(encoded[request.question], encoded[request.answer])
        for request in requests
    ]
