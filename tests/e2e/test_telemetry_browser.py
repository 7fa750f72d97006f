"""The candidate page's telemetry in real Chromium: what the candidate does to the page is
stored with its times and shown live to a reviewer; a page whose heartbeats are blocked while
its video goes on is flagged; a pasted and a typed answer get different cadence verdicts."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.e2e.server import add_user, running_server
from tests.e2e.test_browser import _latest_session, _launch, _sign_in

pytestmark = pytest.mark.browser
PASSWORD = "e2e-password-1"
HEARTBEAT_S = 2
SPAN_MS = 5000
TYPED = "Overfitting means the model learns noise in the training data."


@pytest.fixture(scope="module")
def server(database_url: str, workdir: Path) -> Iterator[str]:
    home = workdir / "home-telemetry"
    home.mkdir(exist_ok=True)
    env = {"INTERVIEW_MONITOR_LIVE_HEARTBEAT_S": str(HEARTBEAT_S)}
    with running_server(database_url, home, env) as base:
        yield base


def _events(database_url: str, session_id: int, event_type: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            'SELECT "timestamp", duration_ms, details, source FROM browser_events '
            "WHERE session_id = %s AND event_type = %s ORDER BY id",
            (session_id, event_type),
        ).fetchall()


def _wait_for(
    database_url: str, session_id: int, event_type: str, timeout_s: float = 30
) -> list[tuple[Any, ...]]:
    deadline = time.monotonic() + timeout_s
    while not (rows := _events(database_url, session_id, event_type)):
        assert time.monotonic() < deadline, f"no {event_type} event was stored"
        time.sleep(0.5)
    return rows


def test_telemetry_reaches_the_database_and_the_reviewer_live(
    chromium: Path, server: str, database_url: str, workdir: Path, test_data: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    suffix = uuid.uuid4().hex[:6]
    candidate, reviewer = f"tcand-{suffix}", f"trev-{suffix}"
    home = workdir / "home-telemetry"
    add_user(database_url, home, candidate, "candidate", PASSWORD)
    add_user(database_url, home, reviewer, "interviewer", PASSWORD)
    with sync_playwright() as playwright:
        browser = _launch(playwright, chromium, workdir, test_data)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            _sign_in(page, server, candidate)
            page.wait_for_url(re.compile(r"/candidate"))
            page.goto(f"{server}/candidate?questions=2")
            page.check("#agree")
            page.click("#to-check")
            expect(page.locator("#start")).to_be_enabled(timeout=60_000)
            page.click("#start")
            expect(page.locator("#question")).not_to_be_empty(timeout=30_000)
            session_id = _latest_session(database_url, candidate)
            _wait_for(database_url, session_id, "heartbeat")

            review = browser.new_context(viewport={"width": 1360, "height": 1000}).new_page()
            _sign_in(review, server, reviewer)
            review.wait_for_url(re.compile(r"/review$"))
            review.goto(f"{server}/review/{session_id}")
            expect(review.locator("#candidate")).not_to_have_text("Loading…", timeout=15_000)
            timeline = review.locator("#timeline")

            # Another tab in front for 5 s. Headless Chromium keeps every tab "visible" (so
            # page_hidden is covered by the API tests), but with Playwright's focus emulation
            # off the tab really loses focus.
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setFocusEmulationEnabled", {"enabled": False})
            other = context.new_page()
            other.goto(f"{server}/")
            other.bring_to_front()
            other.wait_for_timeout(SPAN_MS)
            other.close()
            page.bring_to_front()
            (away,) = _wait_for(database_url, session_id, "focus_lost")
            assert SPAN_MS - 500 <= away[1] < SPAN_MS + 3000, away
            assert away[3] == "candidate_page"
            expect(timeline).to_contain_text("Window focus lost", timeout=15_000)

            # The question copied and pasted into the answer: lengths are kept, never text.
            page.click("#question", click_count=3)
            page.keyboard.press("Control+C")
            page.click("#answer")
            page.keyboard.press("Control+V")
            (paste,) = _wait_for(database_url, session_id, "paste")
            (copy,) = _wait_for(database_url, session_id, "copy")
            question_chars = len(page.locator("#question").inner_text())
            assert paste[2] == {
                "chars": page.locator("#answer").input_value().__len__(),
                "into": "answer",
            }
            assert copy[2]["of"] == "question" and copy[2]["chars"] >= question_chars - 1
            expect(timeline).to_contain_text("Pasted into an answer", timeout=15_000)

            # Full screen left for 5 s, then taken back with the page's button.
            assert page.evaluate("Boolean(document.fullscreenElement)")
            page.evaluate("document.exitFullscreen()")
            page.wait_for_timeout(SPAN_MS)
            page.click("#fullscreen-return")
            (left,) = _wait_for(database_url, session_id, "fullscreen_exit")
            assert SPAN_MS - 500 <= left[1] < SPAN_MS + 3000, left
            expect(timeline).to_contain_text("Left full screen", timeout=15_000)

            # Offline for 5 s: the span is posted once the page is back online.
            context.set_offline(True)
            page.wait_for_timeout(SPAN_MS)
            context.set_offline(False)
            (offline,) = _wait_for(database_url, session_id, "offline")
            assert SPAN_MS - 500 <= offline[1] < SPAN_MS + 3000, offline
            expect(timeline).to_contain_text("Network dropped", timeout=15_000)

            # Heartbeats blocked (as an extension or a proxy would) while the video goes on.
            cdp.send("Network.enable")
            cdp.send("Network.setBlockedURLs", {"urls": ["*/api/events/browser*"]})
            (tampered,) = _wait_for(database_url, session_id, "page_tampered", 60)
            assert tampered[3] == "server"
            assert tampered[2]["frames_without_heartbeat"] >= 3, tampered
            expect(timeline).to_contain_text("Page telemetry stopped", timeout=15_000)
            cdp.send("Network.setBlockedURLs", {"urls": []})

            # Answer 1 is the pasted question; answer 2 is typed at about 5 characters a second.
            page.click("#submit")
            expect(page.locator("#counter")).to_have_text("Question 2 of 2", timeout=30_000)
            page.wait_for_timeout(1500)
            page.click("#answer")
            page.keyboard.type(TYPED, delay=190)
            page.click("#submit")
            expect(page.locator("#done")).to_be_visible(timeout=60_000)
            with psycopg.connect(database_url) as connection:
                cadence = connection.execute(
                    "SELECT verdict, first_key_ms, typed_chars, bulk_chars FROM answer_cadence "
                    "WHERE session_id = %s ORDER BY id",
                    (session_id,),
                ).fetchall()
            assert [row[0] for row in cadence] == ["pasted_in_one_go", "typed_at_human_speed"]
            assert cadence[1][2] == len(TYPED) and cadence[1][1] >= 1500, cadence
            report = review.request.get(
                f"{server}/api/interview/{session_id}/report",
                headers={
                    "Authorization": "Bearer "
                    + review.evaluate(
                        "JSON.parse(sessionStorage.getItem('interview-monitor.auth')).token"
                    )
                },
            ).json()
            arrivals = [a["arrival"] for a in report["answer_evaluations"]]
            assert arrivals[0].startswith("pasted in one go; first key after")
            assert arrivals[1].startswith("typed at human speed; first key after")
            kinds = {c["kind"] for c in report["risk"]["contributions"]}
            assert {
                "focus_lost",
                "paste",
                "fullscreen_exit",
                "offline",
                "page_tampered",
                "pasted_in_one_go",
            } <= kinds, kinds
            review.reload()
            expect(review.locator(".cadence")).to_have_count(2, timeout=15_000)
            review.screenshot(path=str(workdir / "review-telemetry.png"), full_page=True)
        finally:
            browser.close()
