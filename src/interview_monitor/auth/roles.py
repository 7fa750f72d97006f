from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CANDIDATE = "candidate"
    INTERVIEWER = "interviewer"
    ADMIN = "admin"
    SERVICE = "service"


REVIEWERS = frozenset({Role.INTERVIEWER, Role.ADMIN})
INGESTERS = frozenset({Role.SERVICE, Role.ADMIN})
