from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response, status
from starlette.background import BackgroundTask

from interview_monitor.auth import service
from interview_monitor.auth.principals import PrincipalCache
from interview_monitor.auth.roles import Role
from interview_monitor.auth.schemas import (
    ActiveSet,
    ApiKeyCreate,
    ApiKeyCreated,
    PasswordReset,
    Token,
    UserCreate,
    UserRead,
)
from interview_monitor.auth.tokens import create_access_token
from interview_monitor.deps import (
    Admin,
    CurrentUser,
    DbSession,
    PrincipalCacheDep,
    RecordingStoreDep,
    SettingsDep,
)
from interview_monitor.errors import ConflictError, UnauthorizedError
from interview_monitor.ids import RowId

router = APIRouter(prefix="/api", tags=["auth"])


def _forgetting(principals: PrincipalCache, user_id: int) -> Response:
    """204, with the user's cached ingest credentials dropped now and again once the change
    has committed (the transaction ends before the response is sent), so an ingest request
    in between cannot cache the old state."""
    principals.forget_user(user_id)
    return Response(
        status_code=status.HTTP_204_NO_CONTENT,
        background=BackgroundTask(principals.forget_user, user_id),
    )


@router.post("/auth/token")
async def issue_token(
    db: DbSession,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=255)],
    password: Annotated[str, Form(max_length=1024)],
) -> Token:
    """OAuth2 password flow: form fields `username` and `password`."""
    # No stored username holds a NUL (PostgreSQL cannot store one), so none can sign in.
    user = None if "\x00" in username else await service.authenticate(db, username, password)
    if user is None:
        raise UnauthorizedError("wrong username or password", ["body", "password"])
    token, expires_at = create_access_token(
        user.id, Role(user.role), settings.secret_key, settings.access_token_minutes
    )
    return Token(access_token=token, expires_at=expires_at, user=UserRead.model_validate(user))


@router.get("/auth/me")
async def who_am_i(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.get("/users")
async def list_users(db: DbSession, _: Admin, role: Role | None = None) -> list[UserRead]:
    return [UserRead.model_validate(u) for u in await service.list_users(db, role)]


@router.post("/users", status_code=status.HTTP_201_CREATED)
async def create_user(db: DbSession, _: Admin, data: UserCreate) -> UserRead:
    try:
        user = await service.create_user(db, data)
    except service.AccountConflictError as clash:
        raise ConflictError(str(clash), ["body", clash.field]) from None
    return UserRead.model_validate(user)


@router.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_user(
    db: DbSession,
    admin: Admin,
    principals: PrincipalCacheDep,
    recordings: RecordingStoreDep,
    user_id: RowId,
) -> Response:
    """Deletes the account and, by cascade, all of its sessions, events, evidence and
    recordings."""
    await service.delete_user(db, admin, user_id, recordings)
    return _forgetting(principals, user_id)


@router.put("/users/{user_id}/active", status_code=status.HTTP_204_NO_CONTENT)
async def set_active(
    db: DbSession, admin: Admin, principals: PrincipalCacheDep, user_id: RowId, data: ActiveSet
) -> Response:
    """Deactivate an account (it can no longer sign in; its tokens and keys stop working) or
    reactivate it. Admins cannot deactivate themselves."""
    await service.set_active(db, admin, user_id, data.is_active)
    return _forgetting(principals, user_id)


@router.put("/users/{user_id}/password", status_code=status.HTTP_204_NO_CONTENT)
async def reset_password(db: DbSession, _: Admin, user_id: RowId, data: PasswordReset) -> Response:
    """Set a new password; the old one stops working at once."""
    await service.reset_password(db, user_id, data.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/users/{user_id}/api-keys", status_code=status.HTTP_201_CREATED)
async def create_api_key(
    db: DbSession, _: Admin, user_id: RowId, data: ApiKeyCreate
) -> ApiKeyCreated:
    """A key for an AI module's service account, shown once; send it as `X-API-Key`."""
    return await service.create_api_key(db, user_id, data.name)


@router.delete("/users/{user_id}/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_key(
    db: DbSession, _: Admin, principals: PrincipalCacheDep, user_id: RowId, key_id: RowId
) -> Response:
    await service.revoke_api_key(db, user_id, key_id)
    return _forgetting(principals, user_id)
