"""The pages and their assets: served by the app, nothing fetched from anywhere else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interview_monitor.risk.engine import HIGH_THRESHOLD, MEDIUM_THRESHOLD
from interview_monitor.web.routes import HERE
from tests.live.harness import live_client

PAGES = ["/", "/candidate", "/review", "/review/1"]


@pytest.fixture(scope="module")
def client(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with live_client(database_url, tmp_path_factory.mktemp("home"), enabled=False) as client:
        yield client


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_served_with_a_strict_policy(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', response.text):
        assert client.get(asset).status_code == 200, asset


def _sources() -> list[Path]:
    return sorted(p for p in HERE.rglob("*") if p.suffix in {".html", ".js", ".css"})


@pytest.mark.parametrize("source", _sources(), ids=lambda p: p.name)
def test_no_third_party_resources(source: Path) -> None:
    text = source.read_text()
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text), (
        "everything is served locally"
    )
    for imported in re.findall(r'from "(/static/[^"]+)"', text):
        assert (HERE / imported.removeprefix("/")).is_file(), imported


def test_static_paths_cannot_escape(client: TestClient) -> None:
    assert client.get("/static/../routes.py").status_code == 404
    assert client.get("/static/missing.js").status_code == 404


def test_streams_are_refused_when_live_detection_is_off(client: TestClient) -> None:
    from starlette.websockets import WebSocketDisconnect

    with client.websocket_connect("/ws/video/1?token=x") as ws:
        assert ws.receive_json()["code"] == 1013
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1013


def test_the_session_page_gets_the_risk_cut_offs_from_the_server(client: TestClient) -> None:
    assert (
        f'data-level-starts="{MEDIUM_THRESHOLD},{HIGH_THRESHOLD}"' in client.get("/review/1").text
    )
