"""Access tokens: short-lived JWTs signed HS256 with the service's secret key.

Issued tokens carry ``kid`` (a non-reversible id of the signing key) and ``typ: at+jwt`` in the
header, and the claims ``iss aud sub vid role sid jti iat nbf exp typ`` (``typ`` = ``"access"``).

Verification is deliberately narrow:

* the header must say ``alg: HS256`` (the only algorithm handed to pyjwt, so ``none``, ``HS512``
  or an ``RS*`` confusion attack never reach a verifier), ``typ: at+jwt`` and a ``kid`` naming the
  current or one of the previous keys; a missing or unknown ``kid`` is refused, as is any
  ``crit``/``b64`` extension;
* every claim listed above is required; ``iss`` and ``aud`` must match exactly; ``exp``, ``nbf``
  and ``iat`` are checked against the injected clock with a small leeway;
* ``sub``, ``vid`` and ``sid`` must be canonical UUIDs.

Every failure is reported as ``InvalidToken``, whatever went wrong underneath.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import jwt

from application.shared.access import AccessClaims, InvalidToken, IssuedAccessToken

if TYPE_CHECKING:
    from infrastructure.config import Settings

ALGORITHM = "HS256"
HEADER_TYPE = "at+jwt"
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret
REQUIRED_CLAIMS = ("iss", "aud", "sub", "vid", "role", "sid", "jti", "iat", "nbf", "exp", "typ")
# Far above any token we issue (about 400 bytes); refuses megabyte-sized junk before parsing.
MAX_TOKEN_LENGTH = 4096
_KID_LENGTH = 16
# What parsing hostile input can raise (RecursionError: deeply nested JSON in a segment).
_DECODE_FAILURES = (
    jwt.PyJWTError,
    binascii.Error,
    ValueError,
    TypeError,
    KeyError,
    UnicodeError,
    OverflowError,
    RecursionError,
)


def key_id(key: str) -> str:
    """A short public name for a signing key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:_KID_LENGTH]


def _require_canonical_segments(token: str) -> None:
    """Three unpadded base64url segments, each in its one canonical spelling.

    Base64 ignores the spare low bits of a segment's last character, so without this check a
    token has several spellings that all verify; anything keyed on the token string (a cache, a
    log search) would then see different tokens.
    """
    segments = token.split(".")
    if len(segments) != 3:
        raise InvalidToken("malformed token")
    for segment in segments:
        if not segment.isascii():
            raise InvalidToken("malformed token")
        raw = segment.encode("ascii")
        decoded = base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
        if base64.urlsafe_b64encode(decoded).rstrip(b"=") != raw:
            raise InvalidToken("malformed token")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _timestamp(payload: Mapping[str, Any], claim: str) -> float:
    value = payload.get(claim)
    # bool is an int subclass; NaN/inf would make every comparison meaningless.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"claim {claim} is not a NumericDate")
    try:
        number = float(value)
    except OverflowError:  # an int beyond float range
        raise InvalidToken(f"claim {claim} is out of range") from None
    if not math.isfinite(number):
        raise InvalidToken(f"claim {claim} is not a NumericDate")
    return number


def _uuid(payload: Mapping[str, Any], claim: str) -> UUID:
    value = payload.get(claim)
    if not isinstance(value, str):
        raise InvalidToken(f"claim {claim} is not a UUID")
    try:
        parsed = UUID(value)
    except ValueError:
        raise InvalidToken(f"claim {claim} is not a UUID") from None
    if str(parsed) != value:  # only the canonical form we issue
        raise InvalidToken(f"claim {claim} is not a canonical UUID")
    return parsed


def _text(payload: Mapping[str, Any], claim: str) -> str:
    value = payload.get(claim)
    if not isinstance(value, str) or not value:
        raise InvalidToken(f"claim {claim} is not a non-empty string")
    return value


class JwtAccessTokens:
    """``AccessTokens`` with pyjwt. Previous keys verify but never sign."""

    __slots__ = ("_audience", "_current_kid", "_issuer", "_keys", "_leeway", "_lifetime", "_now")

    def __init__(
        self,
        secret_key: str,
        previous_keys: Sequence[str],
        lifetime: timedelta,
        issuer: str = "flower-vendor",
        audience: str = "flower-vendor-api",
        leeway_seconds: int = 10,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        if not secret_key:
            raise ValueError("the signing key must not be empty")
        if lifetime <= timedelta(0):
            raise ValueError("the access token lifetime must be positive")
        if leeway_seconds < 0:
            raise ValueError("the leeway must not be negative")
        self._current_kid = key_id(secret_key)
        keys: dict[str, bytes] = {}
        for key in previous_keys:
            if key:
                keys[key_id(key)] = key.encode("utf-8")
        keys[self._current_kid] = secret_key.encode("utf-8")
        self._keys = keys
        self._lifetime = lifetime
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._now = now or _utc_now

    @classmethod
    def from_settings(cls, settings: Settings) -> JwtAccessTokens:
        return cls(
            settings.secret_key.reveal(),
            [key.reveal() for key in settings.secret_key_previous],
            timedelta(minutes=settings.access_token_expire_minutes),
        )

    def __repr__(self) -> str:
        return f"JwtAccessTokens(kid={self._current_kid!r}, verifying_keys={len(self._keys)})"

    def issue(self, *, user_id: UUID, vendor_id: UUID, role: str, session_id: UUID) -> IssuedAccessToken:
        issued_at = int(self._now().timestamp())
        expires_in = int(self._lifetime.total_seconds())
        payload = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(user_id),
            "vid": str(vendor_id),
            "role": role,
            "sid": str(session_id),
            "jti": secrets.token_urlsafe(16),
            "typ": ACCESS_TOKEN_TYPE,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + expires_in,
        }
        token = jwt.encode(
            payload,
            self._keys[self._current_kid],
            algorithm=ALGORITHM,
            headers={"kid": self._current_kid, "typ": HEADER_TYPE},
        )
        return IssuedAccessToken(token=token, expires_in=expires_in)

    def verify(self, token: str) -> AccessClaims:
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("malformed token")
        try:
            return self._claims(self._decode(token))
        except _DECODE_FAILURES as error:
            raise InvalidToken(f"token rejected: {type(error).__name__}") from None

    def _decode(self, token: str) -> dict[str, Any]:
        _require_canonical_segments(token)
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("unexpected algorithm")
        if header.get("typ") != HEADER_TYPE:
            raise InvalidToken("not an access token")
        if "crit" in header or "b64" in header:
            raise InvalidToken("unsupported header extension")
        kid = header.get("kid")
        if not isinstance(kid, str) or kid not in self._keys:
            raise InvalidToken("unknown signing key")
        payload: dict[str, Any] = jwt.decode(
            token,
            self._keys[kid],
            algorithms=[ALGORITHM],
            audience=self._audience,
            issuer=self._issuer,
            options={
                "require": list(REQUIRED_CLAIMS),
                "strict_aud": True,
                # Times are checked below against the injected clock, not pyjwt's.
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
        return payload

    def _claims(self, payload: Mapping[str, Any]) -> AccessClaims:
        if payload.get("typ") != ACCESS_TOKEN_TYPE:
            raise InvalidToken("not an access token")
        now = self._now().timestamp()
        issued_at = _timestamp(payload, "iat")
        not_before = _timestamp(payload, "nbf")
        expires_at = _timestamp(payload, "exp")
        if expires_at <= now - self._leeway:
            raise InvalidToken("token expired")
        if not_before > now + self._leeway:
            raise InvalidToken("token not yet valid")
        if issued_at > now + self._leeway:
            raise InvalidToken("token issued in the future")
        try:
            issued = datetime.fromtimestamp(issued_at, UTC)
            expires = datetime.fromtimestamp(expires_at, UTC)
        except (ValueError, OverflowError, OSError):
            raise InvalidToken("timestamp out of range") from None
        return AccessClaims(
            user_id=_uuid(payload, "sub"),
            vendor_id=_uuid(payload, "vid"),
            role=_text(payload, "role"),
            session_id=_uuid(payload, "sid"),
            token_id=_text(payload, "jti"),
            issued_at=issued,
            expires_at=expires,
        )
