"""Errors raised when a business rule refuses an operation."""

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


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


class InvalidValues(InvalidValue):
    """Several values refused at once, so a form can show each next to its input. ``field`` and
    ``reason`` are the first problem's (for callers that show one); ``code`` is the problems' own
    when they share one (``WEAK_PASSWORD``), ``VALIDATION_ERROR`` otherwise."""

    def __init__(self, problems: Sequence[InvalidValue]) -> None:
        if not problems:
            raise ValueError("InvalidValues needs at least one problem")
        super().__init__(problems[0].field, problems[0].reason)
        self.message = "; ".join(f"{problem.field}: {problem.reason}" for problem in problems)
        self.args = (self.message,)
        self.problems: tuple[InvalidValue, ...] = tuple(problems)
        codes = {problem.code for problem in problems}
        self.code = codes.pop() if len(codes) == 1 else InvalidValue.code


class Checks:
    """Runs a command's cheap checks one after another, keeping every ``InvalidValue`` instead of
    stopping at the first; ``raise_any`` then raises them together (one alone as itself)."""

    def __init__(self) -> None:
        self._problems: list[InvalidValue] = []

    def add(self, problem: InvalidValue) -> None:
        self._problems.extend(problem.problems if isinstance(problem, InvalidValues) else (problem,))

    def run(self, check: Callable[[T], T], value: T) -> T:
        """``check(value)``, or ``value`` itself when refused (the problem is kept for ``raise_any``)."""
        try:
            return check(value)
        except InvalidValue as problem:
            self.add(problem)
            return value

    def attempt(self, make: Callable[[], T]) -> T | None:
        """``make()``, or None when it refuses (the problem is kept for ``raise_any``)."""
        try:
            return make()
        except InvalidValue as problem:
            self.add(problem)
            return None

    def finish(self, make: Callable[[], T]) -> T:
        """The last step: ``make()``, then every problem kept so far (``make``'s own among them)
        raised together; what ``make`` made when there is none."""
        try:
            made = make()
        except InvalidValue as problem:
            self.add(problem)
            raise self._together() from None
        self.raise_any()
        return made

    @property
    def failed(self) -> bool:
        return bool(self._problems)

    def raise_any(self) -> None:
        if self._problems:
            raise self._together()

    def _together(self) -> InvalidValue:
        return self._problems[0] if len(self._problems) == 1 else InvalidValues(self._problems)
