"""Input that cannot surprise (issue 8, items 4 and 5), through a real `flower-vendor serve`:
bodies and query parameters strictly typed, non-UTF-8 bodies refused, invisible characters kept
out of names, and passwords checked against their account's context."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.e2e.api_helpers import PASSWORD, Shop, add_staff, bearer, login, signup, unique
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e

NOT_UTF8 = b'{"email":"\xff"}'
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    prefix = f"{production_environ['REDIS_KEY_PREFIX']}{uuid.uuid4().hex[:8]}:"
    return server_factory(["serve"], {**production_environ, "REDIS_KEY_PREFIX": prefix, "AUTH_RATE_LIMIT": "1000"})


@pytest.fixture
def client(server: ServerProcess) -> httpx.Client:
    return server.client


@pytest.fixture(scope="module")
def shop(server: ServerProcess) -> Shop:
    return signup(server.client)


@pytest.fixture(scope="module")
def owner(server: ServerProcess, shop: Shop) -> str:
    return str(login(server.client, shop.email)["access_token"])


def _problem(response: httpx.Response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = dict(response.json())
    assert body["status"] == status
    assert body["request_id"]
    return body


def _field_error(response: httpx.Response, field: str, code: str = "VALIDATION_ERROR") -> str:
    problem = _problem(response)
    assert problem["code"] == code, problem
    fields = {error["field"]: error["message"] for error in problem["errors"]}
    assert field in fields, problem
    return str(fields[field])


# --- a body that is not UTF-8 -------------------------------------------------------------------


JSON_ENDPOINTS = [
    ("POST", "/api/auth/login", False, "email"),
    ("POST", "/api/auth/signup", False, "email"),
    ("POST", "/api/auth/refresh", False, "refresh_token"),
    ("POST", "/api/auth/change-password", True, "new_password"),
    ("POST", "/api/auth/logout", True, "refresh_token"),
    ("POST", "/api/staff", True, "email"),
    ("PATCH", "/api/staff/{owner_id}", True, "role"),
    ("PATCH", "/api/vendor", True, "name"),
]


@pytest.mark.parametrize(("method", "path", "authenticated", "field"), JSON_ENDPOINTS)
def test_a_body_that_is_not_utf8_is_400(
    server: ServerProcess, shop: Shop, owner: str, method: str, path: str, authenticated: bool, field: str
) -> None:
    headers = {**JSON, **(bearer(owner) if authenticated else {})}
    url = path.format(owner_id=shop.owner["id"])
    # The finding's own body, then one whose undecodable string is a field the endpoint takes.
    _problem(server.client.request(method, url, content=NOT_UTF8, headers=headers))
    body = b'{"' + field.encode() + b'": "\xff"}'
    problem = _problem(server.client.request(method, url, content=body, headers=headers))
    assert problem["code"] == "BAD_REQUEST"
    assert "UTF-8" in problem["detail"]
    assert "Traceback" not in server.logs()
    assert server.client.get("/api/auth/me", headers=bearer(owner)).status_code == 200


@pytest.mark.parametrize(("method", "path", "authenticated", "field"), JSON_ENDPOINTS)
def test_a_body_that_is_not_json_is_415(
    server: ServerProcess, shop: Shop, owner: str, method: str, path: str, authenticated: bool, field: str
) -> None:
    headers = {"content-type": "text/plain", **(bearer(owner) if authenticated else {})}
    url = path.format(owner_id=shop.owner["id"])
    body = b'{"' + field.encode() + b'": "x"}'
    assert _problem(server.client.request(method, url, content=body, headers=headers), 415)["code"] == (
        "UNSUPPORTED_MEDIA_TYPE"
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "a@b.example", "password": "\\ud800correct horse battery"}',  # a lone surrogate escape
        b'{"email": "a@b.example", "password": "\xed\xa0\x80correct horse battery"}',  # CESU-8
        b'{"email": "a@b.example", "password": "\xc0\xafcorrect horse battery"}',  # overlong
    ],
)
def test_text_no_utf8_encoder_could_write_is_400(client: httpx.Client, body: bytes) -> None:
    assert _problem(client.post("/api/auth/login", content=body, headers=JSON))["code"] == "BAD_REQUEST"


# --- strict body typing -------------------------------------------------------------------------


def _staff_member(client: httpx.Client, owner: str, user_id: str) -> dict[str, Any]:
    listed = client.get("/api/staff", params={"limit": 100}, headers=bearer(owner))
    assert listed.status_code == 200, listed.text
    return next(item for item in listed.json()["items"] if item["id"] == user_id)


@pytest.mark.parametrize("value", ["false", "0", "False", 0, "", "no"])
def test_a_string_or_number_is_not_a_boolean(client: httpx.Client, owner: str, value: object) -> None:
    member, _ = add_staff(client, owner, "STAFF")
    response = client.patch(f"/api/staff/{member['id']}", json={"active": value}, headers=bearer(owner))
    _field_error(response, "active")
    assert _staff_member(client, owner, member["id"])["active"] is True


@pytest.mark.parametrize("value", ["1e2", "100", 100.0, True, "0x64"])
def test_a_string_float_or_boolean_is_not_an_integer(client: httpx.Client, value: object) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    response = client.patch("/api/vendor", json={"card_message_max": value}, headers=bearer(owner))
    _field_error(response, "card_message_max")
    assert client.get("/api/vendor", headers=bearer(owner)).json()["card_message_max"] == 200


def test_strict_bodies_still_take_well_typed_values(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    changed = client.patch("/api/vendor", json={"card_message_max": 100}, headers=bearer(owner))
    assert changed.status_code == 200, changed.text
    assert changed.json()["card_message_max"] == 100
    member, _ = add_staff(client, owner, "DRIVER")
    off = client.patch(f"/api/staff/{member['id']}", json={"active": False}, headers=bearer(owner))
    assert off.status_code == 200, off.text
    assert off.json()["active"] is False
    assert client.post("/api/auth/logout", headers=bearer(owner)).status_code == 204


def test_field_errors_name_missing_unknown_and_mistyped_fields(client: httpx.Client) -> None:
    assert "missing" in _field_error(client.post("/api/auth/login", json={"email": "a@b.example"}), "password")
    body = {"email": "a@b.example", "password": PASSWORD, "is_admin": True}
    assert "unknown" in _field_error(client.post("/api/auth/login", json=body), "is_admin")
    _field_error(client.post("/api/auth/login", json={"email": 7, "password": PASSWORD}), "email")
    _field_error(client.post("/api/auth/login", json=["a@b.example", PASSWORD]), "body")


# --- strict query parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["10.0", "1e1", " 10", "10 ", "+10", "0x0a", "\uff11\uff10", "10,", "", "0", "101", "-1"]
)
def test_limit_is_a_plain_whole_number_from_1_to_100(client: httpx.Client, owner: str, value: str) -> None:
    response = client.get("/api/staff", params={"limit": value}, headers=bearer(owner))
    _field_error(response, "query.limit")


@pytest.mark.parametrize("value", ["1.0", "+1", "1e0", "-1"])
def test_offset_is_a_plain_whole_number(client: httpx.Client, owner: str, value: str) -> None:
    _field_error(client.get("/api/security-events", params={"offset": value}, headers=bearer(owner)), "query.offset")


def test_unknown_query_parameters_are_refused(client: httpx.Client, owner: str) -> None:
    # `role` is a filter of the staff list now (issue 11, item 8): a parameter it does not take.
    response = client.get("/api/staff", params={"limit": "5", "department": "OWNER"}, headers=bearer(owner))
    assert _field_error(response, "query.department") == "is not a parameter of this call"
    _field_error(client.get("/api/vendor", params={"debug": "1"}, headers=bearer(owner)), "query.debug")


def test_plain_numbers_still_page(client: httpx.Client, owner: str) -> None:
    page = client.get("/api/staff", params={"limit": "1", "offset": "0"}, headers=bearer(owner))
    assert page.status_code == 200, page.text
    assert page.json()["limit"] == 1


# --- invisible characters in names --------------------------------------------------------------

INVISIBLE_ONLY = [
    "\u200b\u200b\u200b",
    "\u2060\ufeff",
    "\u00ad\u00ad",
    "\u3164",
    "\U000e0041\U000e0064\U000e006d",  # tag characters
    "\ue000\uf8ff",  # private use
    "\u200b \u2060 \u3164",
    "\u034f\ufe0f",
]


@pytest.mark.parametrize("name", INVISIBLE_ONLY)
def test_a_name_of_invisible_characters_is_empty(client: httpx.Client, name: str) -> None:
    slug = unique("invisible")
    body = {
        "vendor_name": name,
        "vendor_slug": slug,
        "timezone": "UTC",
        "currency": "EUR",
        "country": "NL",
        "email": f"{slug}@example.com",
        "password": PASSWORD,
        "full_name": "Visible Person",
    }
    assert "empty" in _field_error(client.post("/api/auth/signup", json=body), "vendor_name")
    assert "empty" in _field_error(
        client.post("/api/auth/signup", json={**body, "vendor_name": "Shop", "full_name": name}), "full_name"
    )


def test_stacked_combining_marks_are_refused(client: httpx.Client, owner: str) -> None:
    zalgo = "Ro" + "\u0301" * 100 + "sa"
    message = _field_error(client.patch("/api/vendor", json={"name": zalgo}, headers=bearer(owner)), "name")
    assert "combining" in message
    body = {"email": f"{unique('zalgo')}@example.com", "full_name": zalgo, "role": "STAFF", "password": PASSWORD}
    _field_error(client.post("/api/staff", json=body, headers=bearer(owner)), "full_name")


def test_invisible_characters_are_stripped_from_stored_names(client: httpx.Client) -> None:
    shop = signup(
        client, vendor_name="Rosa\u200b Bloe\u00admen\ufeff\U000e0001", full_name="\u2060Rosa\u3164 \ue000Owner"
    )
    assert shop.vendor["name"] == "Rosa Bloemen"
    assert shop.owner["full_name"] == "Rosa Owner"
    owner = login(client, shop.email)["access_token"]
    assert client.get("/api/vendor", headers=bearer(owner)).json()["name"] == "Rosa Bloemen"
    assert client.get("/api/auth/me", headers=bearer(owner)).json()["full_name"] == "Rosa Owner"
    renamed = client.patch("/api/vendor", json={"name": "Blo\u200bem\u2063 & Co\U000e007f"}, headers=bearer(owner))
    assert renamed.status_code == 200, renamed.text
    assert client.get("/api/vendor", headers=bearer(owner)).json()["name"] == "Bloem & Co"
    member, _ = add_staff(client, owner, "STAFF")
    body = {"email": f"{unique('inv')}@example.com", "full_name": "Sam\u200b\u00ad Staff", "role": "STAFF"}
    created = client.post("/api/staff", json={**body, "password": PASSWORD}, headers=bearer(owner))
    assert created.status_code == 201, created.text
    assert _staff_member(client, owner, created.json()["id"])["full_name"] == "Sam Staff"
    assert member["full_name"] == "A Staff"


def test_legitimate_names_are_kept_as_sent(client: httpx.Client) -> None:
    name = "Zoë Ångström 李小龙 محمد שלום Tiếng Việt 👩\u200d💻 ❤\ufe0f"
    shop = signup(client, vendor_name=name, full_name="Nguyễn Thị Minh Khai 👋🏽")
    owner = login(client, shop.email)["access_token"]
    assert client.get("/api/vendor", headers=bearer(owner)).json()["name"] == name
    assert client.get("/api/auth/me", headers=bearer(owner)).json()["full_name"] == "Nguyễn Thị Minh Khai 👋🏽"


# --- passwords with context ---------------------------------------------------------------------

WEAK_ANYWHERE = {
    "spaces": " " * 12,
    "tabs": "\t" * 12,
    "nuls": "\x00" * 12,
    "zero-width spaces": "\u200b" * 12,
    "mixed invisibles": "\u200b\u2060\ufeff\u00ad" * 3,
    "one letter": "z" * 12,
    "dots": "." * 12,
    "two letters": "abababababab",
    "four characters": "1234123412341234",
}


def _signup_body(slug: str, password: str, **overrides: str) -> dict[str, str]:
    return {
        "vendor_name": "Tulpen Paradijs",
        "vendor_slug": slug,
        "timezone": "UTC",
        "currency": "EUR",
        "country": "NL",
        "email": f"margaretha.{slug}@example.com",
        "password": password,
        "full_name": "Margaretha Tulp",
        **overrides,
    }


def _signup_contextual(slug: str) -> dict[str, str]:
    email_local = f"margaretha.{slug}"
    return {
        "the email": f"{email_local}@example.com",
        "the email local part": f"{email_local.upper()}!2024",
        "the shop name": "my tulpenparadijs secret",
        "the shop slug": f"{slug}-is-my-secret",
    }


@pytest.mark.parametrize("password", list(WEAK_ANYWHERE.values()), ids=list(WEAK_ANYWHERE))
def test_signup_refuses_weak_passwords(client: httpx.Client, password: str) -> None:
    slug = unique("weak")
    _field_error(client.post("/api/auth/signup", json=_signup_body(slug, password)), "password", "WEAK_PASSWORD")
    assert client.get("/api/auth/me").status_code == 401


@pytest.mark.parametrize("kind", ["the email", "the email local part", "the shop name", "the shop slug"])
def test_signup_refuses_passwords_made_of_the_account_or_shop(client: httpx.Client, kind: str) -> None:
    slug = unique("ctx")
    password = _signup_contextual(slug)[kind]
    _field_error(client.post("/api/auth/signup", json=_signup_body(slug, password)), "password", "WEAK_PASSWORD")
    # The same signup with an unrelated password works: nothing else was wrong.
    assert client.post("/api/auth/signup", json=_signup_body(slug, PASSWORD)).status_code == 201


@pytest.mark.parametrize("password", list(WEAK_ANYWHERE.values()), ids=list(WEAK_ANYWHERE))
def test_create_staff_refuses_weak_passwords(client: httpx.Client, owner: str, password: str) -> None:
    body = {"email": f"{unique('weak')}@example.com", "full_name": "Weak Pass", "role": "STAFF", "password": password}
    _field_error(client.post("/api/staff", json=body, headers=bearer(owner)), "password", "WEAK_PASSWORD")
    response = client.post("/api/auth/login", json={"email": body["email"], "password": password})
    assert response.status_code in (400, 401), response.text


def test_create_staff_refuses_passwords_made_of_the_account_or_shop(client: httpx.Client) -> None:
    shop = signup(client, vendor_name="Bloemenhuis Anemoon")
    owner = login(client, shop.email)["access_token"]
    email = f"{unique('jolanda')}@example.com"
    local = email.split("@", maxsplit=1)[0]
    for password in (email, f"x{local.title()}x", "Bloemenhuis-Anemoon!", f"{shop.vendor['slug']}!!"):
        body = {"email": email, "full_name": "Jolanda", "role": "STAFF", "password": password}
        _field_error(client.post("/api/staff", json=body, headers=bearer(owner)), "password", "WEAK_PASSWORD")
    body = {"email": email, "full_name": "Jolanda", "role": "STAFF", "password": PASSWORD}
    assert client.post("/api/staff", json=body, headers=bearer(owner)).status_code == 201


def test_change_password_refuses_weak_and_contextual_passwords(client: httpx.Client) -> None:
    shop = signup(client, vendor_name="Het Zonnebloemveld")
    token = login(client, shop.email)["access_token"]
    local = shop.email.split("@")[0]
    candidates = [
        *WEAK_ANYWHERE.values(),
        shop.email,
        f"{local}-and-more",
        "zonnebloemveld forever",
        f"my shop {shop.vendor['slug']}",
    ]
    for password in candidates:
        body = {"current_password": PASSWORD, "new_password": password}
        response = client.post("/api/auth/change-password", json=body, headers=bearer(token))
        _field_error(response, "new_password", "WEAK_PASSWORD")
    # Nothing changed: the old password still logs in and the token still works.
    assert client.get("/api/auth/me", headers=bearer(token)).status_code == 200
    login(client, shop.email)
    body = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    assert client.post("/api/auth/change-password", json=body, headers=bearer(token)).status_code == 204
    login(client, shop.email, "a brand new passphrase")
