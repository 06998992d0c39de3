"""Database failures as the application names them: unreachable is 503, a lost race is 409."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from application.shared.errors import ApplicationError, Conflict, DependencyUnavailable

_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
# SQLSTATE classes of a server that cannot serve right now rather than of a bug: connection
# exception (08), insufficient resources (53: too many connections, out of memory or disk) and
# operator intervention (57: shutting down, starting up, a statement timeout or cancellation).
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "53", "57"})


class ConcurrentUpdate(Conflict):
    code = "CONCURRENT_UPDATE"

    def __init__(self) -> None:
        super().__init__("Another request changed the same data at the same time; retry.")


def _sqlstate(error: BaseException) -> str | None:
    orig = getattr(error, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(code, str):
            return code
    return None


def translate_database_error(error: BaseException) -> ApplicationError | None:
    """The application error a driver or pool failure stands for, or None if it is a bug."""
    state = _sqlstate(error) if isinstance(error, DBAPIError) else getattr(error, "sqlstate", None)
    if isinstance(error, DBAPIError) and state in _RETRYABLE_SQLSTATES:
        return ConcurrentUpdate()
    if isinstance(state, str) and state[:2] in _UNAVAILABLE_SQLSTATE_CLASSES:
        return DependencyUnavailable("The database is unavailable.", retry_after=5)
    if isinstance(error, PoolTimeout | OperationalError | InterfaceError):
        return DependencyUnavailable("The database is unavailable.", retry_after=5)
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return DependencyUnavailable("The database is unavailable.", retry_after=5)
    if isinstance(error, ConnectionError | TimeoutError) or type(error).__module__.startswith("asyncpg"):
        name = type(error).__name__
        if isinstance(error, ConnectionError | TimeoutError) or "Connection" in name or "CannotConnect" in name:
            return DependencyUnavailable("The database is unavailable.", retry_after=5)
    return None


@contextmanager
def application_errors() -> Iterator[None]:
    """Raises the application error a driver or pool failure stands for (``DependencyUnavailable``,
    ``ConcurrentUpdate``), so a use case can react to it; anything else passes unchanged."""
    try:
        yield
    except Exception as error:
        translated = translate_database_error(error)
        if translated is None:
            raise
        raise translated from error
