"""Access-token verification: pyjwt's path (what ``JwtAccessTokens.verify`` did until issue 10)
against the one-pass verifier, side by side in one run.

Usage:
    uv run python scripts/bench_jwt_verify.py [--rounds 7] [--number 2000] [--only old|new]
Each round times ``--number`` verifications of one issued token with each verifier in turn; the
figures are the median µs per verify over the rounds and the ratio. ``--only`` runs a single
verifier ``--number`` times with no timing loop, for ``valgrind --tool=callgrind``. It prints
figures and asserts nothing.

``LegacyPyJwtVerifier`` is a faithful copy of the previous verifier; the unit tests use it too, to
check that tokens pass or fail alike in both (tests/unit/test_jwt_verify_attacks.py).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import math
import statistics
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt

from application.shared.access import AccessClaims, InvalidToken
from infrastructure.config import generate_secret_key
from infrastructure.security.jwt_tokens import (
    ACCESS_TOKEN_TYPE,
    ALGORITHM,
    HEADER_TYPE,
    MAX_TOKEN_LENGTH,
    REQUIRED_CLAIMS,
    JwtAccessTokens,
    key_id,
)

_LEGACY_FAILURES = (
    jwt.PyJWTError,
    binascii.Error,
    ValueError,
    TypeError,
    KeyError,
    UnicodeError,
    OverflowError,
    RecursionError,
)


def _legacy_canonical_segments(token: str) -> None:
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


def _legacy_timestamp(payload: Mapping[str, Any], claim: str) -> float:
    value = payload.get(claim)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"claim {claim} is not a NumericDate")
    try:
        number = float(value)
    except OverflowError:
        raise InvalidToken(f"claim {claim} is out of range") from None
    if not math.isfinite(number):
        raise InvalidToken(f"claim {claim} is not a NumericDate")
    return number


def _legacy_uuid(payload: Mapping[str, Any], claim: str) -> UUID:
    value = payload.get(claim)
    if not isinstance(value, str):
        raise InvalidToken(f"claim {claim} is not a UUID")
    try:
        parsed = UUID(value)
    except ValueError:
        raise InvalidToken(f"claim {claim} is not a UUID") from None
    if str(parsed) != value:
        raise InvalidToken(f"claim {claim} is not a canonical UUID")
    return parsed


def _legacy_text(payload: Mapping[str, Any], claim: str) -> str:
    value = payload.get(claim)
    if not isinstance(value, str) or not value:
        raise InvalidToken(f"claim {claim} is not a non-empty string")
    return value


class LegacyPyJwtVerifier:
    """The pyjwt-based ``verify`` of ``JwtAccessTokens`` before issue 10, unchanged in behaviour."""

    def __init__(
        self,
        secret_key: str,
        previous_keys: Sequence[str],
        issuer: str = "flower-vendor",
        audience: str = "flower-vendor-api",
        leeway_seconds: int = 10,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._keys = {key_id(key): key.encode("utf-8") for key in [*previous_keys, secret_key] if key}
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._now = now or (lambda: datetime.now(UTC))

    def verify(self, token: str) -> AccessClaims:
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("malformed token")
        try:
            return self._claims(self._decode(token))
        except _LEGACY_FAILURES as error:
            raise InvalidToken(f"token rejected: {type(error).__name__}") from None

    def _decode(self, token: str) -> dict[str, Any]:
        _legacy_canonical_segments(token)
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
        issued_at = _legacy_timestamp(payload, "iat")
        not_before = _legacy_timestamp(payload, "nbf")
        expires_at = _legacy_timestamp(payload, "exp")
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
            user_id=_legacy_uuid(payload, "sub"),
            vendor_id=_legacy_uuid(payload, "vid"),
            role=_legacy_text(payload, "role"),
            session_id=_legacy_uuid(payload, "sid"),
            token_id=_legacy_text(payload, "jti"),
            issued_at=issued,
            expires_at=expires,
        )


def _per_call_us(verify: Callable[[str], object], token: str, number: int) -> float:
    started = time.perf_counter()
    for _ in range(number):
        verify(token)
    return (time.perf_counter() - started) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--only", choices=["old", "new"])
    args = parser.parse_args()

    previous, current = generate_secret_key(), generate_secret_key()
    new = JwtAccessTokens(current, [previous], timedelta(minutes=15))
    old = LegacyPyJwtVerifier(current, [previous])
    token = new.issue(user_id=uuid.uuid4(), vendor_id=uuid.uuid4(), role="OWNER", session_id=uuid.uuid4()).token
    if old.verify(token) != new.verify(token):
        raise SystemExit("the two verifiers disagree on the benchmark token")

    if args.only is not None:
        verify = old.verify if args.only == "old" else new.verify
        for _ in range(args.number):
            verify(token)
        return

    for _ in range(200):  # warm both up
        old.verify(token)
        new.verify(token)
    old_us, new_us = [], []
    for _ in range(args.rounds):
        old_us.append(_per_call_us(old.verify, token, args.number))
        new_us.append(_per_call_us(new.verify, token, args.number))
    old_median, new_median = statistics.median(old_us), statistics.median(new_us)
    print(f"token: {len(token)} characters; {args.rounds} rounds x {args.number} verifies each, medians")
    print(f"  old (pyjwt path)   {old_median:8.1f} µs/verify   (min {min(old_us):.1f}, max {max(old_us):.1f})")
    print(f"  new (one pass)     {new_median:8.1f} µs/verify   (min {min(new_us):.1f}, max {max(new_us):.1f})")
    print(f"  old / new          {old_median / new_median:8.1f} x")


if __name__ == "__main__":
    main()
