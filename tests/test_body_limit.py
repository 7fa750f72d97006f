from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from interview_monitor.body_limit import BodySizeLimit


async def _echo_length(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


def _client(max_bytes: int) -> TestClient:
    app = Starlette(routes=[Route("/", _echo_length, methods=["POST"])])
    return TestClient(BodySizeLimit(app, max_bytes=max_bytes))


def test_a_body_within_the_limit_reaches_the_app() -> None:
    response = _client(10).post("/", content=b"x" * 10)
    assert response.status_code == 200 and response.text == "10"


def test_a_declared_body_over_the_limit_is_413_naming_the_header() -> None:
    response = _client(10).post("/", content=b"x" * 11)
    assert response.status_code == 413
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["header", "content-length"] and "10 bytes" in detail["msg"]


def test_a_malformed_length_is_refused() -> None:
    response = _client(10).post("/", content=b"x", headers={"content-length": "1e9"})
    assert response.status_code == 413


def test_the_app_applies_it() -> None:
    from interview_monitor.app import create_app
    from interview_monitor.config import Settings

    app = create_app(Settings(), "postgresql://unused@127.0.0.1:1/none")
    assert any(middleware.cls is BodySizeLimit for middleware in app.user_middleware)
