"""Domain rules in the field-error walk (issue 11, item 2): a body refused for its shape also lists
what the domain checks named by its schema (``Rule``) refuse of its present, well-typed values."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

import msgspec
import pytest
from litestar import post
from litestar.params import JSONBody, Parameter
from litestar.testing import TestClient, create_test_client

from domain.shared.errors import InvalidValue, InvalidValues
from interfaces.http.errors import exception_handlers
from interfaces.http.field_errors import MAX_PROBLEMS, MISSING, UNKNOWN, Rule, body_problems
from interfaces.http.strict_input import strict_input

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
