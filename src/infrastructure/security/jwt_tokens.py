"""Access tokens: short-lived JWTs signed HS256 with the service's secret key.

Issued tokens carry ``kid`` (a non-reversible id of the signing key) and ``typ: at+jwt`` in the
header, and the claims ``iss aud sub vid role sid jti iat nbf exp typ`` (``typ`` = ``"access"``).
pyjwt signs them (issuing is not hot); verifying is done here, in one pass over the token, because
it runs on every authenticated request and pyjwt's path (its base64url checks run character by
character in Python, twice per token) costs about six times as much (``scripts/bench_jwt_verify.py``).

Verification is deliberately narrow:

* the token is exactly three segments, each unpadded base64url in its one canonical spelling (the
  spare low bits of a segment's last character are zero), the signature exactly 32 bytes;
* the header must say ``alg: HS256`` (nothing else is ever tried, so ``none``, ``HS512`` or an
  ``RS*`` confusion attack never reach a verifier), ``typ: at+jwt`` and a ``kid`` naming the
  current or one of the previous keys; a missing or unknown ``kid`` is refused, as is any
  ``crit``/``b64`` extension;
* the signature is the HMAC-SHA256 of ``header.payload`` under the key ``kid`` names, compared in
  constant time; the claims are read only after it matched;
* header and claims are JSON objects without duplicate member names, decoded into typed structs:
  every claim listed above is required with its JSON type (``iat nbf exp`` integers, the others
  strings; ``null``, ``true``, ``1.5`` or ``NaN`` are not NumericDates); ``iss`` and ``aud`` must
  match exactly; ``exp``, ``nbf`` and ``iat`` are checked against the injected clock with a small
  leeway;
* ``sub``, ``vid`` and ``sid`` must be canonical UUIDs, and ``sid`` never ``SCRIPT_SESSION_ID`` (the
  nil UUID a local operator script acts with: it is no session, and none is ever issued for it).

Every failure is reported as ``InvalidToken``, whatever went wrong underneath.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from uuid import UUID

import jwt
import msgspec

from application.shared.access import AccessClaims, InvalidToken, IssuedAccessToken
from application.shared.context import SCRIPT_SESSION_ID

if TYPE_CHECKING:
    from infrastructure.config import Settings

ALGORITHM = "HS256"
HEADER_TYPE = "at+jwt"
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret
REQUIRED_CLAIMS = ("iss", "aud", "sub", "vid", "role", "sid", "jti", "iat", "nbf", "exp", "typ")
# Far above any token we issue (about 500 bytes); refuses megabyte-sized junk before parsing.
MAX_TOKEN_LENGTH = 4096
_KID_LENGTH = 16
# What parsing hostile input can raise (RecursionError: deeply nested JSON in a segment;
# msgspec's DecodeError and ValidationError are ValueErrors).
_DECODE_FAILURES = (
    binascii.Error,
    ValueError,
    TypeError,
    KeyError,
    UnicodeError,
    OverflowError,
    RecursionError,
    msgspec.MsgspecError,
)

# Three base64url segments; the signature (HMAC-SHA256, 32 bytes) is exactly 43 characters whose last
# carries no spare bits. Header and payload get the same spelling check in ``_canonical_b64decode``.
_COMPACT_JWS = re.compile(r"([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{42}[AEIMQUYcgkosw048])")
# Base64 ignores the spare low bits of a segment's last character: with 2 characters after the
# last whole quantum only 4 bits of the last one are used, with 3 only 6 bits. Canonical means
# those spare bits are zero (else a token has several spellings that all verify, and anything
# keyed on the token string, a cache or a log search, sees different tokens).
_NO_SPARE_BITS = {2: frozenset("AQgw"), 3: frozenset("AEIMQUYcgkosw048")}
_URLSAFE_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_CANONICAL_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z"
_Uuid = Annotated[str, msgspec.Meta(pattern=_CANONICAL_UUID)]  # the form str(UUID) gives, nothing else
_Text = Annotated[str, msgspec.Meta(min_length=1)]


class _Header(msgspec.Struct, frozen=True, gc=False):
    alg: str
    typ: str
    kid: str
    # Present at all (even ``null``) means refused.
    crit: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET
    b64: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET


class _Claims(msgspec.Struct, frozen=True, gc=False):
    iss: str
    aud: str
    sub: _Uuid
    vid: _Uuid
    role: _Text
    sid: _Uuid
    jti: _Text
    typ: str
    iat: int
    nbf: int
    exp: int


_Object = TypeVar("_Object", _Header, _Claims)
_HEADER = msgspec.json.Decoder(_Header)
_CLAIMS = msgspec.json.Decoder(_Claims)
_MEMBERS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ENCODE = msgspec.json.Encoder().encode


def key_id(key: str) -> str:
    """A short public name for a signing key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:_KID_LENGTH]


def _canonical_b64decode(segment: str) -> bytes:
    """An unpadded base64url segment (alphabet already checked) in its one canonical spelling."""
    tail = len(segment) % 4
    if tail and (tail == 1 or segment[-1] not in _NO_SPARE_BITS[tail]):
        raise InvalidToken("malformed token")
    return binascii.a2b_base64(segment.encode("ascii").translate(_URLSAFE_TO_STANDARD) + b"=" * (-tail % 4))


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise InvalidToken("duplicate member name")
    return members


def _json_object(raw: bytes, decoder: msgspec.json.Decoder[_Object]) -> _Object:
    """``raw`` as a JSON object without duplicate member names, decoded into its struct.

    JSON parsers keep the last of duplicate names silently (msgspec included), so a duplicate is
    found by re-encoding the object's members: compact JSON without nested objects, as every token
    we issue is, comes back byte for byte unless a name was repeated. Anything else (whitespace,
    escaped names, nested objects) is checked by the standard library parser, which sees each
    object's members before they are merged.
    """
    if raw.find(b"{", 1) != -1 or _ENCODE(_MEMBERS.decode(raw)) != raw:
        json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_members)
    return decoder.decode(raw)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class JwtAccessTokens:
    """``AccessTokens``: pyjwt signs, ``verify`` checks in one pass. Previous keys verify but never sign."""

    __slots__ = ("_audience", "_current_kid", "_issuer", "_keys", "_leeway", "_lifetime", "_macs", "_now")

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
        self._macs = {kid: hmac.new(key, digestmod=hashlib.sha256) for kid, key in keys.items()}
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
        if session_id == SCRIPT_SESSION_ID:
            raise ValueError("a script's principal has no session: no access token is issued for it")
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
            return self._claims(self._verified_payload(token))
        except _DECODE_FAILURES as error:
            raise InvalidToken(f"token rejected: {type(error).__name__}") from None

    def _verified_payload(self, token: str) -> _Claims:
        """The claims of a token whose header and signature are right; types checked, values not."""
        parts = _COMPACT_JWS.fullmatch(token)
        if parts is None:
            raise InvalidToken("malformed token")
        header = _json_object(_canonical_b64decode(parts[1]), _HEADER)
        if header.alg != ALGORITHM:
            raise InvalidToken("unexpected algorithm")
        if header.typ != HEADER_TYPE:
            raise InvalidToken("not an access token")
        if header.crit is not msgspec.UNSET or header.b64 is not msgspec.UNSET:
            raise InvalidToken("unsupported header extension")
        key = self._macs.get(header.kid)
        if key is None:
            raise InvalidToken("unknown signing key")
        mac = key.copy()  # the key's HMAC state, prepared once
        mac.update(token[: parts.end(2)].encode("ascii"))
        if not hmac.compare_digest(mac.digest(), _canonical_b64decode(parts[3])):
            raise InvalidToken("bad signature")
        return _json_object(_canonical_b64decode(parts[2]), _CLAIMS)

    def _claims(self, payload: _Claims) -> AccessClaims:
        if payload.typ != ACCESS_TOKEN_TYPE:
            raise InvalidToken("not an access token")
        if payload.iss != self._issuer:
            raise InvalidToken("wrong issuer")
        if payload.aud != self._audience:
            raise InvalidToken("wrong audience")
        now = self._now().timestamp()
        if payload.exp <= now - self._leeway:
            raise InvalidToken("token expired")
        if payload.nbf > now + self._leeway:
            raise InvalidToken("token not yet valid")
        if payload.iat > now + self._leeway:
            raise InvalidToken("token issued in the future")
        try:
            issued = datetime.fromtimestamp(payload.iat, UTC)
            expires = datetime.fromtimestamp(payload.exp, UTC)
        except (ValueError, OverflowError, OSError):
            raise InvalidToken("timestamp out of range") from None
        session_id = msgspec.convert(payload.sid, UUID)
        if session_id == SCRIPT_SESSION_ID:
            raise InvalidToken("no session")  # a script's, which no access token may speak for
        return AccessClaims(
            user_id=msgspec.convert(payload.sub, UUID),  # a third of UUID(str)'s cost
            vendor_id=msgspec.convert(payload.vid, UUID),
            role=payload.role,
            session_id=session_id,
            token_id=payload.jti,
            issued_at=issued,
            expires_at=expires,
        )
