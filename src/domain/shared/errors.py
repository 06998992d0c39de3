"""Errors raised when a business rule refuses an operation."""


class DomainError(Exception):
    """Base of every business-rule violation.

    ``code`` is a stable machine-readable name; the HTTP layer maps it to a status.
    """

    code = "DOMAIN_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvariantViolation(DomainError):
    code = "INVARIANT_VIOLATION"


class InvalidValue(DomainError):
    """A value that can never be valid, whatever the state (the HTTP layer answers 400)."""

    code = "VALIDATION_ERROR"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message
