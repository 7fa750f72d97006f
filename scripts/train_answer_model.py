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
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interview_monitor.detectors.answers.calibration import (
    LinearCalibration,
    Vector,
    capped_scores,
    fit_logistic,
    fit_ridge,
    grouped_folds,
    pearson,
    relevance_scores,
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
    ON_TOPIC,
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
REFERENCE_SINGLE_TERMS = [[name] for name in REFERENCE_FEATURES]
# Answers from another subject (data-science interview answers for these programming
# questions), per question, as off-topic examples for the on-topic models.
OTHER_SUBJECT_PER_QUESTION = 8
DEFAULT_DATA = (
    Path(__file__).resolve().parents[2] / "shared/data/answers/mohler_assignments_1-6.csv"
)

DEFAULT_OTHER_SUBJECT = (
    DEFAULT_DATA.parents[1] / "interview_questions/data_science_interviews_theory_qa.jsonl"
)

Features = dict[str, float]


@dataclass(frozen=True)
class OffTopic:
    question_id: str
    answer: str
    from_other_subject: bool


class MeasuredSet:
    """Features of every real answer, with and without its reference, and of off-topic ones:
    answers written for other questions of the course, and answers from another subject."""

    def __init__(
        self, encoder: SentenceEncoder, answers: list[GradedAnswer], other_subject: list[str]
    ) -> None:
        self.answers = answers
        rng = np.random.default_rng(SEED)
        by_question: dict[str, list[GradedAnswer]] = {}
        for answer in answers:
            by_question.setdefault(answer.question_id, []).append(answer)
        self.off_topic: list[OffTopic] = []
        for question_id, own in by_question.items():
            others = [answer.answer for answer in answers if answer.question_id != question_id]
            for index in rng.choice(len(others), size=len(own), replace=False):
                self.off_topic.append(OffTopic(question_id, others[index], False))
            for index in rng.choice(
                len(other_subject), size=OTHER_SUBJECT_PER_QUESTION, replace=False
            ):
                self.off_topic.append(OffTopic(question_id, other_subject[index], True))
        first = {question_id: own[0] for question_id, own in by_question.items()}
        off_topic_requests = [
            AnswerRequest(
                first[off.question_id].question, off.answer, first[off.question_id].reference
            )
            for off in self.off_topic
        ]
        requests = (
            [answer.request() for answer in answers]
            + [answer.request(with_reference=False) for answer in answers]
            + off_topic_requests
            + [AnswerRequest(request.question, request.answer) for request in off_topic_requests]
        )
        features = [measurement.features for measurement in measure_many(encoder, requests)]
        count, off = len(answers), len(self.off_topic)
        self.with_reference = features[:count]
        self.question_only = features[count : 2 * count]
        self.off_topic_with_reference = features[2 * count : 2 * count + off]
        self.off_topic_question_only = features[2 * count + off :]

    def grade_rows(self, questions: set[str]) -> tuple[list[Features], Vector]:
        """Real answers, then OFF_TOPIC_PER_QUESTION of the course's off-topic answers per
        question graded 0 (for the output map)."""
        rows, grades = self.real(questions, with_reference=True)
        taken: dict[str, int] = {}
        off = []
        for features, item in zip(self.off_topic_with_reference, self.off_topic, strict=True):
            if item.from_other_subject or item.question_id not in questions:
                continue
            if taken.get(item.question_id, 0) < OFF_TOPIC_PER_QUESTION:
                taken[item.question_id] = taken.get(item.question_id, 0) + 1
                off.append(features)
        return rows + off, np.array(grades + [0.0] * len(off))

    def on_topic_rows(
        self, questions: set[str], with_reference: bool
    ) -> tuple[list[Features], Vector]:
        """Real answers labelled 1, every off-topic answer labelled 0."""
        own, _ = self.real(questions, with_reference)
        off_features = (
            self.off_topic_with_reference if with_reference else self.off_topic_question_only
        )
        off = [
            features
            for features, item in zip(off_features, self.off_topic, strict=True)
            if item.question_id in questions
        ]
        return own + off, np.array([1.0] * len(own) + [0.0] * len(off))

    def off_topic_features(self, questions: set[str], other_subject: bool) -> list[Features]:
        return [
            features
            for features, item in zip(self.off_topic_with_reference, self.off_topic, strict=True)
            if item.question_id in questions and item.from_other_subject == other_subject
        ]

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


Predictor = Callable[[list[Features]], Vector]


def grouped_r(
    data: MeasuredSet, questions: set[str], fit: Callable[[set[str]], Predictor], seed: int
) -> tuple[float, list[float]]:
    """Pooled Pearson r of out-of-fold scores of the real answers (with their references) over
    `questions`, split by question into FOLDS folds, and each fold's own r."""
    predicted: list[float] = []
    actual: list[float] = []
    per_fold = []
    for fold in grouped_folds(sorted(questions), FOLDS, seed):
        predict = fit(questions - fold)
        rows, grades = data.real(fold, with_reference=True)
        scores = predict(rows).tolist()
        predicted += scores
        actual += grades
        per_fold.append(pearson(scores, grades))
    return pearson(predicted, actual), per_fold


def choose_terms_and_penalty(data: MeasuredSet, questions: set[str]) -> tuple[str, float]:
    """Term set and ridge penalty with the best inner grouped-CV r on the fitting questions."""

    def r_for(choice: tuple[str, float]) -> float:
        return grouped_r(
            data, questions, lambda train: fit_grade(data, train, *choice).scores, SEED
        )[0]

    return max(((name, penalty) for name in TERM_SETS for penalty in PENALTIES), key=r_for)


def fit_grade(
    data: MeasuredSet, questions: set[str], term_set: str, penalty: float
) -> LinearCalibration:
    """Ridge on the real answers' grades, then the isotonic output map with off-topic ones."""
    rows, grades = data.real(questions, with_reference=True)
    line = fit_ridge(rows, np.array(grades), TERM_SETS[term_set], penalty)
    return with_output_map(line, *data.grade_rows(questions))


def fit_on_topic(data: MeasuredSet, questions: set[str], with_reference: bool) -> LinearCalibration:
    rows, labels = data.on_topic_rows(questions, with_reference)
    terms = REFERENCE_SINGLE_TERMS if with_reference else QUESTION_ONLY_TERMS
    return fit_logistic(rows, labels, terms, penalty=1.0)


def fit_pipeline(
    data: MeasuredSet, questions: set[str], term_set: str, penalty: float
) -> Predictor:
    grade = fit_grade(data, questions, term_set, penalty)
    on_topic = fit_on_topic(data, questions, with_reference=True)
    return lambda rows: capped_scores(grade, on_topic, rows)[0]


def read_other_subject_answers(path: Path) -> list[str]:
    lines = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return [line["reference_answer"] for line in lines if line.get("reference_answer")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--other-subject", type=Path, default=DEFAULT_OTHER_SUBJECT)
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

    print("embedding and measuring ...", file=sys.stderr, flush=True)
    data = MeasuredSet(SentenceEncoder(), answers, read_other_subject_answers(args.other_subject))
    term_set, penalty = choose_terms_and_penalty(data, fitting)
    grade_model = fit_grade(data, fitting, term_set, penalty)
    on_topic_model = fit_on_topic(data, fitting, with_reference=True)
    relevance_model = fit_on_topic(data, fitting, with_reference=False)
    print(
        f"chosen by inner grouped CV on the fitting questions: {term_set!r}, ridge penalty {penalty}"
    )

    rows, grades = data.real(held_out, with_reference=True)
    final_scores, _ = capped_scores(grade_model, on_topic_model, rows)
    figures = {
        "held_out_pearson_r": pearson(final_scores, grades),
        "held_out_pearson_r_without_off_topic_cap": pearson(grade_model.scores(rows), grades),
        "baseline_cosine_pearson_r": pearson(
            [100 * max(row["cosine_reference"], 0.0) for row in rows], grades
        ),
        "grouped_kfold_pearson_r": grouped_r(
            data, set(questions), lambda train: fit_pipeline(data, train, term_set, penalty), SEED
        )[0],
    }
    for other_subject in (False, True):
        off_rows = data.off_topic_features(held_out, other_subject)
        name = "other_subject" if other_subject else "other_question"
        figures[f"held_out_mean_score_{name}_answers"] = float(
            capped_scores(grade_model, on_topic_model, off_rows)[0].mean()
        )
    question_rows, question_grades = data.real(held_out, with_reference=False)
    relevance_figures = {
        "held_out_pearson_r": pearson(
            relevance_scores(relevance_model, question_rows), question_grades
        ),
        "held_out_on_topic_auc": auc(
            *_scored(relevance_model, *data.on_topic_rows(held_out, False))
        ),
    }
    print(f"held-out answers with reference: {len(grades)}")
    for name, value in {
        **figures,
        **{f"question_only_{k}": v for k, v in relevance_figures.items()},
    }.items():
        print(f"  {name}: {value:.3f}")

    source = {
        "data_file": args.data.name,
        "data_sha256": hashlib.sha256(args.data.read_bytes()).hexdigest(),
        "other_subject_file": args.other_subject.name,
        "seed": SEED,
        "held_out_questions": sorted(held_out, key=float),
        "fitting_questions": sorted(fitting, key=float),
    }
    grade_model.provenance.update(
        source,
        term_set=term_set,
        ridge_penalty=penalty,
        off_topic_per_question=OFF_TOPIC_PER_QUESTION,
        **{name: round(value, 4) for name, value in figures.items()},
    )
    on_topic_model.provenance.update(source)
    relevance_model.provenance.update(
        source, **{name: round(value, 4) for name, value in relevance_figures.items()}
    )
    save_calibrations(
        args.out,
        {WITH_REFERENCE: grade_model, ON_TOPIC: on_topic_model, QUESTION_ONLY: relevance_model},
    )
    print(f"wrote {args.out}")
    return 0


def _scored(
    model: LinearCalibration, rows: list[Features], labels: Vector
) -> tuple[list[float], list[float]]:
    return model.scores(rows).tolist(), labels.tolist()


if __name__ == "__main__":
    raise SystemExit(main())
