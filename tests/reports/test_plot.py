from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interview_monitor.reports.plot import plot_points, svg_path

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_step_line_holds_each_score_until_the_next_change() -> None:
    history = [(T0, 0.0), (T0 + timedelta(seconds=50), 50.0)]
    points = plot_points(history, width=100, height=100, end=T0 + timedelta(seconds=100))
    assert points == [(0, 100), (50, 100), (50, 50), (100, 50)]
    assert svg_path(points) == "M0,100 L50,100 L50,50 L100,50"


def test_empty_history_draws_nothing() -> None:
    assert plot_points([], 100, 100) == []
