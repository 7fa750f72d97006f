from __future__ import annotations

import pytest

from interview_monitor.detectors.answers import AnswerModels, AnswerRequest
from interview_monitor.detectors.answers.embedding import EncodedText, SentenceEncoder
from interview_monitor.detectors.answers.features import (
    NO_CONTENT,
    QUESTION_ONLY_FEATURES,
    REFERENCE_FEATURES,
    EncodingCache,
    measure_many,
)

QUESTION = "Where do C++ programs begin to execute?"
REFERENCE = "At the main function."


def test_a_copied_reference_covers_every_key_term(answer_models: AnswerModels) -> None:
    (measured,) = measure_many(
        answer_models.encoder, [AnswerRequest(QUESTION, REFERENCE, REFERENCE)]
    )
    assert set(measured.features) == {*REFERENCE_FEATURES, NO_CONTENT}
    assert measured.features["cosine_reference"] == pytest.approx(1.0, abs=1e-5)
    assert measured.features["soft_recall_new"] == pytest.approx(1.0, abs=1e-5)
    assert measured.features["stem_recall_new"] == 1.0
    assert [term.word for term in measured.key_terms] == ["main", "function"]
    assert all(term.covered for term in measured.key_terms)


def test_repeating_the_question_does_not_cover_the_reference(answer_models: AnswerModels) -> None:
    parroted, right = measure_many(
        answer_models.encoder,
        [
            AnswerRequest(QUESTION, "C++ programs begin to execute.", REFERENCE),
            AnswerRequest(QUESTION, "In main().", REFERENCE),
        ],
    )
    # On topic, so the sentence cosine alone cannot tell these apart; coverage of the
    # reference's own words can.
    assert parroted.features["cosine_question"] > right.features["cosine_question"]
    assert right.features["soft_recall_new"] > parroted.features["soft_recall_new"] + 0.2
    assert not any(term.covered for term in parroted.key_terms)


def test_synonyms_count_as_covered_by_contextual_similarity(answer_models: AnswerModels) -> None:
    (measured,) = measure_many(
        answer_models.encoder,
        [
            AnswerRequest(
                "What is a prototype for?",
                "A prototype simulates the behavior of parts of the product.",
                "To simulate the behaviour of portions of the desired software product.",
            )
        ],
    )
    covered = {term.word for term in measured.key_terms if term.covered}
    assert {"simulate", "behaviour", "product"} <= covered
    assert "desired" not in covered


def test_negation_mismatch_and_empty_answers_are_measured(answer_models: AnswerModels) -> None:
    negated, empty = measure_many(
        answer_models.encoder,
        [
            AnswerRequest(QUESTION, "Not at main.", REFERENCE),
            AnswerRequest(QUESTION, "", REFERENCE),
        ],
    )
    assert negated.negation_mismatch and negated.features["negation_mismatch"] == 1.0
    assert empty.features["no_content"] == 1.0
    assert empty.features["soft_recall_new"] == 0.0


def test_without_a_reference_the_question_supplies_the_terms(answer_models: AnswerModels) -> None:
    (measured,) = measure_many(
        answer_models.encoder, [AnswerRequest(QUESTION, "They begin at main.")]
    )
    assert set(measured.features) == {*QUESTION_ONLY_FEATURES, NO_CONTENT}
    assert {term.word for term in measured.key_terms} == {"c++", "programs", "begin", "execute"}
    assert next(term for term in measured.key_terms if term.word == "begin").covered


class CountingEncoder:
    """The real encoder, counting the texts it is asked to embed."""

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.encoder = encoder
        self.texts: list[str] = []

    def encode_detailed(self, texts: list[str], batch_size: int = 16) -> list[EncodedText]:
        self.texts += texts
        return self.encoder.encode_detailed(texts, batch_size)


def test_cached_questions_and_references_are_not_embedded_again(
    answer_models: AnswerModels,
) -> None:
    counting = CountingEncoder(answer_models.encoder)
    cache = EncodingCache()
    first = AnswerRequest(QUESTION, "In main.", REFERENCE)
    second = AnswerRequest(QUESTION, "At the start of main().", REFERENCE)
    measure_many(counting, [first], cache=cache)
    assert sorted(counting.texts) == sorted([QUESTION, REFERENCE, "In main."])
    (cached,) = measure_many(counting, [second], cache=cache)
    assert counting.texts[3:] == ["At the start of main()."]
    (uncached,) = measure_many(answer_models.encoder, [second])
    assert cached.features == pytest.approx(uncached.features)


def test_the_cache_forgets_the_least_recently_used_text(answer_models: AnswerModels) -> None:
    cache = EncodingCache(capacity=2)
    one, two, three = answer_models.encoder.encode_detailed(["one", "two", "three"])
    cache.put(one)
    cache.put(two)
    assert cache.get("one") is one
    cache.put(three)
    assert cache.get("two") is None
    assert cache.get("one") is one and cache.get("three") is three
