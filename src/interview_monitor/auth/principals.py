"""Who is posting events: a caller resolved once and then remembered for a few seconds.

Ingest is the hot path: an AI module posting single events would otherwise pay a user (or API
key) lookup per event, which costs as much as storing the event. A resolved caller is kept
for `ttl_s`; deleting a user or revoking a key forgets it at once in this process, so the TTL
only bounds how long another process's change can go unseen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.auth.roles import Role
from interview_monitor.auth.service import active_user, user_for_api_key_hash
from interview_monitor.auth.tokens import hash_api_key


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    role: Role


@dataclass(frozen=True, slots=True)
class Credential:
    """A bearer token's user id or an API key (held only as its hash)."""

    user_id: int | None = None
    api_key_hash: str | None = None

    @classmethod
    def for_api_key(cls, key: str) -> Credential:
        return cls(api_key_hash=hash_api_key(key))

    async def resolve(self, db: AsyncSession) -> Principal | None:
        """The active user behind this credential, or None."""
        if self.api_key_hash is not None:
            user = await user_for_api_key_hash(db, self.api_key_hash)
        else:
            user = None if self.user_id is None else await active_user(db, self.user_id)
        return None if user is None else Principal(user.id, Role(user.role))


class PrincipalCache:
    def __init__(
        self,
        ttl_s: float = 5.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._entries: dict[Credential, tuple[float, Principal]] = {}

    def get(self, credential: Credential) -> Principal | None:
        entry = self._entries.get(credential)
        if entry is None:
            return None
        expires_at, principal = entry
        if expires_at < self._clock():
            del self._entries[credential]
            return None
        return principal

    def put(self, credential: Credential, principal: Principal) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[credential] = (self._clock() + self.ttl_s, principal)

    def forget_user(self, user_id: int) -> None:
        """Drop every credential of this user (deleted, or one of their keys revoked)."""
        stale = [cred for cred, (_, who) in self._entries.items() if who.user_id == user_id]
        for credential in stale:
            del self._entries[credential]
