"""Where a session is in its life: open while in progress, ended in one of three ways."""

from __future__ import annotations

from enum import StrEnum


class SessionStatus(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    TERMINATED = "TERMINATED"
    ABANDONED = "ABANDONED"
