"""Domain rules in the field-error walk (issue 11, item 2): a body refused for its shape also lists
what the domain checks named by its schema (``Rule``) refuse of its present, well-typed values, and
the real schemas name the very checks their use cases run, with the same answers."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

import msgspec
import pytest
from litestar import post
from litestar.params import JSONBody, Parameter
from litestar.testing import TestClient, create_test_client

from application.accounts.change_password import ChangePassword, ChangePasswordCommand
from application.accounts.create_staff import CreateStaff, CreateStaffCommand
from application.accounts.signup import SignUp, SignUpCommand
from application.accounts.update_profile import UpdateProfile, UpdateProfileCommand
from application.accounts.update_vendor import UpdateVendor, UpdateVendorCommand
from domain.shared.errors import InvalidValue, InvalidValues
from interfaces.http.accounts.schemas import ChangePasswordIn, ProfilePatchIn, SignupIn, StaffIn, VendorPatchIn
from interfaces.http.errors import exception_handlers
from interfaces.http.field_errors import MAX_PROBLEMS, MISSING, UNKNOWN, Rule, body_problems
from interfaces.http.strict_input import strict_input
from tests.fakes import OWNER_PASSWORD, World

# -- a small schema with rules of its own ---------------------------------------------------------

calls: list[tuple[Any, str]] = []


def check_code(raw: str, field: str = "code") -> str:
    calls.append((raw, field))
    if not raw.isupper():
        raise InvalidValue(field, "must be upper case")
    return raw


def check_even(value: int, field: str = "count") -> int:
    if value % 2:
        raise InvalidValue(field, "must be even")
    return value


def check_pair(raw: str, field: str = "pair") -> str:
    """Two problems at once, as a value object checking several parts would raise them."""
    left, _, right = raw.partition("/")
    problems = [
        InvalidValue(f"{field}.{side}", "must not be empty")
        for side, text in (("left", left), ("right", right))
        if not text
    ]
    if problems:
        raise InvalidValues(problems)
    return raw


def check_not_named(raw: str, field: str, context: str | None) -> str:
    if context and context.lower() in raw.lower():
        raise InvalidValue(field, "must not contain the name")
    return raw


def _name_of(fields: Mapping[str, Any]) -> str | None:
    name = fields.get("name")
    return name if isinstance(name, str) else None


Code = Annotated[str, msgspec.Meta(max_length=8), Rule(check_code)]


class Line(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    quantity: Annotated[int, msgspec.Meta(ge=1)]


class Form(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=20)]
    code: Code
    secret: Annotated[str, Rule(check_not_named, context=_name_of)]
    lines: Annotated[list[Line], msgspec.Meta(max_length=2)] = msgspec.field(default_factory=list)
    count: Annotated[int, Rule(check_even)] | None = None
    pair: Annotated[str, Rule(check_pair)] | None = None
    tags: list[Code] = msgspec.field(default_factory=list)


GOOD: dict[str, Any] = {"name": "Rosa", "code": "ABC", "secret": "tulips"}


def _problems(body: Any) -> dict[str, str]:
    raw = json.dumps(body).encode()
    try:
        msgspec.json.decode(raw, type=Form, strict=True)
    except msgspec.ValidationError as refused:
        problems = body_problems(raw, Form, refused)
    else:
        problems = body_problems(raw, Form)
    fields = [field for field, _ in problems]
    assert len(fields) == len(set(fields)), problems
    return dict(problems)


@pytest.fixture(autouse=True)
def _fresh_calls() -> Iterator[None]:
    calls.clear()
    yield
    calls.clear()


def test_a_missing_field_and_a_refused_value_are_listed_together() -> None:
    assert list(_problems({"code": "abc", "secret": "x"}).items()) == [
        ("name", MISSING),
        ("code", "must be upper case"),
    ]


def test_problems_come_in_the_schemas_order_shape_and_rules_mixed() -> None:
    body = {"name": 5, "code": "abc", "secret": "x", "count": 3, "pair": "/", "extra": 1}
    assert list(_problems(body)) == ["name", "code", "count", "pair.left", "pair.right", "extra"]


def test_a_mistyped_value_gets_its_shape_problem_and_no_rule_runs_on_it() -> None:
    assert _problems({**GOOD, "code": "far too long", "extra": 1}) == {
        "code": "must be at most 8 characters long",
        "extra": UNKNOWN,
    }
    assert _problems({**GOOD, "code": 7, "extra": 1})["code"] == "must be a string, not a whole number"
    assert calls == []


def test_a_null_optional_value_is_not_checked() -> None:
    assert _problems({**GOOD, "count": None, "pair": None, "extra": 1}) == {"extra": UNKNOWN}


def test_every_problem_of_an_invalid_values_is_listed() -> None:
    assert _problems({**GOOD, "pair": "/", "extra": 1}) == {
        "pair.left": "must not be empty",
        "pair.right": "must not be empty",
        "extra": UNKNOWN,
    }


def test_a_rule_with_context_sees_its_well_typed_neighbours_only() -> None:
    assert _problems({**GOOD, "secret": "rosa-tulips", "extra": 1}) == {
        "secret": "must not contain the name",
        "extra": UNKNOWN,
    }
    # a mistyped neighbour is not part of the context: only its own problem is listed
    assert _problems({**GOOD, "name": "Rosa" * 10, "secret": "rosa-tulips"}) == {
        "name": "must be at most 20 characters long"
    }


def test_rules_inside_arrays_and_nested_objects_are_named_by_their_path() -> None:
    body = {
        **GOOD,
        "lines": [{"code": "OK", "quantity": 1}, {"code": "bad", "quantity": 0}],
        "tags": ["GOOD", "bad", 3],
    }
    assert _problems(body) == {
        "lines[1].code": "must be upper case",
        "lines[1].quantity": "must be at least 1",
        "tags[1]": "must be upper case",
        "tags[2]": "must be a string, not a whole number",
    }
    # nested values that are well typed are still checked when something else is wrong
    assert _problems({**GOOD, "lines": [{"code": "bad", "quantity": 1}], "extra": 1}) == {
        "lines[0].code": "must be upper case",
        "extra": UNKNOWN,
    }


def test_an_array_too_long_is_named_beside_what_its_items_rules_refuse() -> None:
    lines = [{"code": "bad", "quantity": 1}, {"code": "OK", "quantity": 1}, {"code": "no", "quantity": 1}]
    assert list(_problems({**GOOD, "lines": lines}).items()) == [
        ("lines", "must have at most 2 items"),
        ("lines[0].code", "must be upper case"),
        ("lines[2].code", "must be upper case"),
    ]


def test_a_well_typed_body_is_checked_against_its_rules_alone() -> None:
    assert _problems({**GOOD, "code": "abc"}) == {"code": "must be upper case"}
    assert _problems(GOOD) == {}


def test_refused_rules_are_capped_too() -> None:
    problems = _problems({**GOOD, "tags": ["bad"] * 500, "extra": 1})
    assert len(problems) == MAX_PROBLEMS
    assert problems["tags[0]"] == "must be upper case"


# -- through the strict-input hook -----------------------------------------------------------------

handled: list[Form] = []


@post("/api/forms", status_code=200)
async def submit(data: JSONBody[Form], limit: Annotated[int, Parameter(ge=1)] = 1) -> str:
    handled.append(data)
    return "ok"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Any]]:
    with create_test_client([submit], before_request=strict_input, exception_handlers=exception_handlers()) as client:
        yield client


def _errors(response: Any) -> dict[str, str]:
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "VALIDATION_ERROR"
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_one_400_lists_shape_and_rule_problems(client: TestClient[Any]) -> None:
    response = client.post("/api/forms", json={"code": "abc", "secret": "x", "count": 3})
    assert _errors(response) == {"name": MISSING, "code": "must be upper case", "count": "must be even"}


def test_a_body_that_decodes_goes_to_the_handler_unchecked(client: TestClient[Any]) -> None:
    """The rules are the use case's to apply to a well-shaped body: the hook does not run them."""
    handled.clear()
    response = client.post("/api/forms", json={**GOOD, "code": "abc"})
    assert response.status_code == 200, response.text
    assert calls == []
    assert [form.code for form in handled] == ["abc"]


def test_query_problems_come_with_the_rules_of_a_well_typed_body(client: TestClient[Any]) -> None:
    response = client.post("/api/forms", params={"limit": "x", "debug": "1"}, json={**GOOD, "count": 3})
    assert _errors(response) == {
        "query.debug": "is not a parameter of this call",
        "query.limit": "must be a whole number written in digits",
        "count": "must be even",
    }


# -- the real schemas name the checks their use cases run -----------------------------------------


def _refused(error: InvalidValue) -> dict[str, str]:
    problems = error.problems if isinstance(error, InvalidValues) else (error,)
    return {problem.field: problem.reason for problem in problems}


def _walked(schema: type[msgspec.Struct], body: dict[str, Any]) -> dict[str, str]:
    """The field errors of ``body`` plus an unknown field (a shape problem), that field left out."""
    raw = json.dumps({**body, "not_a_field": True}).encode()
    with pytest.raises(msgspec.ValidationError) as refused:
        msgspec.json.decode(raw, type=schema, strict=True)
    problems = dict(body_problems(raw, schema, refused.value))
    assert problems.pop("not_a_field") == UNKNOWN
    return problems


SIGNUP_REFUSED = {
    "vendor_name": "\u200b \u200b",
    "vendor_slug": "Not A Slug",
    "timezone": "Mars/Olympus",
    "currency": "EURO",
    "country": "XX",
    "email": "not-an-email",
    "password": "zzzzzzzzzzzzzzz",
    "full_name": "  ",
}


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        (SIGNUP_REFUSED, set(SIGNUP_REFUSED)),
        ({"password": "Rosa-Bloom-forever"}, {"password"}),  # the shop's name, from the body's own fields
        ({"email": "peony.garden@rosa-bloom.example", "password": "my peony garden!"}, {"password"}),  # the email
        ({"password": "short", "country": "nl"}, {"password", "country"}),
    ],
    ids=["all", "shop-name", "email", "length"],
)
async def test_signup_schema_refuses_what_the_use_case_refuses(overrides: dict[str, str], fields: set[str]) -> None:
    body = {
        "vendor_name": "Rosa Bloom",
        "vendor_slug": "rosa-bloom",
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
        "country": "NL",
        "email": "owner@rosa-bloom.example",
        "password": OWNER_PASSWORD,
        "full_name": "Rosa Florist",
        **overrides,
    }
    with pytest.raises(InvalidValue) as refused:
        await World().run(SignUp, SignUpCommand(**body))
    expected = _refused(refused.value)
    assert set(expected) == fields
    assert _walked(SignupIn, body) == expected


async def test_staff_schema_refuses_what_the_use_case_refuses() -> None:
    world = World()
    owner = await world.owner()
    body = {"email": "mila@", "full_name": "\u200b", "role": "STAFF", "password": "abcabcabcabc"}
    data = msgspec.convert(body, StaffIn, strict=True)  # well typed: the handler would call the use case
    command = CreateStaffCommand(email=data.email, full_name=data.full_name, role=data.role, password=data.password)
    with pytest.raises(InvalidValue) as refused:
        await world.run(CreateStaff, owner.principal, command)
    assert set(_refused(refused.value)) == {"email", "full_name", "password"}
    assert _walked(StaffIn, body) == _refused(refused.value)


async def test_vendor_and_profile_schemas_refuse_what_their_use_cases_refuse() -> None:
    world = World()
    owner = await world.owner()
    vendor = {"name": " ", "timezone": "Europe/Nowhere", "card_message_max": 5000}
    data = msgspec.convert(vendor, VendorPatchIn, strict=True)
    command = UpdateVendorCommand(name=data.name, timezone=data.timezone, card_message_max=data.card_message_max)
    with pytest.raises(InvalidValue) as refused:
        await world.run(UpdateVendor, owner.principal, command)
    assert set(_refused(refused.value)) == set(vendor)
    assert _walked(VendorPatchIn, vendor) == _refused(refused.value)
    # null never empties a field that must have a value: refused, each field named
    assert _walked(VendorPatchIn, {"name": None, "timezone": None, "card_message_max": None}) == {
        "name": "must be a string, not null",
        "timezone": "must be a string, not null",
        "card_message_max": "must be a whole number, not null",
    }

    profile = {"full_name": "Za\u0301\u0302\u0303\u0304\u0305\u0306lgo"}
    with pytest.raises(InvalidValue) as refused:
        await world.run(UpdateProfile, owner.principal, UpdateProfileCommand(**profile))
    assert _walked(ProfilePatchIn, profile) == _refused(refused.value)


async def test_change_password_schema_refuses_a_new_password_like_the_use_case() -> None:
    world = World()
    owner = await world.owner()
    body = {"current_password": OWNER_PASSWORD, "new_password": "    \u200b    \u200b"}
    with pytest.raises(InvalidValue) as refused:
        await world.run(ChangePassword, owner.principal, ChangePasswordCommand(**body))
    assert set(_refused(refused.value)) == {"new_password"}
    assert _walked(ChangePasswordIn, body) == _refused(refused.value)
