from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from interview_monitor.detectors.answers.calibration import (
    OFF_TOPIC_CAP_PROBABILITY,
    LinearCalibration,
    capped_scores,
    fit_isotonic,
    fit_logistic,
    fit_ridge,
    grouped_folds,
    load_calibrations,
    pearson,
    relevance_scores,
    save_calibrations,
    with_output_map,
)
from interview_monitor.detectors.answers.scorer import (
    CALIBRATION_FILE,
    ON_TOPIC,
    QUESTION_ONLY,
    WITH_REFERENCE,
)


def _rows(count: int, seed: int = 0) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    return [{"a": float(a), "b": float(b)} for a, b in rng.normal(size=(count, 2))]


def test_ridge_recovers_a_linear_grade_rule() -> None:
    rows = _rows(200)
    grades = np.array([2.5 + 0.8 * row["a"] - 0.3 * row["b"] for row in rows])
    model = fit_ridge(rows, grades, [["a"], ["b"]], penalty=1e-6)
    assert model.raw(rows) == pytest.approx(grades, abs=1e-4)
    contributions = model.contributions({"a": 1.0, "b": 0.0})
    assert contributions["a"] > 0 > model.weights[1]


def test_products_of_features_are_terms() -> None:
    rows = _rows(200)
    grades = np.array([1.0 + row["a"] ** 2 for row in rows])
    model = fit_ridge(rows, grades, [["a"], ["a", "a"]], penalty=1e-6)
    assert model.raw([{"a": 2.0, "b": 0.0}])[0] == pytest.approx(5.0, abs=1e-3)


def test_grade_scores_are_percentages_clipped_to_0_100() -> None:
    model = LinearCalibration("grade", [["a"]], [0.0], [1.0], [10.0], 2.5)
    assert model.scores([{"a": 0.0}, {"a": 5.0}, {"a": -5.0}]).tolist() == [50.0, 100.0, 0.0]


def test_logistic_regression_separates_two_groups() -> None:
    rows = [{"a": value} for value in np.linspace(-3, 3, 61)]
    labels = np.array([1.0 if row["a"] > 0.4 else 0.0 for row in rows])
    model = fit_logistic(rows, labels, [["a"]], penalty=0.1)
    probabilities = model.scores(rows)
    assert model.kind == "relevance"
    assert probabilities[0] < 5 and probabilities[-1] > 95
    assert probabilities[30] < 50 < probabilities[36]


def test_isotonic_fit_pools_adjacent_violators() -> None:
    knots = fit_isotonic(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 3.0, 2.0, 4.0]))
    assert knots == [[1.0, 1.0], [2.5, 2.5], [4.0, 4.0]]


def test_output_map_is_monotone_and_keeps_the_order() -> None:
    rows = _rows(300, seed=1)
    grades = np.clip(np.array([4 + row["a"] for row in rows]), 0, 5)
    line = fit_ridge(rows, grades, [["a"]], penalty=1.0)
    mapped = with_output_map(line, rows, grades)
    probe = [{"a": value, "b": 0.0} for value in np.linspace(-4, 4, 50)]
    assert np.all(np.diff(mapped.scores(probe)) >= 0)
    assert pearson(mapped.scores(rows), grades) > 0.95


def test_the_off_topic_cap_acts_only_when_the_on_topic_model_is_sure() -> None:
    grade = LinearCalibration("grade", [["a"]], [0.0], [1.0], [0.0], 4.0)
    on_topic = LinearCalibration("relevance", [["a"]], [0.0], [1.0], [1.0], 0.0)
    half_the_cap = OFF_TOPIC_CAP_PROBABILITY / 2
    sure_off = float(np.log(half_the_cap / (1 - half_the_cap)))
    rows = [
        {"a": 0.0, "no_content": 0.0},
        {"a": sure_off, "no_content": 0.0},
        {"a": 0.0, "no_content": 1.0},
    ]
    scores, probabilities = capped_scores(grade, on_topic, rows)
    assert scores.tolist() == pytest.approx([80.0, 40.0, 0.0], abs=0.01)
    assert probabilities[1] == pytest.approx(half_the_cap)


def test_answers_without_content_score_0_without_a_reference_too() -> None:
    model = LinearCalibration("relevance", [["a"]], [0.0], [1.0], [1.0], 0.0)
    rows = [{"a": 0.0, "no_content": 0.0}, {"a": 0.0, "no_content": 1.0}]
    assert relevance_scores(model, rows).tolist() == [50.0, 0.0]


def test_grouped_folds_split_questions_disjointly_and_reproducibly() -> None:
    groups = [f"{q}" for q in range(11) for _ in range(3)]
    folds = grouped_folds(groups, 4, seed=3)
    assert sorted(q for fold in folds for q in fold) == sorted(set(groups))
    assert sum(len(fold) for fold in folds) == 11
    assert folds == grouped_folds(groups, 4, seed=3)


def test_calibrations_round_trip_through_json(tmp_path: Path) -> None:
    model = LinearCalibration(
        "grade",
        [["a"], ["a", "b"]],
        [0.1, 0.2],
        [1.0, 2.0],
        [0.3, 0.4],
        3.0,
        [[0.0, 0.0], [5.0, 5.0]],
        {"seed": 1},
    )
    save_calibrations(tmp_path / "models.json", {"x": model})
    assert load_calibrations(tmp_path / "models.json") == {"x": model}


def test_the_shipped_calibrations_are_small_and_record_how_they_were_fitted() -> None:
    assert CALIBRATION_FILE.stat().st_size < 100_000
    shipped = load_calibrations(CALIBRATION_FILE)
    assert set(shipped) == {WITH_REFERENCE, ON_TOPIC, QUESTION_ONLY}
    provenance = shipped[WITH_REFERENCE].provenance
    assert provenance["held_out_pearson_r"] > provenance["baseline_cosine_pearson_r"]
    assert len(provenance["held_out_questions"]) >= 9
