"""Which database failures are 503 (the server cannot serve now), 409 (a lost race) or a bug."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, ProgrammingError

from application.shared.errors import DependencyUnavailable
from infrastructure.db.errors import ConcurrentUpdate, translate_database_error


class DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def wrapped(sqlstate: str) -> DBAPIError:
    return DBAPIError("SELECT 1", {}, DriverError(sqlstate))


@pytest.mark.parametrize(
    "sqlstate",
    [
        "53300",  # too many connections
        "53100",  # disk full
        "57P01",  # admin shutdown
        "57P03",  # cannot connect now: starting up
        "57014",  # statement timeout / query cancelled
        "08006",  # connection failure
    ],
)
def test_a_server_that_cannot_serve_now_is_unavailable(sqlstate: str) -> None:
    assert isinstance(translate_database_error(wrapped(sqlstate)), DependencyUnavailable)
    assert isinstance(translate_database_error(DriverError(sqlstate)), DependencyUnavailable)  # raw driver error


@pytest.mark.parametrize("sqlstate", ["40001", "40P01"])
def test_a_lost_race_is_a_conflict(sqlstate: str) -> None:
    assert isinstance(translate_database_error(wrapped(sqlstate)), ConcurrentUpdate)


@pytest.mark.parametrize("sqlstate", ["42P01", "23505", "22P02"])  # undefined table, unique violation, bad text
def test_a_bug_stays_a_bug(sqlstate: str) -> None:
    assert translate_database_error(ProgrammingError("SELECT", {}, DriverError(sqlstate))) is None
    assert translate_database_error(ValueError("nothing to do with the database")) is None
