"""The OpenAPI document a frontend generates its client from: valid OpenAPI 3.1, readable operation
ids, the bearer scheme exactly where the auth middleware guards, the problem JSON on every error
response the request path can give, enums as enums."""

from __future__ import annotations

import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from infrastructure.config import load_settings
from infrastructure.di.container import make_container
from interfaces.http.app import build_litestar
from interfaces.http.di import http_providers

PUBLIC_OPERATIONS = {"signup", "login", "refresh", "live", "ready"}
# A bearer token if the client has a live one, else none (issue 11 item 3: logout by refresh token alone).
OPTIONAL_BEARER_OPERATIONS = {"logout"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    settings = load_settings({"ENVIRONMENT": "development", "DATABASE_URL": "sqlite+aiosqlite:///:memory:"})
    app = build_litestar(settings, make_container(settings, *http_providers()))
    return app.openapi_schema.to_schema()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_operation_ids_are_readable_and_unique(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in _operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][A-Za-z]*", op_id) for op_id in ids), ids
    assert {"login", "signup", "listStaff", "createStaff", "getVendor", "me"} <= set(ids)


def test_the_bearer_scheme_is_on_every_guarded_operation_and_only_there(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["BearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, method, op in _operations(document):
        public = op["operationId"] in PUBLIC_OPERATIONS
        assert ("security" in op) is not public, (method, path)
        if not public:
            optional = op["operationId"] in OPTIONAL_BEARER_OPERATIONS
            assert op["security"] == ([{}, {"BearerAuth": []}] if optional else [{"BearerAuth": []}])
            assert "401" in op["responses"], (method, path)


def test_every_error_response_is_the_problem_json(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])
    assert problem["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/FieldError"}
    for path, method, op in _operations(document):
        for status, response in op["responses"].items():
            if int(status) < 400 or (op["operationId"] == "ready" and status == "503"):
                continue
            content = response["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_what_each_operation_can_answer_is_documented(document: dict[str, Any]) -> None:
    by_id = {op["operationId"]: op for _, _, op in _operations(document)}
    assert {"400", "413", "415", "429", "503"} <= set(by_id["login"]["responses"])
    assert "401" in by_id["login"]["responses"]  # wrong credentials (declared by the handler)
    assert "security" not in by_id["login"]
    assert {"401", "403", "404"} <= set(by_id["updateStaff"]["responses"])  # role guard, a staff id in the path
    assert "403" not in by_id["me"]["responses"]  # every role may read itself
    assert set(by_id["live"]["responses"]) == {"200", "400"}
    assert "422" in by_id["changePassword"]["responses"]  # a wrong current password, never a 401 of its own


def test_roles_are_an_enum(document: dict[str, Any]) -> None:
    role = document["components"]["schemas"]["Role"]
    assert set(role["enum"]) == {"OWNER", "MANAGER", "STAFF", "DRIVER"}


@pytest.mark.parametrize(
    "schema", ["SignupIn", "LoginIn", "ChangePasswordIn", "ProfilePatchIn", "StaffIn", "TokensOut"]
)
def test_request_and_token_bodies_carry_examples(document: dict[str, Any], schema: str) -> None:
    properties = document["components"]["schemas"][schema]["properties"]
    for name, definition in properties.items():
        if "$ref" in definition or definition.get("oneOf"):
            continue  # an enum such as Role documents its values instead
        assert definition.get("examples"), (schema, name)


def test_optional_parameters_are_never_documented_as_null(document: dict[str, Any]) -> None:
    # A generator turns "X or null" into a union per null variant; an optional parameter is left out instead.
    for path, method, op in _operations(document):
        for parameter in op.get("parameters", []):
            assert "null" not in repr(parameter["schema"]).lower(), (method, path, parameter)


def test_the_cookie_mode_header_is_documented_where_it_is_taken(document: dict[str, Any]) -> None:
    taking = set()
    for _, _, op in _operations(document):
        for parameter in op.get("parameters", []):
            if parameter["name"] == "X-Session-Mode":
                assert (parameter["in"], parameter["required"]) == ("header", False)
                assert parameter["schema"]["enum"] == ["cookie"]
                taking.add(op["operationId"])
                # The CSRF refusal comes from a guard, so 403 is documented with it.
                assert "403" in op["responses"]
    assert taking == {"signup", "login", "refresh", "logout"}
    tokens = document["components"]["schemas"]["TokensOut"]["properties"]["refresh_token"]
    assert "null" in repr(tokens).lower()  # null in cookie mode
