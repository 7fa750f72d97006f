"""Domain errors that every layer may raise; the web layer maps them to HTTP answers."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    status_code = 400
    error_type = "bad_request"

    def __init__(self, message: str, loc: Sequence[str | int] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.loc = list(loc)

    def detail(self) -> list[dict[str, object]]:
        return [{"loc": self.loc, "msg": self.message, "type": self.error_type}]


class NotFoundError(DomainError):
    status_code = 404
    error_type = "not_found"


class ConflictError(DomainError):
    status_code = 409
    error_type = "conflict"


class ForbiddenError(DomainError):
    status_code = 403
    error_type = "forbidden"


class InvalidInputError(DomainError):
    status_code = 422
    error_type = "value_error"


class UnavailableError(DomainError):
    status_code = 503
    error_type = "unavailable"


class UnauthorizedError(DomainError):
    status_code = 401
    error_type = "unauthorized"


class TooLargeError(DomainError):
    status_code = 413
    error_type = "too_large"
