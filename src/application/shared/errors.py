"""Errors raised by use cases. Only the interfaces layer knows how they map to HTTP."""

from __future__ import annotations


class ApplicationError(Exception):
    code = "APPLICATION_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ApplicationError):
    code = "NOT_FOUND"


class ShopNotFound(NotFound):
    """The principal's shop is gone (every context reads its own view of the shop)."""

    def __init__(self) -> None:
        super().__init__("No such shop.")


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


class RuleRefused(ApplicationError):
    """422: a well-formed request that a rule needing stored state refuses. The caller's session
    is fine (never a 401); ``field``, when set, names the input a form should mark."""

    code = "UNPROCESSABLE_CONTENT"
    field: str | None = None


class CurrencyNotTheShops(RuleRefused):
    """An amount in another currency than the shop's (``field`` names it)."""

    code = "CURRENCY_MISMATCH"

    def __init__(self, field: str, currency: str) -> None:
        super().__init__(f"Amounts must be in the shop's currency, {currency}.")
        self.field = field


class AuthenticationFailed(ApplicationError):
    """401: the caller could not be identified."""

    code = "UNAUTHORIZED"


class InvalidCredentials(AuthenticationFailed):
    code = "INVALID_CREDENTIALS"

    def __init__(self) -> None:
        super().__init__("The email or password is not correct.")


class InvalidRefreshToken(AuthenticationFailed):
    code = "INVALID_REFRESH_TOKEN"

    def __init__(self) -> None:
        super().__init__("The refresh token is not valid.")


class TooManyAttempts(ApplicationError):
    """429: slow down; ``retry_after`` seconds."""

    code = "TOO_MANY_ATTEMPTS"

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many failed attempts; try again later.")
        self.retry_after = retry_after
