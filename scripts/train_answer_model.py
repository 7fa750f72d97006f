"""Fit the answer-scoring calibrations from the Mohler graded answers, reproducibly.

Split by question, never by answer: a fixed-seed quarter of the questions is held out, never
seen in fitting (nor in choosing the ridge penalty), and the held-out Pearson r against the
mean human grade is printed and stored with the parameters. A grouped 5-fold over all
questions gives a steadier figure. Usage:

    .venv/bin/python scripts/train_answer_model.py [--data mohler_assignments_1-6.csv]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from interview_monitor.detectors.answers.calibration import (
    LinearCalibration,
    Vector,
    fit_logistic,
    fit_ridge,
    grouped_folds,
    pearson,
    save_calibrations,
    with_output_map,
)
from interview_monitor.detectors.answers.embedding import SentenceEncoder, limit_blas_threads
from interview_monitor.detectors.answers.features import (
    QUESTION_ONLY_FEATURES,
    REFERENCE_FEATURES,
    AnswerRequest,
    measure_many,
)
from interview_monitor.detectors.answers.graded_data import GradedAnswer, read_graded_answers
from interview_monitor.detectors.answers.scorer import (
    CALIBRATION_FILE,
    QUESTION_ONLY,
    WITH_REFERENCE,
)

SEED = 2011
HELD_OUT_SHARE = 0.25
FOLDS = 5
PENALTIES = (0.3, 1.0, 3.0, 10.0, 30.0)
# Answers written for other questions, graded 0, join the real answers when the output map is
# fitted: Mohler has almost no off-topic answers, and without them the fitted line leaves an
# answer about something else near the middle of the scale.
OFF_TOPIC_PER_QUESTION = 4
# Candidate term sets; the inner grouped CV on the fitting questions picks one.
TERM_SETS = {
    "sentence cosine and reference coverage": [
        ["cosine_reference"],
        ["soft_recall_new"],
        ["cosine_reference", "cosine_reference"],
        ["soft_recall_new", "soft_recall_new"],
    ],
    "all features": [[name] for name in REFERENCE_FEATURES]
    + [["cosine_reference", "cosine_reference"], ["soft_recall_new", "soft_recall_new"]],
}
QUESTION_ONLY_TERMS = [[name] for name in QUESTION_ONLY_FEATURES]
DEFAULT_DATA = (
    Path(__file__).resolve().parents[2] / "shared/data/answers/mohler_assignments_1-6.csv"
)

Features = dict[str, float]


class MeasuredSet:
    """Features of every real answer, with and without its reference, and of off-topic pairs."""

    def __init__(self, encoder: SentenceEncoder, answers: list[GradedAnswer]) -> None:
        self.answers = answers
        rng = np.random.default_rng(SEED)
        by_question: dict[str, list[GradedAnswer]] = {}
        for answer in answers:
            by_question.setdefault(answer.question_id, []).append(answer)
        self.off_topic: list[tuple[str, GradedAnswer]] = []
        for question_id, own in by_question.items():
            others = [answer for answer in answers if answer.question_id != question_id]
            for index in rng.choice(len(others), size=len(own), replace=False):
                self.off_topic.append((question_id, others[index]))
        first = {question_id: own[0] for question_id, own in by_question.items()}
        requests = (
            [answer.request() for answer in answers]
            + [answer.request(with_reference=False) for answer in answers]
            + [
                AnswerRequest(
                    first[question_id].question, other.answer, first[question_id].reference
                )
                for question_id, other in self.off_topic
            ]
            + [
                AnswerRequest(first[question_id].question, other.answer)
                for question_id, other in self.off_topic
            ]
        )
        features = [measurement.features for measurement in measure_many(encoder, requests)]
        count, off = len(answers), len(self.off_topic)
        self.with_reference = features[:count]
        self.question_only = features[count : 2 * count]
        self.off_topic_with_reference = features[2 * count : 2 * count + off]
        self.off_topic_question_only = features[2 * count + off :]

    def grade_rows(self, questions: set[str]) -> tuple[list[Features], Vector]:
        """Real answers, then OFF_TOPIC_PER_QUESTION off-topic ones per question graded 0."""
        rows, grades = self.real(questions, with_reference=True)
        taken: dict[str, int] = {}
        off = []
        for features, (question_id, _) in zip(
            self.off_topic_with_reference, self.off_topic, strict=True
        ):
            if question_id in questions and taken.get(question_id, 0) < OFF_TOPIC_PER_QUESTION:
                taken[question_id] = taken.get(question_id, 0) + 1
                off.append(features)
        return rows + off, np.array(grades + [0.0] * len(off))

    def relevance_rows(self, questions: set[str]) -> tuple[list[Features], Vector]:
        own = [
            f
            for f, a in zip(self.question_only, self.answers, strict=True)
            if a.question_id in questions
        ]
        off = [
            f
            for f, (question_id, _) in zip(
                self.off_topic_question_only, self.off_topic, strict=True
            )
            if question_id in questions
        ]
        return own + off, np.array([1.0] * len(own) + [0.0] * len(off))

    def real(self, questions: set[str], with_reference: bool) -> tuple[list[Features], list[float]]:
        features = self.with_reference if with_reference else self.question_only
        pairs = [
            (f, a.grade)
            for f, a in zip(features, self.answers, strict=True)
            if a.question_id in questions
        ]
        return [f for f, _ in pairs], [grade for _, grade in pairs]


def auc(scores: Sequence[float], labels: Sequence[float]) -> float:
    """Probability that a random positive outscores a random negative."""
    positive = [s for s, label in zip(scores, labels, strict=True) if label == 1.0]
    negative = [s for s, label in zip(scores, labels, strict=True) if label == 0.0]
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return float(wins / (len(positive) * len(negative)))


def grouped_r(
    data: MeasuredSet,
    questions: set[str],
    fit: Callable[[set[str]], LinearCalibration],
    folds: int,
    seed: int,
) -> tuple[float, list[float]]:
    """Pooled Pearson r of out-of-fold predictions over `questions`, and each fold's own r."""
    predicted: list[float] = []
    actual: list[float] = []
    per_fold = []
    for fold in grouped_folds(sorted(questions), folds, seed):
        model = fit(questions - fold)
        rows, grades = data.real(fold, with_reference=model.kind == "grade")
        scores = model.scores(rows).tolist()
        predicted += scores
        actual += grades
        per_fold.append(pearson(scores, grades))
    return pearson(predicted, actual), per_fold


def choose_terms_and_penalty(data: MeasuredSet, questions: set[str]) -> tuple[str, float]:
    """Term set and ridge penalty with the best inner grouped-CV r on the fitting questions."""

    def r_for(choice: tuple[str, float]) -> float:
        def fit(train: set[str]) -> LinearCalibration:
            return fit_grade(data, train, *choice)

        return grouped_r(data, questions, fit, FOLDS, SEED)[0]

    return max(((name, penalty) for name in TERM_SETS for penalty in PENALTIES), key=r_for)


def fit_grade(
    data: MeasuredSet, questions: set[str], term_set: str, penalty: float
) -> LinearCalibration:
    """Ridge on the real answers' grades, then the isotonic output map with off-topic ones."""
    rows, grades = data.real(questions, with_reference=True)
    line = fit_ridge(rows, np.array(grades), TERM_SETS[term_set], penalty)
    return with_output_map(line, *data.grade_rows(questions))


def fit_relevance(data: MeasuredSet, questions: set[str]) -> LinearCalibration:
    rows, labels = data.relevance_rows(questions)
    return fit_logistic(rows, labels, QUESTION_ONLY_TERMS, penalty=1.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    args = parser.parse_args(argv)
    limit_blas_threads()
    answers = read_graded_answers(args.data)
    questions = sorted({answer.question_id for answer in answers})
    order = np.random.default_rng(SEED).permutation(len(questions))
    held_out = {questions[index] for index in order[: round(HELD_OUT_SHARE * len(questions))]}
    fitting = set(questions) - held_out
    print(f"{len(answers)} answers to {len(questions)} questions; seed {SEED}")
    print(f"held out ({len(held_out)} questions): {' '.join(sorted(held_out, key=float))}")
    print(f"fitting ({len(fitting)} questions): {' '.join(sorted(fitting, key=float))}")

    print("embedding and measuring ...", file=sys.stderr)
    data = MeasuredSet(SentenceEncoder(), answers)
    term_set, penalty = choose_terms_and_penalty(data, fitting)
    grade_model = fit_grade(data, fitting, term_set, penalty)
    relevance_model = fit_relevance(data, fitting)

    rows, grades = data.real(held_out, with_reference=True)
    held_out_r = pearson(grade_model.scores(rows), grades)
    baseline_r = pearson([100 * max(row["cosine_reference"], 0.0) for row in rows], grades)
    question_rows, question_grades = data.real(held_out, with_reference=False)
    question_only_r = pearson(relevance_model.scores(question_rows), question_grades)
    relevance_rows, labels = data.relevance_rows(held_out)
    off_topic_auc = auc(relevance_model.scores(relevance_rows).tolist(), labels.tolist())
    kfold_r, fold_rs = grouped_r(
        data, set(questions), lambda train: fit_grade(data, train, term_set, penalty), FOLDS, SEED
    )
    print(
        f"chosen by inner grouped CV on the fitting questions: {term_set!r}, ridge penalty {penalty}"
    )
    print(f"held-out Pearson r (with reference, {len(grades)} answers): {held_out_r:.3f}")
    print(f"baseline on the same answers, cosine x 100: r = {baseline_r:.3f}")
    print(
        f"grouped {FOLDS}-fold over all {len(questions)} questions: pooled r = {kfold_r:.3f}, "
        f"per fold {' '.join(f'{r:.3f}' for r in fold_rs)}"
    )
    print(
        f"without reference: held-out r vs grade = {question_only_r:.3f}, "
        f"own vs other-question answer AUC = {off_topic_auc:.3f}"
    )

    source = {
        "data_file": args.data.name,
        "data_sha256": hashlib.sha256(args.data.read_bytes()).hexdigest(),
        "seed": SEED,
        "held_out_questions": sorted(held_out, key=float),
        "fitting_questions": sorted(fitting, key=float),
    }
    grade_model.provenance.update(
        source,
        term_set=term_set,
        ridge_penalty=penalty,
        off_topic_per_question=OFF_TOPIC_PER_QUESTION,
        held_out_pearson_r=round(held_out_r, 4),
        baseline_cosine_pearson_r=round(baseline_r, 4),
        grouped_kfold_pearson_r=round(kfold_r, 4),
    )
    relevance_model.provenance.update(
        source,
        held_out_pearson_r=round(question_only_r, 4),
        held_out_off_topic_auc=round(off_topic_auc, 4),
    )
    save_calibrations(args.out, {WITH_REFERENCE: grade_model, QUESTION_ONLY: relevance_model})
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
