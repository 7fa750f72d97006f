from __future__ import annotations

from pathlib import Path

from interview_monitor.detectors.answers.graded_data import GradedAnswer, read_graded_answers

HEADER = "id,question,desired_answer,student_answer,score_me,score_other,score_avg\n"


def test_rows_become_graded_answers(tmp_path: Path) -> None:
    path = tmp_path / "graded.csv"
    path.write_text(HEADER + '1.4,Where?,At main.,"In main, first.",5,4,4.5\n', encoding="utf-8")
    (answer,) = read_graded_answers(path)
    assert answer == GradedAnswer("1.4", "Where?", "At main.", "In main, first.", 4.5)
    assert answer.request().reference == "At main."
    assert answer.request(with_reference=False).reference is None


def test_the_shared_mohler_file_reads_completely(graded_answers: list[GradedAnswer]) -> None:
    assert len(graded_answers) == 1074
    assert len({answer.question_id for answer in graded_answers}) == 37
    assert all(0.0 <= answer.grade <= 5.0 for answer in graded_answers)
