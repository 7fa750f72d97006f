"""Accounts: creation, sign-in and API keys. Never commits: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.auth.passwords import hash_password, verify_password
from interview_monitor.auth.repository import ApiKeyRepository, UserRepository
from interview_monitor.auth.roles import Role
from interview_monitor.auth.schemas import ApiKeyCreated, UserCreate
from interview_monitor.auth.tokens import (
    InvalidTokenError,
    decode_access_token,
    hash_api_key,
    new_api_key,
)
from interview_monitor.db.tables import ApiKey, User
from interview_monitor.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UnauthorizedError,
)
from interview_monitor.playback.service import forget_user
from interview_monitor.playback.storage import RecordingStore

DELETED_USER = "the token's user no longer exists"
BAD_API_KEY = "the API key is invalid or revoked"


class AccountConflictError(ValueError):
    def __init__(self, field: str) -> None:
        super().__init__(f"a user with this {field} already exists")
        self.field = field


async def create_user(session: AsyncSession, data: UserCreate) -> User:
    users = UserRepository(session)
    clash = await users.find_conflict(data.username, data.email)
    if clash is not None:
        raise AccountConflictError(clash)
    return await users.add(
        User(
            username=data.username,
            email=data.email,
            full_name=data.full_name.strip(),
            password_hash=hash_password(data.password),
            role=data.role.value,
        )
    )


async def authenticate(session: AsyncSession, username: str, password: str) -> User | None:
    user = await UserRepository(session).get_by_username(username)
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        return None
    return user


async def list_users(session: AsyncSession, role: Role | None) -> Sequence[User]:
    return await UserRepository(session).list(role)


async def delete_user(
    session: AsyncSession, admin: User, user_id: int, recordings: RecordingStore
) -> None:
    """Deletes the account and, by cascade, all of its sessions, events and evidence; their
    recording files once that is committed."""
    users = UserRepository(session)
    user = await _existing_user(users, user_id)
    if user.id == admin.id:
        raise ForbiddenError("admins cannot delete their own account", ["path", "user_id"])
    await forget_user(session, recordings, user.id)
    await users.delete(user)


async def set_active(session: AsyncSession, admin: User, user_id: int, active: bool) -> None:
    """Deactivate (no sign-in, no token or key accepted) or reactivate an account."""
    users = UserRepository(session)
    user = await _existing_user(users, user_id)
    if user.id == admin.id and not active:
        raise ForbiddenError("admins cannot deactivate their own account", ["path", "user_id"])
    user.is_active = active
    await session.flush()


async def reset_password(session: AsyncSession, user_id: int, password: str) -> None:
    user = await _existing_user(UserRepository(session), user_id)
    user.password_hash = hash_password(password)
    await session.flush()


async def _existing_user(users: UserRepository, user_id: int) -> User:
    user = await users.get(user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} does not exist", ["path", "user_id"])
    return user


async def create_api_key(session: AsyncSession, user_id: int, name: str) -> ApiKeyCreated:
    """A new key for a service account; the key itself is in the answer only."""
    user = await _existing_user(UserRepository(session), user_id)
    if Role(user.role) is not Role.SERVICE:
        raise ConflictError("API keys are for service accounts", ["path", "user_id"])
    key, prefix, key_hash = new_api_key()
    stored = await ApiKeyRepository(session).add(
        ApiKey(user_id=user.id, name=name, prefix=prefix, key_hash=key_hash)
    )
    return ApiKeyCreated(id=stored.id, name=name, prefix=prefix, key=key)


async def revoke_api_key(session: AsyncSession, user_id: int, key_id: int) -> None:
    if not await ApiKeyRepository(session).revoke(key_id, user_id):
        raise NotFoundError(f"no active key {key_id} for user {user_id}", ["path", "key_id"])


async def active_user(session: AsyncSession, user_id: int) -> User | None:
    user = await UserRepository(session).get(user_id)
    return user if user is not None and user.is_active else None


async def user_for_api_key_hash(session: AsyncSession, key_hash: str) -> User | None:
    stored = await ApiKeyRepository(session).get_active_by_hash(key_hash)
    return None if stored is None else await active_user(session, stored.user_id)


async def user_for_api_key(session: AsyncSession, key: str) -> User | None:
    return await user_for_api_key_hash(session, hash_api_key(key))


def token_user_id(secret_key: str, token: str) -> int:
    try:
        return decode_access_token(token, secret_key).user_id
    except InvalidTokenError:
        raise UnauthorizedError("the token is invalid or has expired") from None


async def user_from_token(session: AsyncSession, secret_key: str, token: str) -> User:
    """The active user a bearer token names (HTTP requests and WebSocket streams alike)."""
    user = await active_user(session, token_user_id(secret_key, token))
    if user is None:
        raise UnauthorizedError(DELETED_USER)
    return user
