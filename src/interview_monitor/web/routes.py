"""Page routes and the static files. Pages are static shells; their JS calls the JSON API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from interview_monitor.deps import LiveRuntimeDep
from interview_monitor.risk.engine import LEVEL_STARTS

HERE = Path(__file__).parent
PAGES = HERE / "templates"

router = APIRouter(include_in_schema=False)
# Every page is the candidate's or a reviewer's own; no third-party origin is ever needed.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
        "connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _page(name: str) -> FileResponse:
    return FileResponse(PAGES / name, media_type="text/html", headers=_HEADERS)


# The session page plots the risk levels' cut-offs: they come from the risk engine, not a copy.
_SESSION_PAGE = (
    (PAGES / "session.html")
    .read_text(encoding="utf-8")
    .replace("{level_starts}", ",".join(str(start) for start, _level in LEVEL_STARTS))
)


@router.get("/")
async def sign_in_page() -> FileResponse:
    return _page("signin.html")


_CANDIDATE_PAGE = (PAGES / "candidate.html").read_text(encoding="utf-8")


@router.get("/candidate")
async def candidate_page(live: LiveRuntimeDep) -> HTMLResponse:
    """The page's heartbeat and full-screen request follow the live settings."""
    page = _CANDIDATE_PAGE.replace(
        "{heartbeat_ms}", str(round(live.settings.heartbeat_s * 1000))
    ).replace("{fullscreen}", "true" if live.settings.fullscreen else "false")
    return HTMLResponse(page, headers=_HEADERS)


@router.get("/invite/{token}")
async def invitation_page(token: str) -> FileResponse:
    return _page("invite.html")


@router.get("/review")
async def dashboard_page() -> FileResponse:
    return _page("review.html")


@router.get("/review/{session_id}")
async def session_page(session_id: int) -> HTMLResponse:
    return HTMLResponse(_SESSION_PAGE, headers=_HEADERS)


def mount_web(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
