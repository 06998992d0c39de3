"""Where a request's id lives while it is being served."""

from __future__ import annotations

import re
import uuid
from typing import Any

REQUEST_ID_HEADER = "x-request-id"


def header_value(scope: Any, name: bytes) -> str | None:
    """The first value of header ``name`` (lower-case bytes) in an ASGI scope."""
    for key, value in scope.get("headers", ()):
        if bytes(key).lower() == name:
            return bytes(value).decode("latin-1")
    return None


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None. The rate-limit gate and
    the auth middleware both read it here, so they always agree on which token a request carries."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_STATE_KEY = "request_id"


def accept_or_make_request_id(incoming: str | None) -> str:
    """Keep a well-formed incoming id (so a trace spans services); otherwise make a new one."""
    if incoming is not None and _REQUEST_ID_RE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def store_request_id(scope: Any, request_id: str) -> None:
    scope.setdefault("state", {})[_STATE_KEY] = request_id


def request_id_of(scope: Any) -> str | None:
    value = scope.get("state", {}).get(_STATE_KEY)
    return value if isinstance(value, str) else None


_CLIENT_KEY = "client_ip"


def store_client_ip(scope: Any, client_ip: str) -> None:
    scope.setdefault("state", {})[_CLIENT_KEY] = client_ip


def client_ip_of(scope: Any) -> str | None:
    value = scope.get("state", {}).get(_CLIENT_KEY)
    return value if isinstance(value, str) else None


_CLAIMS_KEY = "verified_access_token"


def store_verified_token(scope: Any, token: str, claims: object, session_live: bool | None) -> None:
    """The edge verified this bearer token already, and may have learnt whether its session is
    live in the same Redis round trip as the rate-limit count (``None``: it did not); the auth
    middleware need not do either again."""
    scope.setdefault("state", {})[_CLAIMS_KEY] = (token, claims, session_live)


def verified_token_of(scope: Any, token: str) -> tuple[object, bool | None] | None:
    """``(claims, session_live)`` stored by the edge for exactly this token, else None."""
    entry = scope.get("state", {}).get(_CLAIMS_KEY)
    if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == token:
        return entry[1], entry[2]
    return None
