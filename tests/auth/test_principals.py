from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.auth.principals import Credential, Principal, PrincipalCache
from interview_monitor.auth.roles import Role
from interview_monitor.auth.service import create_api_key
from interview_monitor.db.tables import User

pytestmark = pytest.mark.anyio


def test_cached_principals_expire_and_are_forgotten_per_user() -> None:
    now = [100.0]
    cache = PrincipalCache(ttl_s=5.0, clock=lambda: now[0])
    alice, key = Credential(user_id=1), Credential.for_api_key("imk_secret")
    cache.put(alice, Principal(1, Role.SERVICE))
    cache.put(key, Principal(2, Role.SERVICE))
    now[0] += 4.9
    assert cache.get(alice) == Principal(1, Role.SERVICE)
    cache.forget_user(2)
    assert cache.get(key) is None and cache.get(alice) is not None
    now[0] += 0.2
    assert cache.get(alice) is None


def test_the_cache_stays_bounded() -> None:
    cache = PrincipalCache(max_entries=3)
    for user_id in range(10):
        cache.put(Credential(user_id=user_id), Principal(user_id, Role.SERVICE))
    kept = [n for n in range(10) if cache.get(Credential(user_id=n)) is not None]
    assert 1 <= len(kept) <= 3 and 9 in kept


async def test_credentials_resolve_to_active_users_only(db_session: AsyncSession) -> None:
    user = User(
        username="svc-p",
        email="svc-p@example.org",
        password_hash="x",
        full_name="S",
        role="service",
    )
    db_session.add(user)
    await db_session.flush()
    created = await create_api_key(db_session, user.id, "yolo")
    assert await Credential(user_id=user.id).resolve(db_session) == Principal(user.id, Role.SERVICE)
    assert await Credential.for_api_key(created.key).resolve(db_session) == Principal(
        user.id, Role.SERVICE
    )
    assert await Credential.for_api_key(created.key + "x").resolve(db_session) is None
    user.is_active = False
    await db_session.flush()
    assert await Credential(user_id=user.id).resolve(db_session) is None
    assert await Credential(user_id=10**9).resolve(db_session) is None
