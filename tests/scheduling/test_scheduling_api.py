"""Scheduled interviews: the invitation signs the candidate in once; the window's session is
the same one on every start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import User
from interview_monitor.errors import ForbiddenError
from interview_monitor.interviews.service import start_session
from tests.api_fixtures import Api

pytestmark = pytest.mark.anyio


def _window(opens_in: timedelta = timedelta(minutes=-5), hours: float = 2) -> dict[str, str]:
    opens = datetime.now(UTC) + opens_in
    return {
        "opens_at": opens.isoformat(),
        "closes_at": (opens + timedelta(hours=hours)).isoformat(),
    }


async def _schedule(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"user_id": api.user_ids["candidate"], "title": "Backend", **_window(), **fields}
    response = await api.client.post(
        "/api/interviews/scheduled", json=body, headers=api.headers["interviewer"]
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_the_invitation_signs_in_once_and_the_session_resumes(api: Api) -> None:
    created = await _schedule(api)
    token = created["invitation_path"].removeprefix("/invite/")
    accepted = await api.client.post("/api/invitations/accept", json={"token": token})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["user"]["id"] == api.user_ids["candidate"]
    signed_in = {"Authorization": f"Bearer {accepted.json()['access_token']}"}
    assert (await api.client.get("/api/auth/me", headers=signed_in)).status_code == 200
    again = await api.client.post("/api/invitations/accept", json={"token": token})
    assert again.status_code == 409 and again.json()["detail"][0]["loc"] == ["body", "token"]
    unknown = await api.client.post("/api/invitations/accept", json={"token": "nope"})
    assert unknown.status_code == 404

    # A reload, or a sign-in with the password: the same session.
    first = await api.client.post("/api/interview/start", headers=signed_in)
    second = await api.client.post("/api/interview/start", headers=api.headers["candidate"])
    assert first.status_code == second.status_code == 201
    assert first.json()["session_id"] == second.json()["session_id"]
    assert first.json()["title"] == "Backend"
    ended = await api.client.post(
        f"/api/interview/{first.json()['session_id']}/end", headers=signed_in
    )
    assert ended.status_code == 200
    after = await api.client.post("/api/interview/start", headers=signed_in)
    assert after.status_code == 409
    # Another candidate's start is not theirs to resume.
    other = await api.client.post("/api/interview/start", headers=api.headers["other_candidate"])
    assert other.json()["session_id"] != first.json()["session_id"]


async def test_a_window_not_open_yet_gives_no_session(api: Api, database_url: str) -> None:
    later = await _schedule(api, **_window(opens_in=timedelta(hours=1)))
    started = await api.client.post("/api/interview/start", headers=api.headers["candidate"])
    assert started.status_code == 201  # an unscheduled session, as the setting allows
    with psycopg.connect(database_url) as connection:
        linked = connection.execute(
            "SELECT session_id FROM scheduled_interviews WHERE id = %s", (later["id"],)
        ).fetchone()
    assert linked == (None,)


@pytest.mark.parametrize(
    ("fields", "status", "loc"),
    [
        (_window(hours=-1), 422, ["body", "closes_at"]),
        (_window(opens_in=timedelta(days=-2), hours=1), 422, ["body", "closes_at"]),
        (_window(hours=24 * 31), 422, ["body", "closes_at"]),
        ({"opens_at": "2030-01-01T10:00:00"}, 422, ["body", "opens_at"]),
        ({"user_id": 999_999}, 404, ["body", "user_id"]),
    ],
)
async def test_bad_schedules_name_the_field(
    api: Api, fields: dict[str, Any], status: int, loc: list[str]
) -> None:
    body = {"user_id": api.user_ids["candidate"], **_window(), **fields}
    response = await api.client.post(
        "/api/interviews/scheduled", json=body, headers=api.headers["interviewer"]
    )
    assert response.status_code == status, response.text
    assert response.json()["detail"][0]["loc"] == loc


async def test_only_reviewers_schedule_and_only_candidates_are_invited(api: Api) -> None:
    body = {"user_id": api.user_ids["candidate"], **_window()}
    as_candidate = await api.client.post(
        "/api/interviews/scheduled", json=body, headers=api.headers["candidate"]
    )
    assert as_candidate.status_code == 403
    reviewer = await api.client.post(
        "/api/interviews/scheduled",
        json={**body, "user_id": api.user_ids["interviewer"]},
        headers=api.headers["admin"],
    )
    assert reviewer.status_code == 422 and reviewer.json()["detail"][0]["loc"] == [
        "body",
        "user_id",
    ]


async def test_with_unscheduled_sessions_off_candidates_need_an_open_interview(
    db_session: AsyncSession,
) -> None:
    candidate = User(
        username="sched-c", email="s@c.io", password_hash="h", full_name="S", role="candidate"
    )
    db_session.add(candidate)
    await db_session.flush()
    with pytest.raises(ForbiddenError):
        await start_session(db_session, candidate, unscheduled=False)
    reviewer = User(
        username="sched-r", email="r@c.io", password_hash="h", full_name="R", role="interviewer"
    )
    db_session.add(reviewer)
    await db_session.flush()
    from interview_monitor.scheduling.service import schedule

    now = datetime.now(UTC)
    await schedule(
        db_session,
        reviewer,
        candidate.id,
        None,
        now - timedelta(minutes=1),
        now + timedelta(hours=1),
    )
    first = await start_session(db_session, candidate, unscheduled=False)
    assert (await start_session(db_session, candidate, unscheduled=False)).id == first.id
    # Reviewers still start sessions for anyone.
    assert (await start_session(db_session, reviewer, candidate.id)).id != first.id
