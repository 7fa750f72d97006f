"""FastAPI dependencies as typed aliases: the app's shared parts, the database session, the
caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.requests import HTTPConnection
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.app_state import AppState
from interview_monitor.auth.principals import Credential, Principal, PrincipalCache
from interview_monitor.auth.roles import INGESTERS, REVIEWERS, Role
from interview_monitor.auth.service import (
    BAD_API_KEY,
    DELETED_USER,
    token_user_id,
    user_for_api_key,
    user_from_token,
)
from interview_monitor.config import Settings
from interview_monitor.db.engine import Database
from interview_monitor.db.tables import User
from interview_monitor.errors import ForbiddenError, UnauthorizedError
from interview_monitor.events.batcher import IngestBatcher
from interview_monitor.live.runtime import LiveRuntime
from interview_monitor.playback.storage import RecordingStore, recording_store
from interview_monitor.questions.evaluation import AnswerEvaluator
from interview_monitor.risk.engine import RiskModel

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


def app_state(connection: HTTPConnection) -> AppState:
    """The one read of app.state; HTTPConnection, so WebSocket routes share the dependencies."""
    state: AppState = connection.app.state.app_state
    return state


async def get_settings(connection: HTTPConnection) -> Settings:
    return app_state(connection).settings


async def get_database(connection: HTTPConnection) -> Database:
    return app_state(connection).database


async def get_risk_model(connection: HTTPConnection) -> RiskModel:
    return app_state(connection).risk_model


async def get_principal_cache(connection: HTTPConnection) -> PrincipalCache:
    return app_state(connection).principals


async def get_answer_evaluator(connection: HTTPConnection) -> AnswerEvaluator:
    return app_state(connection).answer_evaluator


async def get_live_runtime(connection: HTTPConnection) -> LiveRuntime:
    return app_state(connection).live


async def get_recording_store(connection: HTTPConnection) -> RecordingStore:
    return recording_store(app_state(connection).settings)


# scope="function": the transaction commits before the response is sent, so a client that
# acts on what it was just told (a session id, say) always finds it stored.
async def get_db_session(
    database: Annotated[Database, Depends(get_database)],
) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler returns, rolled back on error."""
    async with database.session() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
DbSession = Annotated[AsyncSession, Depends(get_db_session, scope="function")]
RiskModelDep = Annotated[RiskModel, Depends(get_risk_model)]
PrincipalCacheDep = Annotated[PrincipalCache, Depends(get_principal_cache)]
AnswerEvaluatorDep = Annotated[AnswerEvaluator, Depends(get_answer_evaluator)]
LiveRuntimeDep = Annotated[LiveRuntime, Depends(get_live_runtime)]
RecordingStoreDep = Annotated[RecordingStore, Depends(get_recording_store)]


_NO_CREDENTIALS = "sign in first: send a bearer token or an X-API-Key header"


async def get_current_user(
    db: DbSession,
    settings: SettingsDep,
    token: Annotated[str | None, Security(oauth2_scheme)],
    api_key: Annotated[str | None, Security(api_key_scheme)],
) -> User:
    if token:
        return await user_from_token(db, settings.secret_key, token)
    if api_key:
        user = await user_for_api_key(db, api_key)
        if user is None:
            raise UnauthorizedError(BAD_API_KEY)
        return user
    raise UnauthorizedError(_NO_CREDENTIALS)


CurrentUser = Annotated[User, Depends(get_current_user)]


def _require(roles: frozenset[Role], what: str) -> object:
    async def check(user: CurrentUser) -> User:
        if Role(user.role) not in roles:
            raise ForbiddenError(f"only {what} may do this")
        return user

    return Depends(check)


# Ingest is the hot path, so checking its caller and handing over the batcher is one
# dependency reading the app state directly (each FastAPI dependency costs about as much as
# a small query's Python side).
async def _ingest_caller(request: Request, token: str | None, api_key: str | None) -> Principal:
    """Who is posting: from the principal cache when it can, with no per-request transaction
    (the batcher opens the one that stores the events)."""
    state = app_state(request)
    if token:
        credential = Credential(user_id=token_user_id(state.settings.secret_key, token))
    elif api_key:
        credential = Credential.for_api_key(api_key)
    else:
        raise UnauthorizedError(_NO_CREDENTIALS)
    cache = state.principals
    principal = cache.get(credential)
    if principal is None:
        async with state.database.session() as db:
            principal = await credential.resolve(db)
        if principal is None:
            raise UnauthorizedError(DELETED_USER if token else BAD_API_KEY)
        cache.put(credential, principal)
    return principal


async def get_ingest_batcher(
    request: Request,
    token: Annotated[str | None, Security(oauth2_scheme)],
    api_key: Annotated[str | None, Security(api_key_scheme)],
) -> IngestBatcher:
    """The ingest batcher, once the caller is known to be allowed to ingest."""
    principal = await _ingest_caller(request, token, api_key)
    if principal.role not in INGESTERS:
        raise ForbiddenError("only service accounts and admins may do this")
    return app_state(request).ingest_batcher


@dataclass(frozen=True, slots=True)
class BrowserIngest:
    batcher: IngestBatcher
    caller: Principal


async def get_browser_ingest(
    request: Request,
    token: Annotated[str | None, Security(oauth2_scheme)],
    api_key: Annotated[str | None, Security(api_key_scheme)],
) -> BrowserIngest:
    """Page telemetry also comes from the candidate's own page: ingesters and candidates (who
    the route then holds to their own sessions)."""
    principal = await _ingest_caller(request, token, api_key)
    if principal.role not in INGESTERS | {Role.CANDIDATE}:
        raise ForbiddenError(
            "only service accounts, admins and the session's candidate may do this"
        )
    return BrowserIngest(app_state(request).ingest_batcher, principal)


IngestBatcherForCaller = Annotated[IngestBatcher, Depends(get_ingest_batcher)]
BrowserIngestForCaller = Annotated[BrowserIngest, Depends(get_browser_ingest)]
Reviewer = Annotated[User, _require(REVIEWERS, "interviewers and admins")]
Admin = Annotated[User, _require(frozenset({Role.ADMIN}), "admins")]
