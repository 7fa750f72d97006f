"""The report as a self-contained HTML page (no scripts, no outside assets)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
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


OUTCOME_LABELS = {
    "cleared": "Cleared",
    "needs_follow_up": "Needs follow-up",
    "confirmed": "Confirmed",
}


def dismissal_text(dismissed: Mapping[str, Any]) -> str:
    """ "dismissed by Ivan Reviewer at 2024-05-01 10:00:00 UTC: his sister walked in"."""
    text = f"dismissed by {dismissed.get('by_name', 'someone')} at {_when(dismissed['at'])}"
    return text + (f": {dismissed['reason']}" if dismissed.get("reason") else "")


_environment.filters["when"] = _when
_environment.filters["clock"] = _clock
_environment.filters["dismissal"] = dismissal_text
_environment.filters["outcome"] = lambda value: OUTCOME_LABELS.get(value, value)


def risk_history(report: dict[str, Any]) -> list[tuple[datetime, float]]:
    return [(point["at"], point["total_risk_score"]) for point in report["risk_history"]]


def render_html(report: dict[str, Any], snapshots: Mapping[str, bytes]) -> str:
    """The page; stored snapshots are embedded as data: URLs, so the page stays whole when
    it is saved, mailed or opened from a blob (no request of it needs the reviewer's token)."""
    embedded = {
        url: "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
        for url, data in snapshots.items()
    }
    points = plot_points(risk_history(report), PLOT_WIDTH, PLOT_HEIGHT, report["end_time"])
    return _environment.get_template("report.html").render(
        report=report,
        plot_path=svg_path(points),
        plot_width=PLOT_WIDTH,
        plot_height=PLOT_HEIGHT,
        thresholds=[(start, level.value) for start, level in LEVEL_STARTS],
        levels_explained=LEVELS_EXPLAINED,
        snapshots=embedded,
    )
