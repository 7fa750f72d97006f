"""Who may do what: every endpoint against every role, each cell checked."""

from __future__ import annotations

import pytest

from tests.api_fixtures import PASSWORD, Api

pytestmark = pytest.mark.anyio

ROLES = ["anonymous", "candidate", "other_candidate", "interviewer", "admin", "service"]

# endpoint -> expected status per role, in ROLES order. "candidate" owns the session.
MATRIX: dict[str, tuple[int, ...]] = {
    "POST /api/interview/start": (401, 201, 201, 422, 422, 403),
    "GET /api/interview/{id}": (401, 200, 403, 200, 200, 403),
    "GET /api/interview/{id}/risk": (401, 403, 403, 200, 200, 403),
    "GET /api/interview/{id}/report": (401, 403, 403, 200, 200, 403),
    "GET /api/interview/{id}/events/face-pose": (401, 403, 403, 200, 200, 403),
    "GET /api/interviews": (401, 403, 403, 200, 200, 403),
    "POST /api/interview/{id}/flags/object-detection/{event}/dismiss": (
        401,
        403,
        403,
        200,
        200,
        403,
    ),
    "POST /api/events/object-detection": (401, 403, 403, 403, 201, 201),
    "POST /api/events/face-pose": (401, 403, 403, 403, 201, 201),
    "POST /api/events/audio-transcript": (401, 403, 403, 403, 201, 201),
    "POST /api/events/answer-evaluation": (401, 403, 403, 403, 201, 201),
    "GET /api/users": (401, 403, 403, 403, 200, 403),
    "POST /api/users": (401, 403, 403, 403, 201, 403),
    "GET /api/auth/me": (401, 200, 200, 200, 200, 200),
    "POST /api/interview/{id}/end": (401, 200, 403, 200, 200, 403),
}

BODIES = {
    "POST /api/events/object-detection": {
        "object_detected": "cell phone",
        "confidence_score": 95.5,
    },
    "POST /api/events/face-pose": {
        "event_type": "looking_away",
        "duration_ms": 3500,
        "severity_score": 3,
    },
    "POST /api/events/audio-transcript": {
        "text_content": "My answer is...",
        "is_multiple_speakers": False,
    },
    "POST /api/events/answer-evaluation": {
        "ai_relevance_score": 85.5,
        "ai_feedback": "Good understanding...",
    },
}


def _cases() -> list[tuple[str, str, int]]:
    return [
        (endpoint, role, expected[i])
        for endpoint, expected in MATRIX.items()
        for i, role in enumerate(ROLES)
    ]


@pytest.mark.parametrize(("endpoint", "role", "expected"), _cases())
async def test_role_matrix(api: Api, endpoint: str, role: str, expected: int) -> None:
    session_id = await api.start_session("candidate")
    stored = await api.client.post(
        "/api/events/object-detection",
        json={"session_id": session_id, "object_detected": "cell phone", "confidence_score": 60},
        headers=api.headers["service"],
    )
    event_id = stored.json()["ids"][0]
    method, template = endpoint.split(" ")
    path = template.replace("{id}", str(session_id)).replace("{event}", str(event_id))
    body: dict[str, object] | None = None
    if endpoint in BODIES:
        body = {"session_id": session_id, **BODIES[endpoint]}
    elif endpoint == "POST /api/users":
        body = {
            "username": "new_user",
            "email": "new@example.org",
            "full_name": "N",
            "password": PASSWORD,
        }
    headers = {} if role == "anonymous" else api.headers[role]
    response = await api.client.request(method, path, json=body, headers=headers)
    assert response.status_code == expected, (endpoint, role, response.text)
