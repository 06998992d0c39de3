"""Errors raised by use cases. Only the interfaces layer knows how they map to HTTP."""

from __future__ import annotations


class ApplicationError(Exception):
    code = "APPLICATION_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ApplicationError):
    code = "NOT_FOUND"


class Conflict(ApplicationError):
    code = "CONFLICT"


class PermissionDenied(ApplicationError):
    code = "FORBIDDEN"


class DependencyUnavailable(ApplicationError):
    """A service the call needs (database, Redis) does not answer; the client may retry."""

    code = "SERVICE_UNAVAILABLE"

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after
