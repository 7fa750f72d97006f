from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt

from interview_monitor.auth.roles import Role

_ALGORITHM = "HS256"
API_KEY_PREFIX = "imk_"


class InvalidTokenError(ValueError):
    pass


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    role: Role
    expires_at: datetime


def create_access_token(
    user_id: int, role: Role, secret: str, minutes: int
) -> tuple[str, datetime]:
    expires_at = datetime.now(UTC) + timedelta(minutes=minutes)
    token = jwt.encode(
        {"sub": str(user_id), "role": role.value, "exp": expires_at}, secret, algorithm=_ALGORITHM
    )
    return token, expires_at


def decode_access_token(token: str, secret: str) -> TokenClaims:
    claims = _signed_claims(token, secret)
    if claims.expires_at <= datetime.now(UTC):
        raise InvalidTokenError("Signature has expired")
    return claims


# Checking the signature is most of a request's auth cost, and its answer never changes for a
# given token: remembered per token (invalid ones raise and are not), expiry checked each use.
@lru_cache(maxsize=4096)
def _signed_claims(token: str, secret: str) -> TokenClaims:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            options={"require": ["exp", "sub"], "verify_exp": False},
        )
        return TokenClaims(
            user_id=int(claims["sub"]),
            role=Role(claims["role"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError, OverflowError) as error:
        raise InvalidTokenError(str(error)) from None


def new_api_key() -> tuple[str, str, str]:
    """A fresh key: (the key shown once, its display prefix, the sha256 stored)."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key[:12], hash_api_key(key)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
