"""Answer scoring: agreement with human grades on held-out questions, latency, throughput.

    .venv/bin/python bench/answers.py [--data mohler_assignments_1-6.csv] [--latency-answers 60]

Agreement: the shipped calibration was fitted without a quarter of the Mohler questions
(listed in its provenance); this scores every answer to those questions and prints Pearson r
against the mean human grade, next to the baseline measured in the same run (cosine
similarity of answer and reference embeddings, times 100) and their ratio. The grouped 5-fold
figure is the one scripts/train_answer_model.py measured when it fitted the shipped file.

Speed: the process is pinned to one core and numpy's BLAS to one thread, as in a server
worker. Latency is one `score()` call per answer: cold, with question, reference and answer
all embedded; warm, with the question and reference already in the scorer's cache (as for
every candidate after the first). Throughput is `score_many()` over all 1,074 answers by a
fresh scorer, where each question and reference is embedded once. CPU time is printed beside wall time because other processes on
the machine inflate wall time but not CPU time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from interview_monitor.detectors.answers import AnswerScorer, load_answer_models
from interview_monitor.detectors.answers.calibration import pearson
from interview_monitor.detectors.answers.graded_data import read_graded_answers
from shared_data import DATA

DEFAULT_DATA = DATA / "answers" / "mohler_assignments_1-6.csv"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--latency-answers", type=int, default=60)
    parser.add_argument("--core", type=int, default=0)
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.core})

    started = time.perf_counter()
    models = load_answer_models()
    print(f"model load: {time.perf_counter() - started:.2f} s wall")
    scorer = AnswerScorer(models)
    answers = read_graded_answers(args.data)
    provenance = models.with_reference.provenance
    held_out = set(provenance["held_out_questions"])
    measured = [answer for answer in answers if answer.question_id in held_out]
    grades = [answer.grade for answer in measured]

    scores = scorer.score_many([answer.request() for answer in measured])
    model_r = pearson([score.relevance for score in scores], grades)
    baseline_r = pearson(
        [100 * max(score.details["features"]["cosine_reference"], 0.0) for score in scores], grades
    )
    question_only = scorer.score_many([answer.request(with_reference=False) for answer in measured])
    question_only_r = pearson([score.relevance for score in question_only], grades)
    print(
        f"held-out questions ({len(held_out)}, never seen in fitting): {' '.join(sorted(held_out, key=float))}; "
        f"{len(measured)} answers"
    )
    print(f"  Pearson r, calibrated model:          {model_r:.3f}")
    print(f"  Pearson r, baseline cosine x 100:     {baseline_r:.3f}")
    print(f"  ratio model / baseline:               {model_r / baseline_r:.2f}")
    print(f"  grouped 5-fold r (fit script):        {provenance['grouped_kfold_pearson_r']:.3f}")
    print(f"  without the reference (relevance only) r vs grade: {question_only_r:.3f}")
    print(
        "  published on Mohler data: 0.48 (Mohler 2011), 0.59 (Sultan 2016); graders agree at 0.58-0.60"
    )

    sample = answers[:: max(1, len(answers) // args.latency_answers)][: args.latency_answers]
    scorer.score(sample[0].question, sample[0].answer, sample[0].reference)
    for label, fresh_scorer_each_time in (("cold", True), ("warm", False)):
        walls, cpus = [], []
        for answer in sample:
            # A fresh scorer has an empty cache: question and reference are embedded too.
            timed = AnswerScorer(models) if fresh_scorer_each_time else scorer
            wall, cpu = time.perf_counter(), time.process_time()
            timed.score(answer.question, answer.answer, answer.reference)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        print(
            f"latency per answer, score(), {label} ({len(sample)} answers): "
            f"median {statistics.median(walls) * 1000:.1f} ms wall, "
            f"{statistics.median(cpus) * 1000:.1f} ms CPU; 95th percentile "
            f"{sorted(walls)[int(0.95 * (len(walls) - 1))] * 1000:.1f} ms wall"
        )

    wall, cpu = time.perf_counter(), time.process_time()
    AnswerScorer(models).score_many([answer.request() for answer in answers])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"batch throughput, score_many() over {len(answers)} answers: {len(answers) / wall:.1f} answers/s wall, "
        f"{len(answers) / cpu:.1f} answers per CPU second ({wall:.1f} s wall, {cpu:.1f} s CPU)"
    )


if __name__ == "__main__":
    main()
