"""Linear calibrations from answer features to a 0-100 score, and the numpy fitting behind them.

Both kinds are a standardised linear combination of terms, where a term is a product of named
features (a single name is the feature itself, a repeated name its square):
- "grade": ridge regression on human grades 0-5 (with a reference answer), then a monotone
  (isotonic) map fitted on graded answers plus off-topic ones graded 0, so that an answer far
  below anything the graders saw lands near 0 instead of where the straight line leaves it;
- "relevance": logistic regression of on-topic vs off-topic answers, as a 0-100 probability
  (without a reference answer, where only relevance to the question can be judged; with one, as
  an off-topic cap, see `capped_scores`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from interview_monitor.detectors.answers.features import NO_CONTENT

Vector = NDArray[np.float64]
Kind = Literal["grade", "relevance"]
GRADE_MAX = 5.0


@dataclass(frozen=True)
class LinearCalibration:
    kind: Kind
    terms: list[list[str]]
    means: list[float]
    scales: list[float]
    weights: list[float]
    intercept: float
    # Isotonic output map for "grade": knots (raw prediction, grade), interpolated linearly.
    output_knots: list[list[float]] = field(default_factory=list)
    # How it was fitted and measured, kept beside the numbers it explains.
    provenance: dict[str, Any] = field(default_factory=dict)

    def design(self, rows: Sequence[Mapping[str, float]]) -> Vector:
        return design_matrix(rows, self.terms)

    def raw(self, rows: Sequence[Mapping[str, float]]) -> Vector:
        standardised = (self.design(rows) - np.asarray(self.means)) / np.asarray(self.scales)
        linear: Vector = standardised @ np.asarray(self.weights) + self.intercept
        return linear

    def scores(self, rows: Sequence[Mapping[str, float]]) -> Vector:
        """0-100 scores for feature rows."""
        linear = self.raw(rows)
        if self.kind == "grade":
            if self.output_knots:
                knots_x, knots_y = np.asarray(self.output_knots).T
                linear = np.interp(linear, knots_x, knots_y)
            percent: Vector = np.clip(linear / GRADE_MAX * 100.0, 0.0, 100.0)
            return percent
        probability: Vector = 100.0 / (1.0 + np.exp(-linear))
        return probability

    def contributions(self, row: Mapping[str, float]) -> dict[str, float]:
        """Each term's share of the linear output for one row, to explain a score."""
        standardised = (self.design([row])[0] - np.asarray(self.means)) / np.asarray(self.scales)
        return {
            "*".join(term): float(value * weight)
            for term, value, weight in zip(self.terms, standardised, self.weights, strict=True)
        }


# The off-topic cap acts only where the on-topic model is this sure an answer is off-topic:
# graders often give full marks to terse answers that share no word with the question, and a
# stronger cap cost held-out agreement with them (r 0.59 -> 0.52 at 0.2).
OFF_TOPIC_CAP_PROBABILITY = 0.02


def _without_content(rows: Sequence[Mapping[str, float]]) -> NDArray[np.bool_]:
    return np.array([row[NO_CONTENT] > 0 for row in rows], dtype=bool)


def capped_scores(
    grade: LinearCalibration, on_topic: LinearCalibration, rows: Sequence[Mapping[str, float]]
) -> tuple[Vector, Vector]:
    """Scores of answers with a reference: grade scores scaled down where `on_topic` says the
    answer is about something else, and 0 for an answer with no letter or digit at all. Also
    returns the on-topic probabilities (0-1)."""
    probability = on_topic.scores(rows) / 100.0
    factor = np.minimum(1.0, probability / OFF_TOPIC_CAP_PROBABILITY)
    capped: Vector = np.where(_without_content(rows), 0.0, grade.scores(rows) * factor)
    return capped, probability


def relevance_scores(model: LinearCalibration, rows: Sequence[Mapping[str, float]]) -> Vector:
    """Scores of answers without a reference; 0 for an answer with no letter or digit."""
    scores: Vector = np.where(_without_content(rows), 0.0, model.scores(rows))
    return scores


def save_calibrations(path: Path, calibrations: Mapping[str, LinearCalibration]) -> None:
    path.write_text(
        json.dumps({name: asdict(model) for name, model in calibrations.items()}, indent=1) + "\n"
    )


def load_calibrations(path: Path) -> dict[str, LinearCalibration]:
    data: dict[str, dict[str, Any]] = json.loads(path.read_text())
    return {name: LinearCalibration(**fields) for name, fields in data.items()}


def design_matrix(rows: Sequence[Mapping[str, float]], terms: Sequence[Sequence[str]]) -> Vector:
    return np.array(
        [[math.prod(row[name] for name in term) for term in terms] for row in rows],
        dtype=np.float64,
    ).reshape(len(rows), len(terms))


def _standardise(design: Vector) -> tuple[Vector, Vector, Vector]:
    means = design.mean(axis=0)
    scales = design.std(axis=0)
    scales[scales < 1e-9] = 1.0
    return (design - means) / scales, means, scales


def fit_ridge(
    rows: Sequence[Mapping[str, float]],
    grades: Vector,
    terms: list[list[str]],
    penalty: float,
) -> LinearCalibration:
    standardised, means, scales = _standardise(design_matrix(rows, terms))
    centre = float(grades.mean())
    gram = standardised.T @ standardised + penalty * np.eye(len(terms))
    coefficients = np.linalg.solve(gram, standardised.T @ (grades - centre))
    return LinearCalibration(
        "grade", terms, means.tolist(), scales.tolist(), coefficients.tolist(), centre
    )


def fit_logistic(
    rows: Sequence[Mapping[str, float]],
    labels: Vector,
    terms: list[list[str]],
    penalty: float,
    iterations: int = 50,
) -> LinearCalibration:
    """L2-penalised logistic regression by Newton's method (the intercept is not penalised)."""
    standardised, means, scales = _standardise(design_matrix(rows, terms))
    design = np.hstack([standardised, np.ones((len(labels), 1))])
    coefficients = np.zeros(design.shape[1])
    penalties = np.full(design.shape[1], penalty)
    penalties[-1] = 0.0
    for _ in range(iterations):
        probability = 1.0 / (1.0 + np.exp(-(design @ coefficients)))
        gradient = design.T @ (probability - labels) + penalties * coefficients
        curvature = (design * (probability * (1 - probability))[:, None]).T @ design
        step = np.linalg.solve(
            curvature + np.diag(penalties) + 1e-9 * np.eye(len(penalties)), gradient
        )
        coefficients -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return LinearCalibration(
        "relevance",
        terms,
        means.tolist(),
        scales.tolist(),
        coefficients[:-1].tolist(),
        float(coefficients[-1]),
    )


def fit_isotonic(raw: Vector, target: Vector) -> list[list[float]]:
    """Pool-adjacent-violators: the non-decreasing step fit of `target` on `raw`, returned as
    knots (centre of each pooled block, its mean target) for linear interpolation."""
    order = np.argsort(raw, kind="stable")
    blocks: list[list[float]] = []  # [target sum, count, first raw, last raw]
    for position in order:
        blocks.append([float(target[position]), 1.0, float(raw[position]), float(raw[position])])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            total, count, _, last = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
            blocks[-1][3] = last
    return [[(first + last) / 2, total / count] for total, count, first, last in blocks]


def with_output_map(
    model: LinearCalibration, rows: Sequence[Mapping[str, float]], grades: Vector
) -> LinearCalibration:
    """`model` with an isotonic map from its raw output to the grades of `rows`."""
    return replace(model, output_knots=fit_isotonic(model.raw(rows), grades))


def pearson(predicted: Sequence[float] | Vector, actual: Sequence[float] | Vector) -> float:
    return float(
        np.corrcoef(np.asarray(predicted, dtype=np.float64), np.asarray(actual, dtype=np.float64))[
            0, 1
        ]
    )


def grouped_folds(groups: Sequence[str], folds: int, seed: int) -> list[set[str]]:
    """Split the distinct groups (questions) into `folds` disjoint sets, shuffled by `seed`."""
    distinct = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(distinct))
    return [{distinct[index] for index in order[fold::folds]} for fold in range(folds)]
