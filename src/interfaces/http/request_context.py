"""What the edge learns about a request (its id, client address, verified token) and where it keeps it."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from application.shared.access import AccessClaims

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


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A bearer token the edge verified already, and whether its session is live if the edge
    learnt that in the same Redis round trip as the rate-limit count (``None``: it did not)."""

    token: str
    claims: AccessClaims
    session_live: bool | None


def store_verified_token(scope: Any, verified: VerifiedToken) -> None:
    scope.setdefault("state", {})[_CLAIMS_KEY] = verified


def verified_token_of(scope: Any, token: str) -> VerifiedToken | None:
    """What the edge stored for exactly this token, else None: the auth middleware then verifies
    and checks the session itself."""
    entry = scope.get("state", {}).get(_CLAIMS_KEY)
    return entry if isinstance(entry, VerifiedToken) and entry.token == token else None
