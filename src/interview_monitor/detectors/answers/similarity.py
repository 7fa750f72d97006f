"""Near-copies between candidates' answers to the same question. Pure: text and vectors in.

Raw similarity does not tell copies from honest answers: on the Mohler answers 86 pairs of
different students are equal after normalisation and hundreds quote the same textbook
sentence (often the reference answer). So the rule compares each answer's *own* text: the
character 5-grams left after removing those of the question, of the reference answer and
those used by many of the prior answers (`common_shingles`). Thresholds and their measured
false-alarm and detection rates are in docs/answers.md ("Answers shared between candidates").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

SHINGLE_CHARS = 5
# Below 8 words even single synonym swaps escape detection (27-29 %) and equal short answers
# ("a pointer to memory") are common among honest candidates: never a flag.
MIN_WORDS = 8
# Own 5-grams the shorter answer must keep (about two to three words of its own text).
MIN_OWN_SHINGLES = 10
# A 5-gram used by at least this share of the prior answers (and this many) is nobody's own.
COMMON_SHARE = 0.10
COMMON_MIN_COUNT = 3
# Own-text Jaccard of a near-copy; honest pairs: p99 0.11, p99.9 0.33.
OWN_JACCARD_MIN = 0.40
# Or the answer model's cosine with a lower own-text floor: catches synonym swaps and fillers.
COSINE_MIN = 0.93
OWN_JACCARD_FLOOR = 0.25
# The strong tier: long own text in common (11 of 15,104 honest pairs, docs/answers.md).
STRONG_OWN_SHINGLES = 25
# Compared with more prior answers than this, only strong matches are reported: a weak
# match's per-pair false-alarm rate (3.3e-4) would flag 1 - (1 - p) ** n of honest answers,
# 3.2 % at 100 and 28 % at 1,000.
WEAK_TIER_MAX_COMPARED = 100

_NON_WORD = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")


class MatchTier(StrEnum):
    STRONG = "strong"
    WEAK = "weak"


def normalise(text: str) -> str:
    """NFKC, lower case, punctuation removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _SPACE.sub(" ", _NON_WORD.sub(" ", text)).strip()


def shingles(normalised: str) -> frozenset[str]:
    padded = f" {normalised} "
    if len(padded) <= SHINGLE_CHARS:
        return frozenset([padded])
    return frozenset(padded[i : i + SHINGLE_CHARS] for i in range(len(padded) - SHINGLE_CHARS + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


@dataclass(frozen=True)
class PreparedAnswer:
    words: int
    shingles: frozenset[str]


def prepare(text: str) -> PreparedAnswer:
    normalised = normalise(text)
    return PreparedAnswer(len(normalised.split()), shingles(normalised))


@dataclass(frozen=True)
class PriorAnswer:
    """An earlier answer to the same question, from another candidate's session."""

    key: int
    text: str
    vector: NDArray[np.float32] | None


@dataclass(frozen=True)
class NearCopy:
    key: int  # the PriorAnswer's key
    tier: MatchTier
    own_jaccard: float
    own_shingles: int  # of the answer with less own text
    cosine: float | None


def common_shingles(
    prior: Sequence[PreparedAnswer], question: str, reference: str | None
) -> frozenset[str]:
    """5-grams that are nobody's own: the question's, the reference's, or in many answers."""
    counts = Counter(shingle for answer in prior for shingle in answer.shingles)
    cut = max(COMMON_MIN_COUNT, COMMON_SHARE * len(prior))
    common = {shingle for shingle, count in counts.items() if count >= cut}
    for text in (question, reference or ""):
        if text.strip():
            common |= shingles(normalise(text))
    return frozenset(common)


def judge(
    new: PreparedAnswer, old: PreparedAnswer, common: frozenset[str], cosine: float | None
) -> tuple[MatchTier, float, int] | None:
    """The tier, own-text Jaccard and smaller own-text size of a near-copy; None otherwise."""
    if min(new.words, old.words) < MIN_WORDS:
        return None
    own_new, own_old = new.shingles - common, old.shingles - common
    own_min = min(len(own_new), len(own_old))
    if own_min < MIN_OWN_SHINGLES:
        return None
    own = jaccard(own_new, own_old)
    by_text = own >= OWN_JACCARD_MIN
    by_meaning = cosine is not None and cosine >= COSINE_MIN and own >= OWN_JACCARD_FLOOR
    if not (by_text or by_meaning):
        return None
    strong = by_text and own_min >= STRONG_OWN_SHINGLES
    return (MatchTier.STRONG if strong else MatchTier.WEAK), own, own_min


def find_near_copies(
    answer: str,
    vector: NDArray[np.float32] | None,
    prior: Sequence[PriorAnswer],
    question: str,
    reference: str | None,
) -> list[NearCopy]:
    """The prior answers that `answer` nearly copies (or that copy it), strongest first.

    Vectors are the answer model's unit sentence vectors; without them only the text rule
    applies. Cost: one preparation per prior answer (about 0.1 ms) and a set difference and
    Jaccard per pair; the cosines are one matrix-vector product.
    """
    new = prepare(answer)
    prepared = [prepare(item.text) for item in prior]
    common = common_shingles(prepared, question, reference)
    weak_allowed = len(prior) <= WEAK_TIER_MAX_COMPARED
    found: list[NearCopy] = []
    for item, old in zip(prior, prepared, strict=True):
        cosine = (
            float(np.dot(vector, item.vector))
            if vector is not None and item.vector is not None
            else None
        )
        verdict = judge(new, old, common, cosine)
        if verdict is None:
            continue
        tier, own, own_min = verdict
        if tier is MatchTier.WEAK and not weak_allowed:
            continue
        found.append(NearCopy(item.key, tier, round(own, 4), own_min, cosine))
    found.sort(key=lambda match: (match.tier is not MatchTier.STRONG, -match.own_jaccard))
    return found
