from __future__ import annotations

import pytest

from tests.api_fixtures import PASSWORD, Api

pytestmark = pytest.mark.anyio


async def test_token_flow_returns_a_bearer_token_and_the_user(api: Api) -> None:
    response = await api.client.post(
        "/api/auth/token", data={"username": "alice", "password": PASSWORD}
    )
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["user"]["role"] == "candidate"
    assert "password" not in response.text and "argon2" not in response.text
    me = await api.client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json()["username"] == "alice"


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong password"), ("nobody", PASSWORD), ("", PASSWORD)],
)
async def test_bad_credentials_are_refused(api: Api, username: str, password: str) -> None:
    response = await api.client.post(
        "/api/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code in (401, 422)


async def test_a_username_with_a_nul_is_a_wrong_username(api: Api) -> None:
    response = await api.client.post(
        "/api/auth/token", data={"username": "alice\x00", "password": PASSWORD}
    )
    assert response.status_code == 401, response.text


async def test_missing_form_fields_are_named(api: Api) -> None:
    response = await api.client.post("/api/auth/token", data={"username": "alice"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "password"]


@pytest.mark.parametrize(
    "header",
    [{}, {"Authorization": "Bearer not-a-token"}, {"X-API-Key": "imk_nope"}],
)
async def test_unauthenticated_calls_get_401(api: Api, header: dict[str, str]) -> None:
    response = await api.client.get("/api/interviews", headers=header)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_expired_tokens_are_refused(api: Api) -> None:
    from interview_monitor.auth.roles import Role
    from interview_monitor.auth.tokens import create_access_token

    settings = api.client._transport.app.state.app_state.settings  # type: ignore[attr-defined]
    token, _ = create_access_token(
        api.user_ids["admin"], Role.ADMIN, settings.secret_key, minutes=-1
    )
    response = await api.client.get("/api/interviews", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_admin_creates_accounts_and_conflicts_name_the_field(api: Api) -> None:
    new = {
        "username": "carol",
        "email": "carol@example.org",
        "full_name": "Carol",
        "password": PASSWORD,
        "role": "interviewer",
    }
    created = await api.client.post("/api/users", json=new, headers=api.headers["admin"])
    assert created.status_code == 201
    assert "password" not in created.json()
    again = await api.client.post("/api/users", json=new, headers=api.headers["admin"])
    assert again.status_code == 409 and again.json()["detail"][0]["loc"] == ["body", "username"]
    same_email = await api.client.post(
        "/api/users", json={**new, "username": "carol2"}, headers=api.headers["admin"]
    )
    assert same_email.status_code == 409 and same_email.json()["detail"][0]["loc"] == [
        "body",
        "email",
    ]
    short = await api.client.post(
        "/api/users",
        json={**new, "username": "d", "email": "d@e.io", "password": "x"},
        headers=api.headers["admin"],
    )
    assert short.status_code == 422 and short.json()["detail"][0]["loc"] == ["body", "password"]
    for field, value in (("password", " " * 12), ("password", "\x00" * 12), ("full_name", "   ")):
        blank = await api.client.post(
            "/api/users",
            json={**new, "username": "e", "email": "e@e.io", field: value},
            headers=api.headers["admin"],
        )
        assert blank.status_code == 422 and blank.json()["detail"][0]["loc"] == ["body", field]


async def test_service_api_keys_authenticate_ingest_and_can_be_revoked(api: Api) -> None:
    session_id = await api.start_session()
    key = await api.client.post(
        f"/api/users/{api.user_ids['service']}/api-keys",
        json={"name": "yolo-module"},
        headers=api.headers["admin"],
    )
    assert key.status_code == 201
    header = {"X-API-Key": key.json()["key"]}
    payload = {"session_id": session_id, "object_detected": "cell phone", "confidence_score": 95.5}
    assert (
        await api.client.post("/api/events/object-detection", json=payload, headers=header)
    ).status_code == 201
    revoked = await api.client.delete(
        f"/api/users/{api.user_ids['service']}/api-keys/{key.json()['id']}",
        headers=api.headers["admin"],
    )
    assert revoked.status_code == 204
    assert (
        await api.client.post("/api/events/object-detection", json=payload, headers=header)
    ).status_code == 401


async def test_api_keys_are_only_for_service_accounts(api: Api) -> None:
    response = await api.client.post(
        f"/api/users/{api.user_ids['candidate']}/api-keys",
        json={"name": "x"},
        headers=api.headers["admin"],
    )
    assert response.status_code == 409


async def test_deleting_a_candidate_removes_their_sessions(api: Api) -> None:
    session_id = await api.start_session()
    deleted = await api.client.delete(
        f"/api/users/{api.user_ids['candidate']}", headers=api.headers["admin"]
    )
    assert deleted.status_code == 204
    response = await api.client.get(f"/api/interview/{session_id}", headers=api.headers["admin"])
    assert response.status_code == 404
