from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import ApiKey, User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def get_by_username(self, username: str) -> User | None:
        result = await self.session.execute(select(User).where(User.username == username))
        return result.scalar_one_or_none()

    async def find_conflict(self, username: str, email: str) -> str | None:
        """The name of the field that clashes with an existing account, if any."""
        if await self.get_by_username(username) is not None:
            return "username"
        taken = await self.session.scalar(
            select(func.count()).select_from(User).where(func.lower(User.email) == email.lower())
        )
        return "email" if taken else None

    async def add(self, user: User) -> User:
        self.session.add(user)
        await self.session.flush()
        await self.session.refresh(user)
        return user

    async def list(self, role: str | None = None) -> Sequence[User]:
        query = select(User).order_by(User.id)
        if role is not None:
            query = query.where(User.role == role)
        return (await self.session.scalars(query)).all()

    async def count_admins(self) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).select_from(User).where(User.role == "admin")
            )
            or 0
        )

    async def delete(self, user: User) -> None:
        await self.session.delete(user)
        await self.session.flush()


class ApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, key: ApiKey) -> ApiKey:
        self.session.add(key)
        await self.session.flush()
        return key

    async def get_active_by_hash(self, key_hash: str) -> ApiKey | None:
        result = await self.session.execute(
            select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
        )
        return result.scalar_one_or_none()

    async def revoke(self, key_id: int, user_id: int) -> bool:
        result = await self.session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
