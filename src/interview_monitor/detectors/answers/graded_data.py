"""Reading graded short answers (the Mohler et al. 2011 CSV layout) for fitting and measuring.

The data stays outside the repository; the training script, the benchmark and the tests read
it from the shared data folder.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from interview_monitor.detectors.answers.features import AnswerRequest


@dataclass(frozen=True)
class GradedAnswer:
    question_id: str
    question: str
    reference: str
    answer: str
    grade: float  # mean of the two human grades, 0-5

    def request(self, with_reference: bool = True) -> AnswerRequest:
        return AnswerRequest(self.question, self.answer, self.reference if with_reference else None)


def read_graded_answers(path: Path) -> list[GradedAnswer]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            GradedAnswer(
                question_id=row["id"],
                question=row["question"],
                reference=row["desired_answer"],
                answer=row["student_answer"],
                grade=float(row["score_avg"]),
            )
            for row in csv.DictReader(handle)
        ]
