"""Layering rules: detectors and the risk engine are plain Python, testable without a web server
or a database; routes reach the database through services, and only routes use `deps`."""

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
            # `from package import module` names the module too.
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
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


ROUTES = sorted(PACKAGE.glob("*/routes.py"))
ALL_MODULES = sorted(PACKAGE.rglob("*.py"))


def _is_repository(name: str) -> bool:
    return name.startswith("interview_monitor.") and name.rsplit(".", 1)[-1] == "repository"


@pytest.mark.parametrize("path", ROUTES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_routes_reach_the_database_only_through_services(path: Path) -> None:
    for name in _imports(path):
        assert not _is_repository(name), f"{path.name} imports {name}"
        assert name.split(".")[0] != "sqlalchemy", f"{path.name} imports {name}"


@pytest.mark.parametrize("path", ALL_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_routes_use_the_http_dependencies(path: Path) -> None:
    if path.name == "routes.py" or path == PACKAGE / "deps.py":
        return
    assert "interview_monitor.deps" not in _imports(path), f"{path} imports the HTTP dependencies"


def test_the_route_rules_see_the_routes() -> None:
    assert len(ROUTES) >= 6
