"""Refresh tokens: opaque random strings, stored server-side only as their SHA-256.

A token is ``fvr_`` followed by 32 random bytes in URL-safe base64 (256 bits), so it is easy to
recognise in a leak scanner and impossible to guess. With that much entropy a plain, fast hash is
enough: nobody can brute-force a 256-bit preimage, so a slow password hash would only cost CPU.
"""

from __future__ import annotations

import hashlib
import secrets

from application.accounts.ports import RefreshToken

TOKEN_PREFIX = "fvr_"  # noqa: S105 - a public marker, not a secret
TOKEN_BYTES = 32


class OpaqueRefreshTokens:
    """``RefreshTokens``: new tokens and the hash under which the session store keeps them."""

    def new(self) -> RefreshToken:
        token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        return RefreshToken(token=token, token_hash=self.hash(token))

    def hash(self, token: str) -> str:
        return hashlib.sha256(token.encode("utf-8", errors="surrogatepass")).hexdigest()
