from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from interview_monitor.auth.passwords import MIN_PASSWORD_LENGTH
from interview_monitor.auth.roles import Role
from interview_monitor.request_model import RequestModel

USERNAME_PATTERN = r"^[A-Za-z0-9_.@-]{1,50}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


# Not only spaces or control characters (eight spaces are no password).
Password = Annotated[
    str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024, pattern=r"[^\s\x00-\x1f]")
]


class UserCreate(RequestModel):
    username: str = Field(pattern=USERNAME_PATTERN)
    email: str = Field(pattern=EMAIL_PATTERN, max_length=255)
    # Something visible: a name of spaces would show as nothing in every list.
    full_name: str = Field(min_length=1, max_length=255, pattern=r"\S")
    password: Password
    role: Role = Role.CANDIDATE


class ActiveSet(RequestModel):
    is_active: bool


class PasswordReset(RequestModel):
    password: Password


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_at: datetime
    user: UserRead


class ApiKeyCreate(RequestModel):
    name: str = Field(min_length=1, max_length=100)


class ApiKeyCreated(BaseModel):
    id: int
    name: str
    prefix: str
    key: str
