"""Shared answers: false alarms on real honest answers, detection of light edits, and cost.

    .venv/bin/python bench/answer_sharing.py [--data mohler_assignments_1-6.csv]

False alarms: every pair of different students' answers to the same Mohler question (15,104
pairs), judged by the full rule with the answer model's real vectors; common text is counted
over the other answers of the question, as when an answer arrives after all the others.
Detection: each answer of 8 or more words against its question's answers, after a light edit
(case and punctuation; a typo every tenth word), text rule only (a lower bound: the cosine
path can only add matches). Cost: `find_near_copies` of one answer against 100 and 1,000
prior answers with vectors, pinned to one core (the database read is not included).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time
from collections import defaultdict
from pathlib import Path

from interview_monitor.detectors.answers import load_answer_models
from interview_monitor.detectors.answers.graded_data import GradedAnswer, read_graded_answers
from interview_monitor.detectors.answers.similarity import (
    MIN_WORDS,
    MatchTier,
    PriorAnswer,
    common_shingles,
    find_near_copies,
    judge,
    prepare,
)
from shared_data import DATA

DEFAULT_DATA = DATA / "answers" / "mohler_assignments_1-6.csv"


def _edits(text: str) -> dict[str, str]:
    words = text.split()
    typo = " ".join(
        word[1:] + word[0] if index % 10 == 3 and len(word) > 3 else word
        for index, word in enumerate(words)
    )
    return {"case+punctuation": text.upper().replace(",", "").replace(".", ""), "typo": typo}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--core", type=int, default=0)
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.core})
    answers = read_graded_answers(args.data)
    encoder = load_answer_models().encoder
    started = time.perf_counter()
    vectors = encoder.encode([answer.answer for answer in answers])
    print(f"embedded {len(answers)} answers in {time.perf_counter() - started:.1f} s")
    by_question: dict[str, list[tuple[GradedAnswer, int]]] = defaultdict(list)
    for index, answer in enumerate(answers):
        by_question[answer.question_id].append((answer, index))

    pairs, flagged, strong, examples = 0, 0, 0, []
    for items in by_question.values():
        prepared = [prepare(answer.answer) for answer, _ in items]
        for (i, (a, ai)), (j, (_, bi)) in itertools.combinations(enumerate(items), 2):
            others = [p for k, p in enumerate(prepared) if k not in (i, j)]
            common = common_shingles([*others, prepared[j]], a.question, a.reference)
            verdict = judge(prepared[i], prepared[j], common, float(vectors[ai] @ vectors[bi]))
            pairs += 1
            if verdict is not None:
                flagged += 1
                strong += verdict[0] is MatchTier.STRONG
                examples.append(
                    f"  {a.question_id}: {verdict[0]} {verdict[1]:.2f} {a.answer[:70]!r}"
                )
    print(
        f"false alarms: {flagged} of {pairs} honest pairs ({flagged / pairs:.3%}); "
        f"strong tier {strong} ({strong / pairs:.3%})"
    )
    print("\n".join(examples))

    found: dict[str, int] = defaultdict(int)
    tried = 0
    for items in by_question.values():
        prior = [PriorAnswer(index, answer.answer, None) for answer, index in items]
        for answer, index in items:
            if len(answer.answer.split()) < MIN_WORDS:
                continue
            tried += 1
            for name, edited in _edits(answer.answer).items():
                matches = find_near_copies(edited, None, prior, answer.question, answer.reference)
                found[name] += index in {match.key for match in matches}
    for name, count in found.items():
        print(
            f"detected, {name}: {count} of {tried} answers of {MIN_WORDS}+ words ({count / tried:.1%})"
        )

    new, new_index = answers[0], 0
    for size in (100, 1000):
        prior = [
            PriorAnswer(key, answers[key % len(answers)].answer, vectors[key % len(answers)])
            for key in range(1, size + 1)
        ]
        walls = []
        for _ in range(20):
            wall = time.perf_counter()
            find_near_copies(new.answer, vectors[new_index], prior, new.question, new.reference)
            walls.append(time.perf_counter() - wall)
        print(
            f"find_near_copies against {size} prior answers: median "
            f"{statistics.median(walls) * 1000:.1f} ms, max {max(walls) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
