"""The strict-input hook on a small Litestar app: no lax coercion of bodies or query parameters."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Annotated, Any

import msgspec
import pytest
from litestar import get, patch, post
from litestar.params import FromQuery, HeaderParameter, JSONBody, Parameter, QueryParameter
from litestar.testing import TestClient, create_test_client

from interfaces.http.errors import exception_handlers
from interfaces.http.strict_input import body_error, strict_input


class Inner(msgspec.Struct, forbid_unknown_fields=True):
    name: str


class Body(msgspec.Struct, forbid_unknown_fields=True):
    active: bool | None = None
    count: int | None = None
    items: list[Inner] = msgspec.field(default_factory=list)


@patch("/things")
async def change(data: JSONBody[Body]) -> dict[str, Any]:
    return msgspec.to_builtins(data)  # type: ignore[no-any-return]


@post("/optional", status_code=200)
async def optional(data: JSONBody[Body | None] = None) -> str:
    return "none" if data is None else "some"


@get(["/page", "/api/page"])
async def page(
    limit: Annotated[int, Parameter(ge=1, le=100)] = 50,
    wide: FromQuery[bool] = False,
    named: Annotated[int | None, QueryParameter(name="n")] = None,
    token: Annotated[int | None, HeaderParameter(name="x-token")] = None,
) -> dict[str, Any]:
    return {"limit": limit, "wide": wide, "named": named}


class Colour(enum.Enum):
    RED = "RED"
    GREEN = "GREEN"


class Line(msgspec.Struct, forbid_unknown_fields=True):
    sku: Annotated[str, msgspec.Meta(min_length=2, max_length=5)]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=10)]


class Order(msgspec.Struct, forbid_unknown_fields=True):
    vendor_slug: Annotated[str, msgspec.Meta(max_length=5)]
    colour: Colour
    lines: Annotated[list[Line], msgspec.Meta(max_length=3)]
    note: str | None = None
    tags: list[str] = msgspec.field(default_factory=list)


@post("/api/orders", status_code=200)
async def order(data: JSONBody[Order], limit: Annotated[int, Parameter(ge=1, le=100)] = 50) -> str:
    return "ok"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Any]]:
    with create_test_client(
        [change, optional, page, order], before_request=strict_input, exception_handlers=exception_handlers()
    ) as client:
        yield client


def _errors(response: Any) -> dict[str, str]:
    assert response.status_code == 400, response.text
    return {e["field"]: e["message"] for e in response.json().get("errors", [])}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"active": "false"}, "active", "must be true or false or null, not a string"),
        ({"active": 0}, "active", "must be true or false or null, not a whole number"),
        ({"count": "1e2"}, "count", "must be a whole number or null, not a string"),
        ({"count": 100.0}, "count", "must be a whole number or null, not a number"),
        ({"count": True}, "count", "must be a whole number or null, not true or false"),
        ({"items": [{"name": 5}]}, "items[0].name", "must be a string, not a whole number"),
        ({"extra": 1}, "extra", "is an unknown field: this request does not take it"),
        ({"items": [{}]}, "items[0].name", "is missing: this field is required"),
    ],
)
def test_loosely_typed_bodies_are_400_naming_the_field(
    client: TestClient[Any], body: dict[str, Any], field: str, message: str
) -> None:
    assert _errors(client.patch("/things", json=body)) == {field: message}


def test_well_typed_bodies_pass(client: TestClient[Any]) -> None:
    response = client.patch("/things", json={"active": False, "count": 100, "items": [{"name": "a"}]})
    assert response.status_code == 200, response.text
    assert response.json() == {"active": False, "count": 100, "items": [{"name": "a"}]}


def test_a_body_that_is_not_an_object_names_the_body(client: TestClient[Any]) -> None:
    assert _errors(client.patch("/things", json=[1])) == {"body": "must be an object, not an array"}


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b'{"items": [{"name": "\xff"}]}', "The request body is not valid UTF-8."),
        (b'{"active": tru', "The request body is not valid JSON."),
        (b'{"count": "\\udfff"}', "The request body is not valid JSON."),
        # past a first problem the typed decoder stops at, still found (issue 11: the walk decodes it all)
        (b'{"extra": 1, "items": [{"name": "\xff"}]}', "The request body is not valid UTF-8."),
        (b'{"extra": 1, "count": "\\udfff"}', "The request body is not valid JSON."),
        (b'{"extra": 1, "count": 1', "The request body is not valid JSON."),
    ],
)
def test_undecodable_bodies_are_400(client: TestClient[Any], raw: bytes, detail: str) -> None:
    response = client.patch("/things", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == detail


def test_an_optional_body_may_be_absent(client: TestClient[Any]) -> None:
    assert client.post("/optional").text == "none"
    assert client.post("/optional", json={"active": True}).text == "some"
    assert _errors(client.post("/optional", json={"active": "yes"})) == {
        "active": "must be true or false or null, not a string"
    }


@pytest.mark.parametrize("value", ["10.0", "1e1", " 10", "10 ", "+10", "0x0a", "\uff11\uff10", "", "1_0", "10\n"])
def test_integer_query_parameters_take_digits_only(client: TestClient[Any], value: str) -> None:
    errors = _errors(client.get("/page", params={"limit": value}))
    assert errors == {"query.limit": "must be a whole number written in digits"}


@pytest.mark.parametrize("value", ["0", "101", "-1"])
def test_out_of_range_integers_name_the_query_parameter(client: TestClient[Any], value: str) -> None:
    assert list(_errors(client.get("/page", params={"limit": value}))) == ["query.limit"]


def test_a_query_parameter_given_twice_is_refused(client: TestClient[Any]) -> None:
    assert _errors(client.get("/page?limit=5&limit=6")) == {"query.limit": "must be given once"}


@pytest.mark.parametrize("value", ["1", "0", "True", "yes", "on", ""])
def test_boolean_query_parameters_take_true_or_false(client: TestClient[Any], value: str) -> None:
    assert _errors(client.get("/page", params={"wide": value})) == {"query.wide": "must be true or false"}


def test_aliased_and_plain_query_parameters_pass(client: TestClient[Any]) -> None:
    response = client.get("/page", params={"limit": "7", "wide": "true", "n": "-3"}, headers={"x-token": "1"})
    assert response.status_code == 200, response.text
    assert response.json() == {"limit": 7, "wide": True, "named": -3}
    assert _errors(client.get("/page", params={"n": "3.0"})) == {"query.n": "must be a whole number written in digits"}


def test_body_error_without_a_path_names_the_body() -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.json.decode(b"[1]", type=Body, strict=True)
    assert body_error(caught.value) == {"key": "body", "source": "body", "message": "must be an object, not an array"}


def test_unknown_query_parameters_under_api_are_refused(client: TestClient[Any]) -> None:
    errors = _errors(client.get("/api/page", params={"limit": "5", "colour": "red", "Limit": "5"}))
    unknown = "is not a parameter of this call"
    assert errors == {"query.Limit": unknown, "query.colour": unknown}
    assert client.get("/api/page", params={"limit": "5", "n": "1", "wide": "false"}).status_code == 200
    assert client.get("/page", params={"colour": "red"}).status_code == 200  # outside /api/: not the API's contract


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/jsonx"])
def test_a_body_that_is_not_json_is_415(client: TestClient[Any], content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.patch("/things", content=b'{"active": true}', headers=headers)
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize(
    "content_type", ["application/json", "Application/JSON; charset=utf-8", "application/merge-patch+json"]
)
def test_json_media_types_pass(client: TestClient[Any], content_type: str) -> None:
    response = client.patch("/things", content=b'{"active": true}', headers={"content-type": content_type})
    assert response.status_code == 200, response.text


def test_every_route_of_the_real_app_decodes_strictly() -> None:
    """Litestar keeps only the innermost layer's ``before_request``: a controller or handler that set
    its own would silently switch strict input off for its routes."""
    from litestar import Litestar
    from litestar.routes import HTTPRoute

    from infrastructure.config import generate_secret_key, load_settings
    from interfaces.http.app import create_app

    settings = load_settings(
        {
            "ENVIRONMENT": "test",
            "SECRET_KEY": generate_secret_key(),
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/never_connected",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    litestar = create_app(settings).app
    assert isinstance(litestar, Litestar)
    handlers = [
        handler
        for route in litestar.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if not route.path.startswith("/schema")
    ]
    assert len(handlers) >= 10
    for handler in handlers:
        assert handler.resolve_before_request() is strict_input, handler


# --- every problem at once (issue 11, item 2) ----------------------------------------------------

MISSING = "is missing: this field is required"
UNKNOWN = "is an unknown field: this request does not take it"
GOOD_ORDER: dict[str, Any] = {"vendor_slug": "rosa", "colour": "RED", "lines": [{"sku": "ab", "quantity": 1}]}


def test_a_good_order_passes(client: TestClient[Any]) -> None:
    response = client.post("/api/orders", json=GOOD_ORDER)
    assert response.status_code == 200, response.text


def test_every_body_problem_is_listed_with_its_path(client: TestClient[Any]) -> None:
    body = {
        "vendor_slug": "far-too-long",
        "colour": "BLUE",
        "lines": [{"sku": "ab", "quantity": 1}, {"sku": "a", "quantity": "2"}, {"quantity": 0, "price": 5}],
        "note": 7,
        "tags": ["a", 1, "b", False],
        "extra": True,
    }
    assert _errors(client.post("/api/orders", json=body)) == {
        "vendor_slug": "must be at most 5 characters long",
        "colour": "must be one of RED, GREEN",
        "lines[1].sku": "must be at least 2 characters long",
        "lines[1].quantity": "must be a whole number, not a string",
        "lines[2].sku": MISSING,
        "lines[2].quantity": "must be at least 1",
        "lines[2].price": UNKNOWN,
        "note": "must be a string or null, not a whole number",
        "tags[1]": "must be a string, not a whole number",
        "tags[3]": "must be a string, not true or false",
        "extra": UNKNOWN,
    }


def test_an_empty_object_lists_every_required_field(client: TestClient[Any]) -> None:
    assert _errors(client.post("/api/orders", json={})) == {
        "vendor_slug": MISSING,
        "colour": MISSING,
        "lines": MISSING,
    }


def test_an_absent_required_body_lists_every_required_field(client: TestClient[Any]) -> None:
    response = client.post("/api/orders", headers={"content-type": "application/json"})
    assert _errors(response) == {"vendor_slug": MISSING, "colour": MISSING, "lines": MISSING}
    assert _errors(client.patch("/things")) == {"body": MISSING}  # no required field: the body itself


def test_an_array_too_long_is_named_once(client: TestClient[Any]) -> None:
    body = {**GOOD_ORDER, "lines": [{"sku": "ab", "quantity": 1}] * 4}
    assert _errors(client.post("/api/orders", json=body)) == {"lines": "must have at most 3 items"}


def test_query_and_body_problems_come_together(client: TestClient[Any]) -> None:
    response = client.post("/api/orders?limit=ten&colour=RED", json={"colour": "RED", "lines": []})
    assert _errors(response) == {
        "query.colour": "is not a parameter of this call",
        "query.limit": "must be a whole number written in digits",
        "vendor_slug": MISSING,
    }
    unreadable = client.post("/api/orders?limit=ten", content=b"{", headers={"content-type": "application/json"})
    assert _errors(unreadable) == {
        "query.limit": "must be a whole number written in digits",
        "body": "The request body is not valid JSON.",
    }
    assert client.post("/api/orders", content=b"{").json()["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_many_problems_are_capped_and_never_a_500(client: TestClient[Any]) -> None:
    body = {**GOOD_ORDER, "tags": list(range(50_000))}
    errors = _errors(client.post("/api/orders", json=body))
    assert len(errors) == 100
    assert errors["tags[0]"] == "must be a string, not a whole number"
    deep = b'{"note": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = client.post("/api/orders", content=deep, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    wide = {**GOOD_ORDER, "lines": [{"sku": "ab", "quantity": "x"}] * 1000}
    assert len(_errors(client.post("/api/orders", json=wide))) == 100
