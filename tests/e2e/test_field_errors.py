"""Errors a form can use (issue 11, item 2), through a real `flower-vendor serve`: every 400 lists
every problem at once, each ``field`` a path into the body (``vendor_slug``, ``lines[2].quantity``)
or ``query.<name>``, whether the problem is missing, unknown, mistyped, too long, out of range, not
one of the allowed values, or refused by a domain rule."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.e2e.api_helpers import PASSWORD, bearer, login, signup, signup_body
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e

JSON = {"content-type": "application/json"}
MISSING = "is missing: this field is required"
UNKNOWN = "is an unknown field: this request does not take it"
SIGNUP_FIELDS = ["vendor_name", "vendor_slug", "timezone", "currency", "country", "email", "password", "full_name"]


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    prefix = f"{production_environ['REDIS_KEY_PREFIX']}{uuid.uuid4().hex[:8]}:"
    return server_factory(["serve"], {**production_environ, "REDIS_KEY_PREFIX": prefix, "AUTH_RATE_LIMIT": "1000"})


@pytest.fixture
def client(server: ServerProcess) -> httpx.Client:
    return server.client


@pytest.fixture(scope="module")
def owner(server: ServerProcess) -> str:
    shop = signup(server.client)
    return str(login(server.client, shop.email)["access_token"])


def _errors(response: httpx.Response, code: str = "VALIDATION_ERROR") -> dict[str, str]:
    """The problem's field errors as {field: message}, after checking it is one problem JSON 400
    with each field named once."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    problem = response.json()
    assert problem["code"] == code, problem
    assert problem["request_id"], problem
    fields = [error["field"] for error in problem["errors"]]
    assert len(fields) == len(set(fields)), problem
    assert all(error["message"] for error in problem["errors"]), problem
    return {error["field"]: error["message"] for error in problem["errors"]}


def _signup_body(**overrides: Any) -> dict[str, Any]:
    return signup_body("form", **overrides)


# --- missing and unknown fields -----------------------------------------------------------------


def test_login_without_password_names_password(client: httpx.Client) -> None:
    assert _errors(client.post("/api/auth/login", json={"email": "a@b.example"})) == {"password": MISSING}


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/api/auth/signup", SIGNUP_FIELDS),
        ("/api/auth/login", ["email", "password"]),
        ("/api/auth/refresh", ["refresh_token"]),
    ],
)
def test_an_empty_object_lists_every_required_field(client: httpx.Client, path: str, fields: list[str]) -> None:
    assert _errors(client.post(path, json={})) == dict.fromkeys(fields, MISSING)


@pytest.mark.parametrize("headers", [JSON, {}])
def test_an_absent_body_lists_every_required_field(client: httpx.Client, headers: dict[str, str]) -> None:
    assert _errors(client.post("/api/auth/signup", headers=headers)) == dict.fromkeys(SIGNUP_FIELDS, MISSING)
    assert _errors(client.post("/api/auth/login", content=b"", headers=headers)) == {
        "email": MISSING,
        "password": MISSING,
    }


def test_an_absent_optional_body_is_still_fine(client: httpx.Client) -> None:
    shop = signup(client)
    token = login(client, shop.email)["access_token"]
    assert client.post("/api/auth/logout", headers=bearer(token)).status_code == 204


def test_unknown_and_missing_fields_together(client: httpx.Client) -> None:
    body = {"email": "a@b.example", "is_admin": True, "role": "OWNER"}
    assert _errors(client.post("/api/auth/login", json=body)) == {
        "password": MISSING,
        "is_admin": UNKNOWN,
        "role": UNKNOWN,
    }


def test_query_and_body_problems_together(client: httpx.Client) -> None:
    response = client.post("/api/auth/login", params={"debug": "1"}, json={"email": 7, "extra": 1})
    assert _errors(response) == {
        "query.debug": "is not a parameter of this call",
        "email": "must be a string, not a whole number",
        "password": MISSING,
        "extra": UNKNOWN,
    }


def test_query_problems_and_an_unreadable_body_together(client: httpx.Client) -> None:
    response = client.post("/api/auth/login", params={"debug": "1"}, content=b'{"email":', headers=JSON)
    assert _errors(response) == {
        "query.debug": "is not a parameter of this call",
        "body": "The request body is not valid JSON.",
    }


def test_several_query_problems_together(client: httpx.Client, owner: str) -> None:
    response = client.get(
        "/api/security-events", params={"limit": "1e1", "offset": "-x", "colour": "red"}, headers=bearer(owner)
    )
    assert _errors(response) == {
        "query.colour": "is not a parameter of this call",
        "query.limit": "must be a whole number written in digits",
        "query.offset": "must be a whole number written in digits",
    }


# --- shape problems: type, length, enum ---------------------------------------------------------


def test_wrong_types_in_several_fields_are_each_listed(client: httpx.Client, owner: str) -> None:
    body = {"email": 7, "full_name": ["Sam"], "role": "KING", "password": True}
    assert _errors(client.post("/api/staff", json=body, headers=bearer(owner))) == {
        "email": "must be a string, not a whole number",
        "full_name": "must be a string, not an array",
        "role": "must be one of OWNER, MANAGER, STAFF, DRIVER",
        "password": "must be a string, not true or false",
    }


def test_signup_with_seven_shape_problems_lists_seven(client: httpx.Client) -> None:
    body = _signup_body(
        vendor_name="x" * 201,
        vendor_slug=None,
        timezone=3,
        currency=["EUR"],
        country={"code": "NL"},
        email="a" * 321,
        password="p" * 1025,
    )
    assert _errors(client.post("/api/auth/signup", json=body)) == {
        "vendor_name": "must be at most 200 characters long",
        "vendor_slug": "must be a string, not null",
        "timezone": "must be a string, not a whole number",
        "currency": "must be a string, not an array",
        "country": "must be a string, not an object",
        "email": "must be at most 320 characters long",
        "password": "must be at most 1024 characters long",
    }


def test_patch_problems_are_each_listed(client: httpx.Client, owner: str) -> None:
    body = {"name": 5, "timezone": False, "card_message_max": "200", "colour": "red"}
    assert _errors(client.patch("/api/vendor", json=body, headers=bearer(owner))) == {
        "name": "must be a string, not a whole number",
        "timezone": "must be a string, not true or false",
        "card_message_max": "must be a whole number, not a string",
        "colour": UNKNOWN,
    }


def test_a_body_that_is_not_an_object_is_named_body(client: httpx.Client) -> None:
    assert _errors(client.post("/api/auth/login", json=["a@b.example", PASSWORD])) == {
        "body": "must be an object, not an array"
    }


# --- domain rules, all at once -------------------------------------------------------------------


def test_signup_with_seven_bad_fields_lists_seven(client: httpx.Client) -> None:
    body = _signup_body(
        vendor_name="\u200b\u200b",
        vendor_slug="Not A Slug",
        timezone="Mars/Olympus",
        currency="EURO",
        country="XX",
        email="not-an-email",
        full_name="   ",
    )
    errors = _errors(client.post("/api/auth/signup", json=body))
    assert set(errors) == {"vendor_name", "vendor_slug", "timezone", "currency", "country", "email", "full_name"}
    assert "empty" in errors["vendor_name"]
    assert "IANA" in errors["timezone"]
    assert "ISO 4217" in errors["currency"]
    assert client.post("/api/auth/login", json={"email": body["email"], "password": PASSWORD}).status_code in (
        400,
        401,
    )


def test_signup_reports_a_weak_password_beside_the_other_fields(client: httpx.Client) -> None:
    body = _signup_body(currency="EURO", password="short")
    errors = _errors(client.post("/api/auth/signup", json=body))
    assert set(errors) == {"currency", "password"}
    assert "12" in errors["password"]
    # One refused field alone keeps its own code.
    assert set(_errors(client.post("/api/auth/signup", json=_signup_body(password="short")), "WEAK_PASSWORD")) == {
        "password"
    }


def test_create_staff_reports_every_refused_field(client: httpx.Client, owner: str) -> None:
    body = {"email": "nope", "full_name": "\u200b", "role": "STAFF", "password": "zzzzzzzzzzzz"}
    errors = _errors(client.post("/api/staff", json=body, headers=bearer(owner)))
    assert set(errors) == {"email", "full_name", "password"}


def test_vendor_update_reports_every_refused_field(client: httpx.Client, owner: str) -> None:
    body = {"name": "", "timezone": "Nowhere/Else", "card_message_max": 0}
    errors = _errors(client.patch("/api/vendor", json=body, headers=bearer(owner)))
    assert set(errors) == {"name", "timezone", "card_message_max"}
    assert client.get("/api/vendor", headers=bearer(owner)).json()["card_message_max"] == 200


# --- shape and domain rules in one answer --------------------------------------------------------


def test_signup_with_one_missing_field_and_six_bad_values_lists_seven(client: httpx.Client) -> None:
    body = _signup_body(
        vendor_name="\u200b \u200b",
        vendor_slug="Not A Slug",
        timezone="Mars/Olympus",
        currency="EURO",
        email="not-an-email",
        password="short",
    )
    del body["country"]
    response = client.post("/api/auth/signup", json=body)
    assert len(response.json()["errors"]) == 7, response.text
    assert _errors(response) == {
        "vendor_name": "must not be empty",
        "vendor_slug": "must be 3 to 63 lower-case letters, digits and single hyphens",
        "timezone": "must be an IANA time zone such as Europe/Amsterdam",
        "currency": "must be an ISO 4217 currency code such as EUR",
        "country": MISSING,
        "email": "is not a valid email address",
        "password": "must be at least 12 characters long",
    }


def test_signup_shape_problems_and_a_password_that_names_the_shop(client: httpx.Client) -> None:
    body = _signup_body(vendor_name="Rosa Bloemen", password="bloemen forever and ever", timezone=None)
    assert _errors(client.post("/api/auth/signup", json=body)) == {
        "timezone": "must be a string, not null",
        "password": "must not contain the shop's name",
    }


def test_create_staff_lists_a_missing_role_beside_refused_values(client: httpx.Client, owner: str) -> None:
    body = {"email": "mila@", "full_name": "\u200b", "password": "zzzzzzzzzzzz", "extra": 1}
    assert _errors(client.post("/api/staff", json=body, headers=bearer(owner))) == {
        "email": "is not a valid email address",
        "full_name": "must not be empty",
        "role": MISSING,
        "password": "must use at least 5 different characters, not one or a few repeated",
        "extra": UNKNOWN,
    }


def test_vendor_and_profile_patches_list_unknown_fields_beside_refused_values(client: httpx.Client, owner: str) -> None:
    body = {"name": " ", "timezone": "Nowhere/Else", "card_message_max": 0, "colour": "red"}
    assert _errors(client.patch("/api/vendor", json=body, headers=bearer(owner))) == {
        "name": "must not be empty",
        "timezone": "must be an IANA time zone such as Europe/Amsterdam",
        "card_message_max": "must be between 1 and 1000",
        "colour": UNKNOWN,
    }
    assert client.get("/api/vendor", headers=bearer(owner)).json()["card_message_max"] == 200
    assert _errors(
        client.patch("/api/auth/me", json={"full_name": "\u200b", "role": "OWNER"}, headers=bearer(owner))
    ) == {
        "full_name": "must not be empty",
        "role": UNKNOWN,
    }


def test_change_password_lists_a_mistyped_current_password_beside_a_weak_new_one(client: httpx.Client) -> None:
    shop = signup(client)
    token = login(client, shop.email)["access_token"]
    body = {"current_password": 12345, "new_password": "short"}
    assert _errors(client.post("/api/auth/change-password", json=body, headers=bearer(token))) == {
        "current_password": "must be a string, not a whole number",
        "new_password": "must be at least 12 characters long",
    }
    assert client.get("/api/auth/me", headers=bearer(token)).status_code == 200


# --- never a 500 --------------------------------------------------------------------------------


def test_hostile_bodies_are_4xx_never_500(server: ServerProcess, client: httpx.Client) -> None:
    deep = b'{"email": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    wide = {"email": list(range(100_000)), "password": [None] * 50_000}
    many_unknown = {f"field{i}": i for i in range(20_000)}
    attempts = [
        client.post("/api/auth/login", content=deep, headers=JSON),
        client.post("/api/auth/login", json=wide),
        client.post("/api/auth/login", json=many_unknown),
        client.post("/api/auth/signup", json={"vendor_name": [[[[[[[[1]]]]]]]], "x": {"y": {"z": []}}}),
        client.post("/api/auth/login", content=b'{"email": "\xff", "password": 1}', headers=JSON),
        client.post("/api/auth/login", content=b'{"email": "a", "email": 2}', headers=JSON),
    ]
    for response in attempts:
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    capped = attempts[2].json()["errors"]
    assert 2 < len(capped) <= 100
    assert "Traceback" not in server.logs()
