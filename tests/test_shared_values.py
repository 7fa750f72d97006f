"""Values defined once in Python and repeated where Python cannot reach (the migration SQL, the
pages, the API's literal types) stay equal to their definition."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from interview_monitor.interviews.schemas import EndStatusName, RiskLevelName, SessionStatusName
from interview_monitor.interviews.statuses import SessionStatus
from interview_monitor.risk.engine import HIGH_THRESHOLD, MEDIUM_THRESHOLD, RiskLevel

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "interview_monitor"
INITIAL_SQL = (PACKAGE / "db" / "migrations" / "0001_initial.sql").read_text()
STATUSES = [status.value for status in SessionStatus]


def test_the_summary_view_levels_sessions_at_the_engine_cut_offs() -> None:
    cut_offs = re.search(
        r"WHEN score >= (\d+) THEN 'HIGH' WHEN score >= (\d+) THEN 'MEDIUM' ELSE 'LOW'",
        INITIAL_SQL,
    )
    assert cut_offs is not None
    assert (int(cut_offs[1]), int(cut_offs[2])) == (HIGH_THRESHOLD, MEDIUM_THRESHOLD)


def test_the_sessions_table_takes_exactly_the_statuses() -> None:
    allowed = re.search(r"CHECK \(status IN \(([^)]*)\)\)", INITIAL_SQL)
    assert allowed is not None
    assert re.findall(r"'(\w+)'", allowed[1]) == STATUSES
    assert f"DEFAULT '{SessionStatus.IN_PROGRESS}'" in INITIAL_SQL


def test_the_api_literals_are_the_enums() -> None:
    assert list(get_args(SessionStatusName)) == STATUSES
    assert list(get_args(EndStatusName)) == STATUSES[1:]
    assert list(get_args(RiskLevelName)) == [level.value for level in RiskLevel]


def test_the_dashboard_names_every_status() -> None:
    review_js = (PACKAGE / "web" / "static" / "review.js").read_text()
    labels = re.search(r"const STATUS_LABEL = \{([^}]*)\}", review_js)
    assert labels is not None
    assert re.findall(r"(\w+):", labels[1]) == STATUSES
    review_html = (PACKAGE / "web" / "templates" / "review.html").read_text()
    assert re.findall(r'<option value="(\w+)">', review_html)[: len(STATUSES)] == STATUSES
