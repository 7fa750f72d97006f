"""Near-copies between candidates, measured on the real Mohler answers (1,074 answers by
different students to 37 questions: 15,104 pairs of honest answers to the same question)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable

import numpy as np
import pytest

from interview_monitor.detectors.answers.graded_data import GradedAnswer
from interview_monitor.detectors.answers.similarity import (
    MIN_WORDS,
    WEAK_TIER_MAX_COMPARED,
    MatchTier,
    PriorAnswer,
    common_shingles,
    find_near_copies,
    judge,
    prepare,
)

# At this per-pair rate an honest answer compared with the weak tier's at most 100 others
# gets a false match at most 1 - 0.999 ** 100 = 9.5 % of the time, shown to a reviewer next
# to the other answer; the rule measured 0.046 % (7 pairs, 2 of them the same web text).
MAX_FALSE_ALARM_RATE = 0.001
# The strong tier measured 3 pairs (one a real copy of a C++ FAQ passage).
MAX_STRONG_FALSE_ALARMS = 4
# Copies with only case, punctuation or a typo changed: 82 % of the answers with 8 or more
# words were found when measured (the rest are mostly the reference or question quoted).
MIN_DETECTED_LIGHT_EDITS = 0.78


def _by_question(answers: list[GradedAnswer]) -> dict[str, list[GradedAnswer]]:
    grouped: dict[str, list[GradedAnswer]] = defaultdict(list)
    for answer in answers:
        grouped[answer.question_id].append(answer)
    return grouped


def test_honest_answers_to_the_same_question_are_rarely_flagged(
    graded_answers: list[GradedAnswer],
) -> None:
    pairs, by_text, by_any_cosine, strong = 0, 0, 0, 0
    for items in _by_question(graded_answers).values():
        prepared = [prepare(item.answer) for item in items]
        common = common_shingles(prepared, items[0].question, items[0].reference)
        for first, second in itertools.combinations(prepared, 2):
            pairs += 1
            text_only = judge(first, second, common, None)
            by_text += text_only is not None
            strong += text_only is not None and text_only[0] is MatchTier.STRONG
            # A cosine of 1 is the most any pair's vectors could give: an upper bound of the
            # whole rule that needs no embedding (bench/answer_sharing.py measures it exactly).
            by_any_cosine += judge(first, second, common, 1.0) is not None
    assert pairs == 15_104
    assert by_text / pairs <= by_any_cosine / pairs <= MAX_FALSE_ALARM_RATE
    assert strong <= MAX_STRONG_FALSE_ALARMS


def _shouted(text: str) -> str:
    return text.upper().replace(",", "").replace(".", "")


def _typo_every_tenth_word(text: str) -> str:
    words = text.split()
    return " ".join(
        word[1:] + word[0] if index % 10 == 3 and len(word) > 3 else word
        for index, word in enumerate(words)
    )


@pytest.mark.parametrize("edit", [_shouted, _typo_every_tenth_word], ids=lambda f: f.__name__)
def test_lightly_edited_copies_of_real_answers_are_found(
    graded_answers: list[GradedAnswer], edit: Callable[[str], str]
) -> None:
    found, tried = 0, 0
    for items in _by_question(graded_answers).values():
        prior = [PriorAnswer(index, item.answer, None) for index, item in enumerate(items)]
        for index, item in enumerate(items):
            if len(item.answer.split()) < MIN_WORDS:
                continue
            tried += 1
            matches = find_near_copies(
                edit(item.answer), None, prior, item.question, item.reference
            )
            found += index in {match.key for match in matches}
    assert tried > 800
    assert found / tried >= MIN_DETECTED_LIGHT_EDITS


LONG_ANSWER = (
    "The compiler replaces each call with the body of the function, which saves the cost of "
    "the call but makes the program larger when the function is big or called often."
)


def _vector(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(16).astype(np.float32)
    return vector / np.linalg.norm(vector)


def test_short_equal_answers_and_quoted_questions_are_not_flagged() -> None:
    question = "What does the compiler do with an inline function?"
    prior = [
        PriorAnswer(1, "a pointer to memory", None),
        PriorAnswer(2, "What does the compiler do with an inline function? Inlines it.", None),
    ]
    assert find_near_copies("A pointer to memory.", None, prior, question, None) == []
    assert find_near_copies(prior[1].text, None, prior, question, None) == []


def test_a_copy_is_strong_and_the_cosine_path_needs_own_text_in_common() -> None:
    vector = _vector(1)
    prior = [PriorAnswer(7, LONG_ANSWER, vector)]
    (copy,) = find_near_copies(LONG_ANSWER.lower(), vector, prior, "Inline functions?", None)
    assert copy.key == 7 and copy.tier is MatchTier.STRONG and copy.own_jaccard == 1.0
    assert copy.cosine == pytest.approx(1.0)
    unrelated = "Recursion is when a function calls itself until it reaches a base case of it."
    assert find_near_copies(unrelated, vector, prior, "Inline functions?", None) == []


def test_a_paraphrase_is_weak_and_dropped_when_compared_with_many_answers() -> None:
    # Own-text Jaccard 0.33: a near-copy only through the meaning (the cosine) path.
    paraphrase = (
        "Each call gets replaced by the body of the function, so there is no call overhead, "
        "but the program grows when the function is big or called often."
    )
    vector = _vector(2)
    few = [PriorAnswer(0, LONG_ANSWER, vector)]
    (weak,) = find_near_copies(paraphrase, vector, few, "Inline functions?", None)
    assert weak.tier is MatchTier.WEAK and 0.25 <= weak.own_jaccard < 0.40
    assert find_near_copies(paraphrase, _vector(3), few, "Inline functions?", None) == []
    fillers = [
        PriorAnswer(index, f"Answer number {index} talks about something else entirely.", None)
        for index in range(1, WEAK_TIER_MAX_COMPARED + 1)
    ]
    assert find_near_copies(paraphrase, vector, few + fillers, "Inline functions?", None) == []
