"""Refresh tokens: opaque random strings, stored server-side only as their SHA-256.

A token is ``fvr_`` followed by 32 random bytes in URL-safe base64 (256 bits), so it is easy to
recognise in a leak scanner and impossible to guess. With that much entropy a plain, fast hash is
enough: nobody can brute-force a 256-bit preimage, so a slow password hash would only cost CPU.

For the reuse grace the session store keeps, for a few seconds, the successor a spent token was
rotated to, sealed with that spent token: XOR with a SHAKE-256 stream of the spent token under its
own label (never the stored SHA-256, so the store's hash is no key). Each spent token seals exactly
one successor, and its 256 bits make the stream as strong as the token: a copy of the store (hashes
and sealed successors) still holds no token anyone can present.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets

from application.accounts.ports import RefreshToken

TOKEN_PREFIX = "fvr_"  # noqa: S105 - a public marker, not a secret
TOKEN_BYTES = 32
_SEAL_LABEL = b"flower-vendor refresh-token reuse grace v1\x00"


class OpaqueRefreshTokens:
    """``RefreshTokens``: new tokens and the hash under which the session store keeps them."""

    def new(self) -> RefreshToken:
        token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        return RefreshToken(token=token, token_hash=self.hash(token))

    def hash(self, token: str) -> str:
        return hashlib.sha256(token.encode("utf-8", errors="surrogatepass")).hexdigest()

    def seal(self, token: str, key: str) -> str:
        data = token.encode("ascii")
        return base64.urlsafe_b64encode(_xor(data, _stream(key, len(data)))).decode("ascii")

    def unseal(self, sealed: str, key: str) -> str | None:
        try:
            data = base64.urlsafe_b64decode(sealed.encode("ascii"))
            token = _xor(data, _stream(key, len(data))).decode("ascii")
        except (UnicodeError, binascii.Error, ValueError):
            return None
        return token if token.startswith(TOKEN_PREFIX) else None


def _stream(key: str, length: int) -> bytes:
    return hashlib.shake_256(_SEAL_LABEL + key.encode("utf-8", errors="surrogatepass")).digest(length)


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")
