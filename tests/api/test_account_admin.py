"""Admins deactivate, reactivate and reset the password of accounts."""

from __future__ import annotations

import pytest

from tests.api_fixtures import PASSWORD, Api

pytestmark = pytest.mark.anyio


async def _sign_in(api: Api, username: str, password: str) -> int:
    response = await api.client.post(
        "/api/auth/token", data={"username": username, "password": password}
    )
    return response.status_code


async def test_a_deactivated_account_cannot_sign_in_or_use_its_token(api: Api) -> None:
    ivan = api.user_ids["interviewer"]
    answer = await api.client.put(
        f"/api/users/{ivan}/active", json={"is_active": False}, headers=api.headers["admin"]
    )
    assert answer.status_code == 204
    assert await _sign_in(api, "ivan", PASSWORD) == 401
    me = await api.client.get("/api/auth/me", headers=api.headers["interviewer"])
    assert me.status_code == 401
    await api.client.put(
        f"/api/users/{ivan}/active", json={"is_active": True}, headers=api.headers["admin"]
    )
    assert await _sign_in(api, "ivan", PASSWORD) == 200


async def test_a_reset_password_replaces_the_old_one(api: Api) -> None:
    alice = api.user_ids["candidate"]
    answer = await api.client.put(
        f"/api/users/{alice}/password",
        json={"password": "a brand new secret"},
        headers=api.headers["admin"],
    )
    assert answer.status_code == 204
    assert await _sign_in(api, "alice", PASSWORD) == 401
    assert await _sign_in(api, "alice", "a brand new secret") == 200


@pytest.mark.parametrize(
    ("path", "body", "loc", "status"),
    [
        ("password", {"password": "short"}, ["body", "password"], 422),
        ("password", {"password": "        "}, ["body", "password"], 422),
        ("active", {"is_active": "maybe"}, ["body", "is_active"], 422),
        ("active", {}, ["body", "is_active"], 422),
    ],
)
async def test_bad_account_changes_name_the_field(
    api: Api, path: str, body: dict[str, object], loc: list[str], status: int
) -> None:
    answer = await api.client.put(
        f"/api/users/{api.user_ids['candidate']}/{path}", json=body, headers=api.headers["admin"]
    )
    assert answer.status_code == status and answer.json()["detail"][0]["loc"] == loc


async def test_admins_cannot_deactivate_themselves_and_others_cannot_at_all(api: Api) -> None:
    root = api.user_ids["admin"]
    self_off = await api.client.put(
        f"/api/users/{root}/active", json={"is_active": False}, headers=api.headers["admin"]
    )
    assert self_off.status_code == 403 and self_off.json()["detail"][0]["loc"] == [
        "path",
        "user_id",
    ]
    by_reviewer = await api.client.put(
        f"/api/users/{api.user_ids['candidate']}/password",
        json={"password": "a brand new secret"},
        headers=api.headers["interviewer"],
    )
    assert by_reviewer.status_code == 403
    missing = await api.client.put(
        "/api/users/999999/active", json={"is_active": False}, headers=api.headers["admin"]
    )
    assert missing.status_code == 404 and missing.json()["detail"][0]["loc"] == ["path", "user_id"]
