"""The risk-over-time plot as points in a box, shared by the SVG (HTML) and PDF renderings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime


def plot_points(
    history: Sequence[tuple[datetime, float]],
    width: float,
    height: float,
    end: datetime | None = None,
) -> list[tuple[float, float]]:
    """A step line: the score holds its value until the next change. y grows downwards."""
    if not history:
        return []
    start = history[0][0]
    finish = max(end or history[-1][0], history[-1][0])
    span = max((finish - start).total_seconds(), 1.0)

    def x(at: datetime) -> float:
        return round((at - start).total_seconds() / span * width, 2)

    def y(score: float) -> float:
        return round(height - score / 100 * height, 2)

    points = [(x(history[0][0]), y(history[0][1]))]
    for at, score in history[1:]:
        points.append((x(at), points[-1][1]))
        points.append((x(at), y(score)))
    points.append((x(finish), points[-1][1]))
    return points


def svg_path(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{px:g},{py:g}" for i, (px, py) in enumerate(points))
