"""The successor a spent refresh token seals for the reuse grace: readable only with that token."""

from __future__ import annotations

import hashlib

import pytest

from infrastructure.accounts.refresh_tokens import OpaqueRefreshTokens

TOKENS = OpaqueRefreshTokens()


def test_the_presented_token_unseals_its_successor() -> None:
    spent, successor = TOKENS.new(), TOKENS.new()
    sealed = TOKENS.seal(successor.token, spent.token)
    assert successor.token not in sealed
    assert TOKENS.unseal(sealed, spent.token) == successor.token


def test_no_other_key_unseals_it() -> None:
    spent, successor, other = TOKENS.new(), TOKENS.new(), TOKENS.new()
    sealed = TOKENS.seal(successor.token, spent.token)
    # Not another token, and not the hash the store keeps of the spent one.
    for key in (other.token, spent.token_hash, hashlib.sha256(spent.token.encode()).hexdigest(), ""):
        assert TOKENS.unseal(sealed, key) != successor.token


def test_each_spent_token_seals_differently() -> None:
    successor = TOKENS.new().token
    assert TOKENS.seal(successor, TOKENS.new().token) != TOKENS.seal(successor, TOKENS.new().token)


@pytest.mark.parametrize("sealed", ["", "not base64 !", "éé", "AAAA", "=" * 7])
def test_garbage_unseals_to_nothing(sealed: str) -> None:
    assert TOKENS.unseal(sealed, TOKENS.new().token) is None
