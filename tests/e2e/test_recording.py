"""The interview is recorded in segments in real Chromium: a reviewer plays it from a flag,
answers typed offline arrive later, a server killed mid-interview loses at most one segment,
and deleting the candidate removes the files."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.e2e.server import ServerProcess, add_user
from tests.e2e.test_browser import (
    PASSWORD,
    _latest_session,
    _launch,
    _sign_in,
)

pytestmark = pytest.mark.browser
SEGMENT_S = 10.0
WEBM_BYTES = b"\x1a\x45\xdf\xa3"


def _segments(database_url: str, session_id: int) -> list[tuple[float, float, str]]:
    """(start, end, storage key) of each stored segment, in seconds of the session."""
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT start_offset_ms, duration_ms, storage_key FROM recording_segments "
            "WHERE session_id = %s ORDER BY start_offset_ms",
            (session_id,),
        ).fetchall()
    return [(start / 1000, (start + duration) / 1000, key) for start, duration, key in rows]


def _wait(what: str, check: Callable[[], Any], timeout_s: float = 90) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)
    return found


def _bearer(server: str, username: str) -> dict[str, str]:
    signed_in = httpx.post(
        f"{server}/api/auth/token", data={"username": username, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


def _user_id(database_url: str, username: str) -> int:
    with psycopg.connect(database_url) as connection:
        row = connection.execute("SELECT id FROM users WHERE username = %s", (username,)).fetchone()
    assert row is not None
    return int(row[0])


def _start_interview(page: Any, base: str, username: str, questions: int) -> None:
    _sign_in(page, base, username)
    page.wait_for_url(re.compile(r"/candidate"))
    page.goto(f"{base}/candidate?questions={questions}")
    _begin(page)


def _begin(page: Any) -> None:
    """Consent, the camera and microphone check, start: the first question shows."""
    from playwright.sync_api import expect

    page.check("#agree")
    page.click("#to-check")
    expect(page.locator("#start")).to_be_enabled(timeout=60_000)
    page.click("#start")
    expect(page.locator("#question")).not_to_be_empty(timeout=30_000)


def _first_absence(database_url: str, session_id: int) -> tuple[str, float] | None:
    """The ref of the first no-face flag and its second in the session."""
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT f.id, extract(epoch FROM f.timestamp - s.start_time) FROM face_pose_events f "
            "JOIN interview_sessions s ON s.id = f.session_id "
            "WHERE f.session_id = %s AND f.event_type = 'no_face' ORDER BY f.timestamp LIMIT 1",
            (session_id,),
        ).fetchone()
    return None if row is None else (f"face_pose_events:{row[0]}", float(row[1]))


def _lost_segments(segments: list[tuple[float, float, str]], session_s: float) -> int:
    """Segments missing from the recording: each gap counted in segment lengths, rounded."""
    edges = [0.0, *(edge for start, end, _ in segments for edge in (start, end)), session_s]
    gaps = [edges[i + 1] - edges[i] for i in range(0, len(edges), 2)]
    return sum(round(gap / SEGMENT_S) for gap in gaps if gap > SEGMENT_S / 3)


# The green channel's mean and spread of the frame 1.5 s after where the flag put the player,
# and of one 3 s before the flag (the face): the camera file's empty room is one flat colour.
FRAMES_JS = """async () => {
  const video = document.querySelector('#player video');
  const measure = () => {
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 48;
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0, 64, 48);
    const pixels = context.getImageData(0, 0, 64, 48).data;
    let sum = 0, squares = 0, n = 0;
    for (let i = 1; i < pixels.length; i += 4) { sum += pixels[i]; squares += pixels[i] ** 2; n += 1; }
    const mean = sum / n;
    return [mean, Math.sqrt(squares / n - mean * mean)];
  };
  const seek = (t) => new Promise((resolve) => { video.addEventListener('seeked', resolve, { once: true }); video.currentTime = t; });
  const atFlag = video.currentTime;
  await seek(atFlag + 1.5);
  const room = measure();
  await seek(Math.max(0, atFlag - 3));
  return [room, measure()];
}"""


def test_recorded_interview_plays_from_a_flag_and_offline_answers_arrive(
    chromium: Path, server: str, database_url: str, workdir: Path, test_data: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    suffix = uuid.uuid4().hex[:6]
    candidate, reviewer, admin = f"rec-{suffix}", f"rrev-{suffix}", f"radm-{suffix}"
    home = workdir / "home"
    for username, role in ((candidate, "candidate"), (reviewer, "interviewer"), (admin, "admin")):
        add_user(database_url, home, username, role, PASSWORD)
    with sync_playwright() as playwright:
        browser = _launch(playwright, chromium, workdir, test_data)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            _start_interview(page, server, candidate, questions=2)
            session_id = _latest_session(database_url, candidate)
            absence = _wait("a no-face flag", lambda: _first_absence(database_url, session_id))
            _wait(
                "the flag's moment recorded",
                lambda: any(
                    end > absence[1] + 3 for _, end, _ in _segments(database_url, session_id)
                ),
            )

            # Offline: the answer is kept on the device, with a calm word instead of an error.
            context.set_offline(True)
            page.fill("#answer", "A hash map keeps keys in buckets chosen by their hash.")
            page.click("#submit")
            expect(page.locator("#counter")).to_have_text("Question 2 of 2", timeout=15_000)
            expect(page.locator("#sync-status")).to_contain_text("kept on this device")
            assert "Failed to fetch" not in page.inner_text("body")
            page.wait_for_timeout(4000)
            context.set_offline(False)
            expect(page.locator("#sync-status")).to_be_empty(timeout=30_000)
            page.fill("#answer", "An index is a sorted structure that finds rows without a scan.")
            page.click("#submit")
            expect(page.locator("#done")).to_be_visible(timeout=60_000)

            review = browser.new_context(viewport={"width": 1360, "height": 1200}).new_page()
            _sign_in(review, server, reviewer)
            review.wait_for_url(re.compile(r"/review$"))
            review.goto(f"{server}/review/{session_id}")
            expect(review.locator("#player video")).to_have_attribute(
                "src", re.compile(r"^blob:"), timeout=30_000
            )
            ref, flag_s = absence
            review.click(f"#timeline [data-ref='{ref}']")
            landed = float(
                _wait(
                    "the player to seek",
                    lambda: (
                        (t := review.get_attribute("#player", "data-session-time"))
                        and abs(float(t) - flag_s) < 5
                        and t
                    ),
                    timeout_s=30,
                )
            )
            room, face = review.evaluate(FRAMES_JS)
            review.screenshot(path=str(workdir / "review-recording.png"), full_page=True)
        finally:
            browser.close()
    print(f"\nflag at {flag_s:.2f} s, player landed at {landed:.2f} s; (mean, spread) of the")
    print(f"frame 1.5 s after it {room}, 3 s before it {face}")
    assert abs(landed - flag_s) <= 1.0
    # The room's grey (green 58) and flat after the flag; the face before it is not flat.
    assert abs(room[0] - 58) < 12 and room[1] < 8, room
    assert face[1] > 20, face

    with psycopg.connect(database_url) as connection:
        answers = connection.execute(
            "SELECT count(*) FROM answer_evaluations WHERE session_id = %s", (session_id,)
        ).fetchone()
    assert answers == (2,)
    segments = _segments(database_url, session_id)
    folder = home / "recordings" / str(session_id)
    assert sorted(p.name for p in folder.iterdir()) == sorted(k.split("/")[1] for *_, k in segments)
    assert all(
        (home / "recordings" / key).read_bytes().startswith(WEBM_BYTES) for *_, key in segments
    )

    deleted = httpx.delete(
        f"{server}/api/users/{_user_id(database_url, candidate)}",
        headers=_bearer(server, admin),
    )
    assert deleted.status_code == 204
    assert not folder.exists()


def test_a_server_killed_mid_interview_loses_at_most_one_segment(
    chromium: Path, database_url: str, workdir: Path, test_data: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    home = workdir / "kill-home"
    home.mkdir(exist_ok=True)
    candidate = f"kill-{uuid.uuid4().hex[:6]}"
    add_user(database_url, home, candidate, "candidate", PASSWORD)
    env = {"DATABASE_URL": database_url}
    process = ServerProcess(home, env)
    try:
        process.wait_ready(180)
        with sync_playwright() as playwright:
            browser = _launch(playwright, chromium, workdir, test_data)
            try:
                page = browser.new_context().new_page()
                _start_interview(page, process.base, candidate, questions=1)
                session_id = _latest_session(database_url, candidate)
                _wait("two segments", lambda: len(_segments(database_url, session_id)) >= 2)
                # Mid-segment: the recorder is 5 s into its next one.
                time.sleep(SEGMENT_S / 2)
                before = len(_segments(database_url, session_id))
                process.kill()
                time.sleep(SEGMENT_S * 1.5)
                process = ServerProcess(home, env, port=process.port)
                process.wait_ready(180)
                _wait(
                    "the waiting segments",
                    lambda: len(_segments(database_url, session_id)) >= before + 3,
                    timeout_s=120,
                )
                page.fill("#answer", "A queue hands items out in the order they came in.")
                page.click("#submit")
                expect(page.locator("#done")).to_be_visible(timeout=60_000)
            finally:
                browser.close()
    finally:
        process.stop()
    with psycopg.connect(database_url) as connection:
        (session_s,) = connection.execute(
            "SELECT extract(epoch FROM end_time - start_time) FROM interview_sessions "
            "WHERE id = %s",
            (session_id,),
        ).fetchone()
    segments = _segments(database_url, session_id)
    lost = _lost_segments(segments, float(session_s))
    recorded_s = sum(end - start for start, end, _ in segments)
    print(
        f"\nkilled after {before} segments; {len(segments)} stored over a {session_s:.1f} s "
        f"session ({recorded_s:.1f} s recorded); {lost} lost"
    )
    assert lost <= 1
    for *_, key in segments:
        assert (home / "recordings" / key).read_bytes().startswith(WEBM_BYTES)


def test_an_invited_candidate_resumes_the_same_session_after_a_reload_and_a_new_sign_in(
    chromium: Path, server: str, database_url: str, workdir: Path, test_data: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    suffix = uuid.uuid4().hex[:6]
    candidate, interviewer = f"inv-{suffix}", f"invr-{suffix}"
    home = workdir / "home"
    add_user(database_url, home, candidate, "candidate", PASSWORD)
    add_user(database_url, home, interviewer, "interviewer", PASSWORD)
    now = datetime.now(UTC)
    scheduled = httpx.post(
        f"{server}/api/interviews/scheduled",
        json={
            "user_id": _user_id(database_url, candidate),
            "title": "Data engineer",
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(hours=1)).isoformat(),
        },
        headers=_bearer(server, interviewer),
    ).json()

    with sync_playwright() as playwright:
        browser = _launch(playwright, chromium, workdir, test_data)
        try:
            page = browser.new_context().new_page()
            page.goto(server + scheduled["invitation_path"])
            page.wait_for_url(re.compile(r"/candidate$"), timeout=15_000)
            _begin(page)
            session_id = _latest_session(database_url, candidate)
            page.reload()
            _begin(page)
            again = browser.new_context().new_page()
            again.goto(server + scheduled["invitation_path"])  # used: it says so
            expect(again.locator("#error")).to_contain_text("already used")
            _sign_in(again, server, candidate)
            again.wait_for_url(re.compile(r"/candidate"))
            _begin(again)
        finally:
            browser.close()
    with psycopg.connect(database_url) as connection:
        sessions = connection.execute(
            "SELECT s.id FROM interview_sessions s JOIN users u ON u.id = s.user_id "
            "WHERE u.username = %s",
            (candidate,),
        ).fetchall()
    assert sessions == [(session_id,)]
