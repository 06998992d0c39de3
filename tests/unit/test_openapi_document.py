"""The OpenAPI document a frontend generates its client from: valid OpenAPI 3.1, readable operation
ids, the bearer scheme exactly where the auth middleware guards, the problem JSON on every error
response the request path can give, enums as enums, and an example of every answer: each success
body decodes into the struct the server sends, each problem is the problem JSON the server answers."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime
from http import HTTPStatus
from typing import Annotated, Any

import msgspec
import pytest
from litestar import Litestar, get, post
from litestar.params import JSONBody
from litestar.testing import TestClient, create_test_client
from openapi_spec_validator import validate

from application.accounts.errors import EmailTaken
from infrastructure.config import load_settings
from infrastructure.di.container import make_container
from interfaces.http.app import build_litestar
from interfaces.http.di import http_providers
from interfaces.http.errors import exception_handlers
from interfaces.http.health import Liveness
from interfaces.http.openapi import complete_document, openapi_config, response_structs
from interfaces.http.problems import Problem
from interfaces.http.strict_input import strict_input

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
    # Named for what they act on, so they still read well beside other contexts' (a catalog's products).
    assert {
        "listStockItems",
        "getStockItem",
        "createStockItem",
        "updateStockItem",
        "receiveLot",
        "recordWaste",
        "adjustStock",
        "listStockMovements",
        "listExpiringStock",
        "listLowStock",
    } <= set(ids)


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


# -- examples: every answer of every operation, as the server sends it --------------------------------


@pytest.fixture(scope="module")
def app() -> Litestar:
    settings = load_settings({"ENVIRONMENT": "development", "DATABASE_URL": "sqlite+aiosqlite:///:memory:"})
    return build_litestar(settings, make_container(settings, *http_providers()))


def _component(document: dict[str, Any], schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name = schema["$ref"].removeprefix("#/components/schemas/")
    component: dict[str, Any] = document["components"]["schemas"][name]
    return name, component


def _success_bodies(document: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(operation id, status, component name, component) of every 2xx body."""
    bodies = []
    for _, _, op in _operations(document):
        for status, response in op["responses"].items():
            if status.startswith("2") and "content" in response:
                name, component = _component(document, response["content"]["application/json"]["schema"])
                bodies.append((op["operationId"], status, name, component))
    return bodies


def _problem_examples(document: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(operation id, status, example name, example value) of every problem response."""
    shown = []
    for _, _, op in _operations(document):
        for status, response in op["responses"].items():
            media = response.get("content", {}).get("application/problem+json")
            if media is None:
                continue
            assert media.get("examples"), (op["operationId"], status)
            shown += [(op["operationId"], status, name, ex["value"]) for name, ex in media["examples"].items()]
    return shown


def test_every_success_body_has_an_example(document: dict[str, Any]) -> None:
    bodies = _success_bodies(document)
    assert len({op_id for op_id, *_ in bodies}) >= 12  # every operation but the 204 ones
    missing = [(op_id, status, name) for op_id, status, name, component in bodies if not component.get("examples")]
    assert not missing


def test_every_problem_response_has_an_example(document: dict[str, Any]) -> None:
    for _, _, op in _operations(document):
        for status, response in op["responses"].items():
            media = response.get("content", {}).get("application/problem+json")
            if media is not None:
                assert media.get("examples"), (op["operationId"], status)


def test_response_examples_decode_into_their_types(app: Litestar, document: dict[str, Any]) -> None:
    structs = response_structs(app)
    bodies = _success_bodies(document)
    assert {name for *_, name, _ in bodies} <= set(structs)
    decoded = 0
    for name, struct in structs.items():
        for example in document["components"]["schemas"][name].get("examples", []):
            # what a client decodes: strict JSON into the very struct the server encodes
            value = msgspec.json.decode(json.dumps(example), type=struct, strict=True)
            assert msgspec.to_builtins(value) == example, name  # no extra keys, the server's own spelling
            decoded += 1
    assert decoded >= len({name for *_, name, _ in bodies})
    readiness = document["paths"]["/health/ready"]["get"]["responses"]["503"]["content"]["application/json"]
    for example in readiness["examples"].values():
        unavailable = msgspec.convert(example["value"], structs["Readiness"], strict=True)
        assert unavailable.status == "unavailable"  # type: ignore[attr-defined]


def test_examples_tell_one_story(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    me = schemas["MeOut"]["examples"][0]
    vendor = schemas["VendorOut"]["examples"][0]
    signup = schemas["SignupOut"]["examples"][0]
    assert me["vendor_id"] == me["vendor"]["id"] == vendor["id"] == signup["user"]["vendor_id"]
    assert signup["vendor"] == vendor
    assert signup["tokens"] == schemas["TokensOut"]["examples"][0]
    assert me["id"] == signup["user"]["id"]
    assert signup["user"]["role"] == "OWNER"
    for member in schemas["StaffPage"]["examples"][0]["items"]:
        assert member["vendor_id"] == vendor["id"]
    for event in schemas["SecurityEventPage"]["examples"][0]["items"]:
        uuid.UUID(event["id"])
        datetime.fromisoformat(event["at"])


def test_the_stock_examples_tell_one_story(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    item = schemas["StockItemOut"]["examples"][0]
    received = schemas["StockLotOut"]["examples"][0]
    for total in ("on_hand", "reserved", "available"):
        assert item[total] == sum(lot[total] for lot in item["lots"]), total
    for lot in item["lots"]:
        assert lot["stock_item_id"] == item["id"]
        assert lot["available"] == lot["on_hand"] - lot["reserved"]
        assert lot["unit_cost"]["currency"] == schemas["VendorOut"]["examples"][0]["currency"]
    assert [lot["expires_on"] for lot in item["lots"]] == sorted(lot["expires_on"] for lot in item["lots"])
    assert received in item["lots"]
    # The lot receiving answers is the one LotIn's example sends, received on the story's today.
    lot_in = {
        name: field["examples"][0] for name, field in schemas["LotIn"]["properties"].items() if "examples" in field
    }
    money_in = {name: field["examples"][0] for name, field in schemas["MoneyIn"]["properties"].items()}
    assert (received["quantity"], received["unit_cost"]) == (lot_in["quantity"], money_in)
    assert (received["received_on"], received["expires_on"]) == (lot_in["received_on"], lot_in["expires_on"])
    today = date.fromisoformat(received["received_on"])

    rows = {row["id"]: row for row in schemas["StockItemPage"]["examples"][0]["items"]}
    assert rows[item["id"]] == {key: value for key, value in item.items() if key != "lots"}
    for low in schemas["LowStockPage"]["examples"][0]["items"]:
        assert low["shortfall"] == low["reorder_level"] - low["available"] > 0
        assert {key: rows[low["id"]][key] for key in low if key != "shortfall"} == {
            key: value for key, value in low.items() if key != "shortfall"
        }
    lots = {lot["id"]: lot for lot in item["lots"]}
    expiring = schemas["ExpiringPage"]["examples"][0]["items"]
    assert [lot["expires_on"] for lot in expiring] == sorted(lot["expires_on"] for lot in expiring)
    for lot in expiring:
        assert lot["days_left"] == (date.fromisoformat(lot["expires_on"]) - today).days <= 7  # the default week
        assert lot["stock_item_name"] == rows[lot["stock_item_id"]]["name"]
        if lot["lot_id"] in lots:
            assert all(lot[key] == lots[lot["lot_id"]][key] for key in ("on_hand", "reserved", "available"))

    ledger = schemas["MovementPage"]["examples"][0]["items"]
    assert ledger[0] == schemas["MovementOut"]["examples"][0]
    assert [m["at"] for m in ledger] == sorted((m["at"] for m in ledger), reverse=True)  # newest first
    assert all(m["stock_item_id"] == item["id"] and m["lot_id"] in lots for m in ledger)
    waste = ledger[0]
    assert waste["kind"] == "WASTE"
    assert waste["order_id"] is None  # a null is sent, and shown
    assert waste["lot_id"] == schemas["WasteIn"]["properties"]["lot_id"]["examples"][0]


def test_problem_examples_are_the_problem_json(document: dict[str, Any]) -> None:
    shown = _problem_examples(document)
    assert len(shown) > 50
    for op_id, status, name, example in shown:
        where = (op_id, status, name)
        problem = msgspec.convert(example, Problem, strict=True)
        assert msgspec.to_builtins(problem) == example, where  # no field the server does not send
        assert problem.status == int(status), where
        assert problem.code == name.rsplit("_", 1)[0] if name[-1].isdigit() else problem.code == name, where
        assert problem.type == "urn:flower-vendor:problem:" + problem.code.lower().replace("_", "-"), where
        assert problem.title == HTTPStatus(problem.status).phrase, where
        assert re.fullmatch(r"[0-9a-f]{32}", problem.request_id or ""), where
        if problem.status == 400 and problem.code == "VALIDATION_ERROR":
            assert problem.errors, where  # a 400 names the fields it refuses


def test_each_operation_shows_its_own_refusals(document: dict[str, Any]) -> None:
    codes: dict[tuple[str, str], set[str]] = {}
    for op_id, status, _, example in _problem_examples(document):
        codes.setdefault((op_id, status), set()).add(example["code"])
    assert codes["signup", "409"] == {"EMAIL_TAKEN", "SLUG_TAKEN"}
    assert codes["signup", "400"] == {"VALIDATION_ERROR", "WEAK_PASSWORD", "BAD_REQUEST"}  # shape, rules, not JSON
    assert codes["login", "401"] == {"INVALID_CREDENTIALS"}  # never the bearer token's INVALID_TOKEN
    assert codes["login", "429"] == {"RATE_LIMITED", "TOO_MANY_ATTEMPTS"}
    assert codes["refresh", "401"] == {"INVALID_REFRESH_TOKEN"}
    assert codes["me", "401"] == {"INVALID_TOKEN"}
    assert codes["changePassword", "422"] == {"CURRENT_PASSWORD_INCORRECT"}
    assert codes["updateStaff", "409"] == {"LAST_OWNER"}
    assert codes["listEvents", "403"] == {"FORBIDDEN"}
    assert codes["receiveLot", "422"] == {"CURRENCY_MISMATCH"}
    assert codes["receiveLot", "404"] == {"NOT_FOUND"}
    assert codes["recordWaste", "409"] == codes["adjustStock", "409"] == {"INSUFFICIENT_STOCK"}
    assert codes["createStockItem", "403"] == codes["updateStockItem", "403"] == {"FORBIDDEN"}
    assert codes["getStockItem", "404"] == codes["listStockMovements", "404"] == {"NOT_FOUND"}
    assert ("listStockItems", "403") not in codes  # every role reads stock
    for (op_id, status), shown in codes.items():
        if status == "429":
            assert "RATE_LIMITED" in shown, op_id
    login_400 = next(ex for op_id, status, _, ex in _problem_examples(document) if (op_id, status) == ("login", "400"))
    assert {error["field"] for error in login_400["errors"]} == {"email", "is_admin"}


def test_an_example_for_a_status_the_operation_does_not_document_is_refused() -> None:
    @get("/api/things", sync_to_thread=False)
    def list_things() -> Liveness:
        return Liveness(status="ok")

    app = Litestar([list_things], openapi_config=openapi_config("1"))
    with pytest.raises(ValueError, match="undocumented statuses \\[409\\]"):
        complete_document(app, {"list_things": (EmailTaken(),)})


# The edge's own examples against what the request path really answers.


class _Body(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    email: Annotated[str, msgspec.Meta(examples=["owner@rosa-bloom.example"])]
    password: str


@post("/api/body", status_code=200)
async def _takes_body(data: JSONBody[_Body]) -> str:
    return "ok"


@get("/api/nothing")
async def _takes_nothing() -> str:
    return "ok"


def _answer(client: TestClient[Any], method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    answer: dict[str, Any] = client.request(method, path, **kwargs).json()
    answer.pop("request_id", None)  # set by the edge, which this small app leaves out
    return answer


def _shown(document: dict[str, Any], op_id: str, status: str, name: str) -> dict[str, Any]:
    example = next(ex for o, s, n, ex in _problem_examples(document) if (o, s, n) == (op_id, status, name))
    return {key: value for key, value in example.items() if key != "request_id"}


def test_the_edges_examples_are_what_the_server_answers(document: dict[str, Any]) -> None:
    with create_test_client(
        [_takes_body, _takes_nothing], before_request=strict_input, exception_handlers=exception_handlers()
    ) as client:
        assert _answer(client, "GET", "/api/nothing?page=2") == _shown(document, "me", "400", "VALIDATION_ERROR")
        assert _answer(client, "POST", "/api/body", content=b"x", headers={"content-type": "text/plain"}) == _shown(
            document, "login", "415", "UNSUPPORTED_MEDIA_TYPE"
        )
        refused = _answer(client, "POST", "/api/body", json={"email": 42, "password": "x", "is_admin": True})
    assert refused["errors"] == _shown(document, "login", "400", "VALIDATION_ERROR")["errors"]
