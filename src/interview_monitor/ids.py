"""Row ids are PostgreSQL integers: a larger number is a bad request, not a database error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ROW_ID = 2_147_483_647  # integer (serial) ids: users, sessions, keys
MAX_BIG_ROW_ID = 9_223_372_036_854_775_807  # bigint (bigserial) ids: events

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
BigRowId = Annotated[int, Path(ge=1, le=MAX_BIG_ROW_ID)]
