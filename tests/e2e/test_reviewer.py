"""The reviewer's product in real Chromium: incidents, review work driven by the keyboard
alone, accessibility (axe-core) at desktop and phone widths, the HTML report, offline docs."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.axe import blocking_violations
from tests.e2e.server import add_user

PASSWORD = "e2e-password-1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {"desktop": {"width": 1360, "height": 1000}, "phone": {"width": 390, "height": 844}}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def people(server: str, database_url: str, workdir: Path) -> dict[str, str]:
    suffix = uuid.uuid4().hex[:6]
    names = {
        "admin": f"adm-{suffix}",
        "interviewer": f"rev-{suffix}",
        "candidate": f"cand-{suffix}",
    }
    for role, username in names.items():
        add_user(database_url, workdir / "home", username, role, PASSWORD)
    return names


def _token(server: str, username: str) -> str:
    answer = httpx.post(
        f"{server}/api/auth/token", data={"username": username, "password": PASSWORD}
    )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


@pytest.fixture(scope="module")
def session_id(server: str, people: dict[str, str]) -> int:
    """An ended session where a second person raised three flags at 0:08, and a phone at 5:00."""
    admin = {"Authorization": "Bearer " + _token(server, people["admin"])}
    candidate = httpx.get(f"{server}/api/users?role=candidate", headers=admin).json()
    candidate_id = next(u["id"] for u in candidate if u["username"] == people["candidate"])
    started = httpx.post(
        f"{server}/api/interview/start", json={"user_id": candidate_id}, headers=admin
    ).json()
    sid: int = started["session_id"]
    at = started["start_time"]
    from datetime import datetime, timedelta

    start = datetime.fromisoformat(at)
    for kind, offset_s, payload in (
        (
            "face-pose",
            8,
            {"event_type": "multiple_faces", "duration_ms": 4000, "confidence_score": 88},
        ),
        ("object-detection", 8, {"object_detected": "person", "confidence_score": 91}),
        ("face-pose", 9, {"event_type": "head_turned", "duration_ms": 1500}),
        ("object-detection", 300, {"object_detected": "cell phone", "confidence_score": 80}),
    ):
        stamp = (start + timedelta(seconds=offset_s)).isoformat()
        stored = httpx.post(
            f"{server}/api/events/{kind}",
            json={"session_id": sid, "timestamp": stamp, **payload},
            headers=admin,
        )
        assert stored.status_code == 201, stored.text
    httpx.post(f"{server}/api/interview/{sid}/end", headers=admin).raise_for_status()
    return sid


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


def _page(browser: Any, width: str = "desktop") -> Any:
    return browser.new_context(viewport=WIDTHS[width]).new_page()


def _sign_in(page: Any, server: str, username: str) -> None:
    page.goto(server + "/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/review$"))


def _tab_to(page: Any, selector: str, presses: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus, and check that the focus
    is visible there (an outline or a box shadow)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s)", selector):
            style = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
            )
            assert (style[0] != "none" and style[1] != "0px") or style[2] != "none", (
                selector,
                style,
            )
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_reviewer_flow_by_keyboard_alone(
    browser: Any, server: str, people: dict[str, str], session_id: int
) -> None:
    from playwright.sync_api import expect

    page = _page(browser)
    page.goto(server + "/")
    page.keyboard.type(people["interviewer"])  # the username field has the focus on load
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/review$"))
    row = f"tr[data-session='{session_id}']"
    expect(page.locator(f"{row} .col-flags")).to_contain_text("2 incidents", timeout=15_000)
    _tab_to(page, "th[data-sort='total_risk_score'] button")
    page.keyboard.press("Enter")
    expect(page.locator("th[data-sort='total_risk_score']")).to_have_attribute(
        "aria-sort", "descending"
    )
    _tab_to(page, f"{row} a.row-link")
    page.keyboard.press(" ")
    page.wait_for_url(re.compile(rf"/review/{session_id}$"))

    # Incidents: the second person's three flags are one, the phone another.
    incidents = page.locator("#timeline li.incident")
    expect(incidents).to_have_count(2, timeout=15_000)
    expect(incidents.first.locator(".incident-head")).to_contain_text("Another person present")
    expect(incidents.first.locator("button.part")).to_have_count(3)
    _tab_to(page, "#kind")
    page.keyboard.press("ArrowDown")  # the first kind in the list
    expect(incidents).to_have_count(1)
    page.keyboard.press("Home")
    expect(incidents).to_have_count(2)

    # Dismiss the phone, then undo it.
    _tab_to(page, "#timeline li.incident:nth-child(2) .incident-head")
    page.keyboard.press("Enter")
    expect(page.locator("#detail")).to_contain_text("Object: cell phone")
    _tab_to(page, "#dismiss-reason")
    page.keyboard.type("a calculator")
    page.keyboard.press("Enter")
    expect(page.locator("#dismissal")).to_contain_text(
        re.compile(r"Dismissed by Rev .*: a calculator"), timeout=15_000
    )
    _tab_to(page, "#restore")
    page.keyboard.press("Enter")
    expect(page.locator("#dismiss-reason")).to_be_visible(timeout=15_000)

    # A note on the first incident, then an outcome.
    _tab_to(page, "#timeline li.incident:first-child .incident-head")
    page.keyboard.press("Space")
    expect(page.locator("#note-on")).to_have_value(re.compile(r"^face_pose_events:\d+$"))
    _tab_to(page, "#note-body")
    page.keyboard.type("His sister walked in; he said so at once.")
    _tab_to(page, "#note-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#notes")).to_contain_text("His sister walked in", timeout=15_000)
    expect(page.locator("#notes")).to_contain_text("Another person present")
    _tab_to(page, "#outcome")
    page.keyboard.press("ArrowDown")  # Needs follow-up
    _tab_to(page, "#outcome-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#outcome-now")).to_contain_text(
        "Needs follow-up: set by Rev", timeout=15_000
    )

    audit = page.locator("#audit")
    for done in (
        "viewed",
        "dismissed a flag",
        "undid a dismissal",
        "added a note",
        "set the outcome",
    ):
        expect(audit).to_contain_text(done)
    page.context.close()


def test_the_html_report_opens_from_the_session_page(
    browser: Any, server: str, people: dict[str, str], session_id: int
) -> None:
    from playwright.sync_api import expect

    page = _page(browser)
    _sign_in(page, server, people["interviewer"])
    page.goto(f"{server}/review/{session_id}")
    expect(page.locator("#timeline li.incident")).to_have_count(2, timeout=15_000)
    with page.context.expect_page() as opened:
        page.click("#html-report")
    report = opened.value
    report.wait_for_load_state()
    expect(report.locator("h1")).to_contain_text(f"Interview report #{session_id}", timeout=15_000)
    expect(report.locator("body")).to_contain_text("Audit trail")
    expect(report.locator("body")).to_contain_text("Another person in view")
    page.context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_reviewer_page_passes_axe_and_fits(
    browser: Any, server: str, people: dict[str, str], session_id: int, width: str
) -> None:
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = _page(browser, width)
    page.goto(server + "/")
    expect(page.locator("#username")).to_be_visible()
    pages = [("signin", page.url)]
    _sign_in(page, server, people["admin"])
    expect(page.locator("#users tr")).not_to_have_count(0, timeout=15_000)
    expect(page.locator(f"tr[data-session='{session_id}'] .col-flags")).to_contain_text("incident")
    pages.append(("sessions", page.url))
    checked: dict[str, list[str]] = {}
    for name, _url in pages[:1]:
        checked[name] = []  # the sign-in page is checked below, signed out
    checked["sessions"] = blocking_violations(page, server)
    _fits(page, width)
    page.screenshot(path=str(SCREENSHOTS / f"sessions-{width}.png"), full_page=True)

    page.goto(f"{server}/review/{session_id}")
    expect(page.locator("#timeline li.incident")).to_have_count(2, timeout=15_000)
    page.locator("#timeline button.part").first.click()
    expect(page.locator("#detail dl")).to_be_visible()
    checked["session"] = blocking_violations(page, server)
    _fits(page, width)
    page.screenshot(path=str(SCREENSHOTS / f"session-{width}.png"), full_page=True)

    signed_out = _page(browser, width)
    signed_out.goto(server + "/")
    expect(signed_out.locator("#username")).to_be_visible()
    checked["signin"] = blocking_violations(signed_out, server)
    _fits(signed_out, width)
    signed_out.screenshot(path=str(SCREENSHOTS / f"signin-{width}.png"), full_page=True)
    assert checked == {"signin": [], "sessions": [], "session": []}
    page.context.close()
    signed_out.context.close()


def _fits(page: Any, width: str) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    widest = page.evaluate(
        "() => [...document.querySelectorAll('body *')]"
        ".filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
        ".slice(0, 5).map((e) => e.tagName + '.' + e.className + '#' + e.id)"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at {width}: {widest}"


def test_the_api_docs_render_with_the_network_cut_off(browser: Any, server: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=WIDTHS["desktop"])
    requested: list[str] = []

    def only_the_server(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            requested.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_the_server)
    page = context.new_page()
    page.goto(server + "/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=30_000)
    expect(page.locator(".swagger-ui")).to_contain_text("/api/review/{session_id}/notes")
    assert requested == [], requested
    page.goto(server + "/redoc")
    expect(page.locator("body")).to_contain_text("/api/review/{session_id}/notes", timeout=30_000)
    # ReDoc's own "built with" badge links a logo on its CDN: the one thing left out offline.
    assert requested in ([], ["https://cdn.redoc.ly/redoc/logo-mini.svg"]), requested
    context.close()
