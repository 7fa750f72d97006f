"""Who is on the other end of a WebSocket, and may they use this session?"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from starlette.websockets import WebSocket

from interview_monitor.auth.roles import REVIEWERS, Role
from interview_monitor.auth.service import user_from_token
from interview_monitor.db.engine import Database
from interview_monitor.db.tables import InterviewSession, User
from interview_monitor.errors import UnauthorizedError
from interview_monitor.interviews.repository import SessionRepository
from interview_monitor.interviews.statuses import SessionStatus
from interview_monitor.streaming.protocol import (
    ClientGone,
    CloseCode,
    StreamClosed,
    parse_control,
)


async def receive(websocket: WebSocket) -> Mapping[str, Any]:
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise ClientGone(int(message.get("code") or CloseCode.NORMAL))
    return message


async def _token(websocket: WebSocket, timeout_s: float) -> str:
    token = websocket.query_params.get("token")
    if token:
        return token
    try:
        message = await asyncio.wait_for(receive(websocket), timeout_s)
    except TimeoutError:
        raise StreamClosed(CloseCode.UNAUTHENTICATED, "no token was sent in time") from None
    text = message.get("text")
    token = parse_control(text).get("token") if text is not None else None
    if not isinstance(token, str) or not token:
        raise StreamClosed(
            CloseCode.UNAUTHENTICATED,
            'send the token as ?token=... or as the first message {"token": "..."}',
        )
    return token


async def authenticate(
    websocket: WebSocket, database: Database, secret_key: str, timeout_s: float
) -> User:
    token = await _token(websocket, timeout_s)
    async with database.session() as db:
        try:
            return await user_from_token(db, secret_key, token)
        except UnauthorizedError as error:
            raise StreamClosed(CloseCode.UNAUTHENTICATED, error.message) from None


async def session_for_candidate(
    database: Database, session_id: int, user: User
) -> InterviewSession:
    """The session if `user` is its candidate and it is still in progress."""
    interview = await _session(database, session_id)
    if Role(user.role) is not Role.CANDIDATE or interview.user_id != user.id:
        raise StreamClosed(CloseCode.FORBIDDEN, "only the session's candidate may stream into it")
    if interview.status != SessionStatus.IN_PROGRESS:
        raise StreamClosed(CloseCode.SESSION_ENDED, f"session {session_id} has ended")
    return interview


async def session_for_reviewer(database: Database, session_id: int, user: User) -> InterviewSession:
    require_reviewer(user)
    return await _session(database, session_id)


def require_reviewer(user: User) -> None:
    if Role(user.role) not in REVIEWERS:
        raise StreamClosed(CloseCode.FORBIDDEN, "only interviewers and admins watch sessions")


async def session_status(database: Database, session_id: int) -> str | None:
    async with database.session() as db:
        statuses = await SessionRepository(db).statuses([session_id])
    return statuses.get(session_id)


async def _session(database: Database, session_id: int) -> InterviewSession:
    async with database.session() as db:
        interview = await SessionRepository(db).get(session_id)
    if interview is None:
        raise StreamClosed(CloseCode.UNKNOWN_SESSION, f"session {session_id} does not exist")
    return interview
