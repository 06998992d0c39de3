"""Small helpers for driving the HTTP API in end-to-end tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "correct horse battery staple"
# What every response must carry (the values the contract and the OWASP headers name).
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "x-xss-protection": "0",
    "cache-control": "no-store",
}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Shop:
    vendor: dict[str, Any]
    owner: dict[str, Any]
    email: str
    password: str


def signup_body(prefix: str = "shop", **overrides: Any) -> dict[str, Any]:
    """A valid sign-up body for a new shop (a unique slug and email), with ``overrides``."""
    slug = unique(prefix)
    return {
        "vendor_name": "Rosa Bloemen",
        "vendor_slug": slug,
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
        "country": "NL",
        "email": f"{slug}@example.com",
        "password": PASSWORD,
        "full_name": "Rosa Owner",
        **overrides,
    }


def signup(client: httpx.Client, **overrides: str) -> Shop:
    body = signup_body(**overrides)
    response = client.post("/api/auth/signup", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    return Shop(vendor=data["vendor"], owner=data["user"], email=body["email"], password=body["password"])


def login(client: httpx.Client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return dict(response.json())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def add_staff(client: httpx.Client, owner_token: str, role: str) -> tuple[dict[str, Any], str]:
    email = f"{unique(role.lower())}@example.com"
    response = client.post(
        "/api/staff",
        json={"email": email, "full_name": f"A {role.title()}", "role": role, "password": PASSWORD},
        headers=bearer(owner_token),
    )
    assert response.status_code == 201, response.text
    return dict(response.json()), email


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The body of an answer with ``status`` (None for an empty one, such as a 204)."""
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The problem JSON of a refusal with ``status`` (and ``code``, when given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    if code is not None:
        assert body["code"] == code, body
    return body


def fields(response: httpx.Response) -> set[str]:
    """The fields a 400 names in its ``errors``."""
    return {error["field"] for error in problem(response, 400)["errors"]}
