"""The report as a self-contained HTML page (no scripts, no outside assets)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from interview_monitor.reports.plot import plot_points, svg_path
from interview_monitor.risk.engine import LEVEL_STARTS, LEVELS_EXPLAINED

PLOT_WIDTH, PLOT_HEIGHT = 720.0, 160.0

_environment = Environment(
    loader=PackageLoader("interview_monitor.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M:%S %Z")


def _clock(value: datetime, start: datetime) -> str:
    seconds = max(0, int((value - start).total_seconds()))
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


_environment.filters["when"] = _when
_environment.filters["clock"] = _clock


def risk_history(report: dict[str, Any]) -> list[tuple[datetime, float]]:
    return [(point["at"], point["total_risk_score"]) for point in report["risk_history"]]


def render_html(report: dict[str, Any]) -> str:
    points = plot_points(risk_history(report), PLOT_WIDTH, PLOT_HEIGHT, report["end_time"])
    return _environment.get_template("report.html").render(
        report=report,
        plot_path=svg_path(points),
        plot_width=PLOT_WIDTH,
        plot_height=PLOT_HEIGHT,
        thresholds=[(start, level.value) for start, level in LEVEL_STARTS],
        levels_explained=LEVELS_EXPLAINED,
    )
