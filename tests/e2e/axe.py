"""axe-core, installed from tests/e2e/axe/package-lock.json with npm and served to the page under
test from its own origin (the pages' CSP allows only same-origin scripts; never a CDN)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.ci import unavailable

FOLDER = Path(__file__).parent / "axe"
SCRIPT = FOLDER / "node_modules" / "axe-core" / "axe.min.js"
SERVED_AT = "/__axe__/axe.min.js"
BLOCKING = ("serious", "critical")


def axe_script() -> Path:
    """The pinned axe-core, installed on first use (`npm ci`: exactly the lock file's version)."""
    if not SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm is missing: the accessibility checks need it to install axe-core")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=FOLDER,
            check=True,
            capture_output=True,
        )
    return SCRIPT


def blocking_violations(page: Any, base: str) -> list[str]:
    """Serious and critical WCAG 2 A/AA violations on the page as it is now."""
    page.route(base + SERVED_AT, lambda route: route.fulfill(path=str(axe_script())))
    page.add_script_tag(url=base + SERVED_AT)
    result = page.evaluate(
        "() => axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
