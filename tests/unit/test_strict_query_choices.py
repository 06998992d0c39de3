"""The strict-input hook on enum and ``Literal`` query parameters (the staff list's ``role`` and
``sort``): exactly one of the values, once; anything else is 400 naming ``query.<name>``."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import pytest
from litestar import get
from litestar.params import FromQuery, Parameter
from litestar.testing import TestClient, create_test_client

from interfaces.http.errors import exception_handlers
from interfaces.http.strict_input import strict_input


class Colour(enum.StrEnum):
    RED = "RED"
    WHITE = "WHITE"


@get("/api/flowers")
async def flowers(
    colour: FromQuery[Colour | None] = None,
    order: Annotated[Literal["name", "-name"], Parameter(description="by name")] = "name",
    fresh: FromQuery[bool | None] = None,
) -> dict[str, Any]:
    return {"colour": colour, "order": order, "fresh": fresh}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Any]]:
    with create_test_client([flowers], before_request=strict_input, exception_handlers=exception_handlers()) as client:
        yield client


def _errors(response: Any) -> dict[str, str]:
    assert response.status_code == 400, response.text
    return {e["field"]: e["message"] for e in response.json().get("errors", [])}


@pytest.mark.parametrize("value", ["red", "RED ", "BLUE", "", "Red", "0"])
def test_an_enum_parameter_takes_only_its_values(client: TestClient[Any], value: str) -> None:
    assert _errors(client.get("/api/flowers", params={"colour": value})) == {
        "query.colour": "must be one of RED, WHITE"
    }


@pytest.mark.parametrize("value", ["Name", "+name", "name ", "created_at", ""])
def test_a_literal_parameter_takes_only_its_values(client: TestClient[Any], value: str) -> None:
    assert _errors(client.get("/api/flowers", params={"order": value})) == {"query.order": "must be one of name, -name"}


def test_each_is_given_once(client: TestClient[Any]) -> None:
    assert _errors(client.get("/api/flowers?colour=RED&colour=WHITE")) == {"query.colour": "must be given once"}


def test_every_bad_parameter_is_named(client: TestClient[Any]) -> None:
    errors = _errors(client.get("/api/flowers", params={"colour": "x", "order": "y", "fresh": "1"}))
    assert set(errors) == {"query.colour", "query.order", "query.fresh"}


def test_good_values_pass(client: TestClient[Any]) -> None:
    response = client.get("/api/flowers", params={"colour": "WHITE", "order": "-name", "fresh": "false"})
    assert response.status_code == 200, response.text
    assert response.json() == {"colour": "WHITE", "order": "-name", "fresh": False}
    assert client.get("/api/flowers").json() == {"colour": None, "order": "name", "fresh": None}
