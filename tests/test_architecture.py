"""Layering rules: detectors and the risk engine are plain Python, testable without a web server or a database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "interview_monitor"
PURE_PARTS = ["detectors", "risk", "media", "signals.py"]
FORBIDDEN = {
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "psycopg",
    "asyncpg",
    "interview_monitor.db",
}
# The pure parts may use only each other and the model-file code.
ALLOWED_OWN = (
    "interview_monitor.detectors",
    "interview_monitor.risk",
    "interview_monitor.media",
    "interview_monitor.signals",
    "interview_monitor.model_files",
)


def _modules() -> list[Path]:
    found: list[Path] = []
    for part in PURE_PARTS:
        path = PACKAGE / part
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_parts_import_no_web_sql_or_service_code(path: Path) -> None:
    for name in _imports(path):
        root = name.split(".")[0]
        assert root not in FORBIDDEN and name not in FORBIDDEN, f"{path.name} imports {name}"
        if root == "interview_monitor":
            assert name.startswith(ALLOWED_OWN), f"{path.name} imports {name}"


def test_the_rule_sees_the_modules() -> None:
    assert len(_modules()) >= 10
