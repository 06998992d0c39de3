"""The one-pass access-token verifier under attack, and against the pyjwt verifier it replaced.

Every hostile token is refused with ``InvalidToken`` and nothing else; and whatever the new
verifier accepts, the old pyjwt-based one (kept in scripts/bench_jwt_verify.py) accepts with the
same claims: the new one is never looser. Where it is stricter on purpose, a test says so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from scripts.bench_jwt_verify import LegacyPyJwtVerifier

from application.shared.access import AccessClaims, InvalidToken
from infrastructure.config import generate_secret_key
from infrastructure.security.jwt_tokens import MAX_TOKEN_LENGTH, JwtAccessTokens, key_id
from tests.unit.test_jwt_tokens import (
    KEY_A,
    KEY_B,
    LIFETIME,
    SESSION,
    T0,
    USER,
    VENDOR,
    Clock,
    b64,
    claims,
    issue,
    segment,
    sign,
    tokens,
)

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
NOW = int(T0.timestamp())
HEADER_A = {"alg": "HS256", "typ": "at+jwt", "kid": key_id(KEY_A)}


def legacy(current: str = KEY_A, previous: tuple[str, ...] = (), clock: Clock | None = None) -> LegacyPyJwtVerifier:
    return LegacyPyJwtVerifier(current, list(previous), now=clock or Clock())


def outcome(verify: Callable[[str], AccessClaims], token: Any) -> AccessClaims | None:
    """The claims, or ``None`` for ``InvalidToken``; any other exception fails the test."""
    try:
        return verify(token)
    except InvalidToken:
        return None


def refused(token: Any, service: JwtAccessTokens | None = None) -> None:
    """Refused by the new verifier; and the old one never accepted something the new one refuses
    except where a test says so, so this checks only the new one."""
    assert outcome((service or tokens()).verify, token) is None, token


def never_looser(token: Any, new: JwtAccessTokens | None = None, old: LegacyPyJwtVerifier | None = None) -> None:
    """Only ``InvalidToken`` escapes; what the new verifier accepts the old one accepts alike."""
    accepted = outcome((new or tokens()).verify, token)
    if accepted is not None:
        assert outcome((old or legacy()).verify, token) == accepted, token


def sign_raw(header: bytes, payload: bytes, key: str = KEY_A) -> str:
    """A correctly signed token around exact header and payload bytes (any JSON, or none)."""
    signing_input = f"{b64(header)}.{b64(payload)}"
    signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


# -- old and new agree on every rotation case ------------------------------------------------

ROTATIONS = {
    "A": (KEY_A, ()),
    "B": (KEY_B, ()),
    "B after A": (KEY_B, (KEY_A,)),
    "A after B": (KEY_A, (KEY_B,)),
}


@pytest.mark.parametrize("signer", sorted(ROTATIONS))
@pytest.mark.parametrize("verifier", sorted(ROTATIONS))
def test_old_and_new_verifiers_agree_on_every_rotation(signer: str, verifier: str) -> None:
    current, previous = ROTATIONS[signer]
    issued = issue(tokens(current, previous))  # pyjwt.encode through the service
    hand_made = sign(claims(), key=current)  # hmac + json by hand, pyjwt not involved
    by_pyjwt = jwt.encode(
        claims(), current.encode(), algorithm="HS256", headers={"kid": key_id(current), "typ": "at+jwt"}
    )
    current, previous = ROTATIONS[verifier]
    new, old = tokens(current, previous), legacy(current, previous)
    for token in (issued, hand_made, by_pyjwt):
        assert outcome(new.verify, token) == outcome(old.verify, token)
        known = key_id(ROTATIONS[signer][0]) in {key_id(key) for key in (current, *previous)}
        assert (outcome(new.verify, token) is not None) == known


def test_issued_token_verifies_with_the_old_verifier_too() -> None:
    """Issuing is unchanged: a token from this code keeps working on an instance still running the
    old verifier during a rolling deploy, and back."""
    new = tokens(KEY_B, (KEY_A,))
    token = issue(new)
    verified = new.verify(token)
    assert legacy(KEY_B, (KEY_A,)).verify(token) == verified
    assert (verified.user_id, verified.vendor_id, verified.session_id) == (USER, VENDOR, SESSION)


# -- the token's spelling --------------------------------------------------------------------

MUTATIONS = ALPHABET + ".=+/ \x00\t\né\u2028\U0001f600"


def test_every_single_character_change_is_refused() -> None:
    token = issue(tokens())
    service = tokens()
    for position, original in enumerate(token):
        for replacement in MUTATIONS:
            if replacement != original:
                refused(token[:position] + replacement + token[position + 1 :], service)
        refused(token[:position] + token[position + 1 :], service)  # deleted
    for position in range(len(token) + 1):
        for inserted in ".=A_":
            refused(token[:position] + inserted + token[position:], service)


def sign_segments(header: str, payload: str, key: str = KEY_A) -> str:
    """A correct signature over exactly these segment spellings, canonical or not."""
    signature = hmac.new(key.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def spare_bit_twins(seg: str) -> list[str]:
    """Spellings of ``seg`` with spare bits set in its last character: all decode to its bytes."""
    tail = len(seg) % 4
    if tail == 0:
        return []
    spare = 4 if tail == 2 else 2
    base = ALPHABET.index(seg[-1])
    twins = [seg[:-1] + ALPHABET[base | low] for low in range(1, 2**spare)]
    for twin in twins:
        assert base64.urlsafe_b64decode(twin + "=" * (-len(twin) % 4)) == base64.urlsafe_b64decode(
            seg + "=" * (-len(seg) % 4)
        )
    return twins


def test_spare_bits_in_a_segments_last_character_are_refused() -> None:
    """Signed over the odd spelling, so the signature matches: only the spelling check refuses.
    Otherwise one token would have several spellings that all verify."""
    service = tokens()
    tails: set[tuple[int, int]] = set()
    for pad in range(3):  # vary the lengths so every tail length occurs in both segments
        header = segment({**HEADER_A, "x": "y" * pad})
        payload = segment(claims(jti="x" * (1 + pad)))
        assert service.verify(sign_segments(header, payload)).user_id == USER
        for twin in spare_bit_twins(header):
            refused(sign_segments(twin, payload), service)
            tails.add((0, len(header) % 4))
        for twin in spare_bit_twins(payload):
            refused(sign_segments(header, twin), service)
            tails.add((1, len(payload) % 4))
    assert tails == {(0, 2), (0, 3), (1, 2), (1, 3)}
    token = issue(service)
    *signed, signature = token.split(".")
    for twin in spare_bit_twins(signature):  # 43 characters: a tail of 3
        refused(".".join([*signed, twin]), service)


@pytest.mark.parametrize("part", [0, 1, 2])
def test_padding_and_the_standard_alphabet_are_refused(part: int) -> None:
    # Six '?' hold an aligned "???" (spelled "Pz8_"), six '>' an aligned ">>>" ("Pj4-").
    token = sign(claims(jti="??????>>>>>>"), header={**HEADER_A, "x": "??????>>>>>>"})
    parts = token.split(".")
    seg = parts[part]
    assert ("-" in seg and "_" in seg) or part == 2
    standard = base64.b64encode(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))).decode()
    spellings = [seg + "=", seg + "==", seg + "===", seg.replace("-", "+"), seg.replace("_", "/"), " " + seg, standard]
    for spelled in spellings:
        if spelled == seg:
            continue
        odd = [*parts[:part], spelled, *parts[part + 1 :]]
        refused(".".join(odd))
        if part < 2:  # signed over the odd spelling: the signature matches, the spelling does not
            refused(sign_segments(odd[0], odd[1]))


def test_segment_counts_and_empty_segments_are_refused() -> None:
    header, payload, signature = issue(tokens()).split(".")
    for token in [
        f"{header}.{payload}",
        f"{header}.{payload}.{signature}.",
        f"{header}.{payload}.{signature}.{signature}",
        f"{header}.{payload}.{signature}.{payload}.{signature}",  # JWE-shaped
        f".{payload}.{signature}",
        f"{header}..{signature}",
        f"{header}.{payload}.",
        "..",
        f"{header}.{payload}.{signature[:-1]}",
        f"{header}.{payload}.{signature}A",
        f"{header}.{payload}.{signature}AAAA",
    ]:
        refused(token)


def test_huge_tokens_are_refused() -> None:
    token = issue(tokens())
    header, payload, signature = token.split(".")
    refused(token + "A" * (MAX_TOKEN_LENGTH - len(token) + 1))
    refused(f"{header}.{payload}{'A' * (MAX_TOKEN_LENGTH * 250)}.{signature}")
    refused("." * 1_000_000)
    big = sign(claims(pad="x" * MAX_TOKEN_LENGTH))  # correctly signed, just too long
    refused(big)


# -- the header ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        {**HEADER_A, "alg": "none"},
        {**HEADER_A, "alg": "HS512"},
        {**HEADER_A, "alg": "RS256"},
        {**HEADER_A, "alg": None},
        {**HEADER_A, "alg": ["HS256"]},
        {"typ": "at+jwt", "kid": key_id(KEY_A)},
        {"alg": "HS256", "kid": key_id(KEY_A)},
        {"alg": "HS256", "typ": "at+jwt"},
        {**HEADER_A, "typ": "JWT"},
        {**HEADER_A, "typ": None},
        {**HEADER_A, "kid": key_id(KEY_B)},
        {**HEADER_A, "kid": key_id(KEY_A).upper()},
        {**HEADER_A, "kid": None},
        {**HEADER_A, "kid": 7},
        {**HEADER_A, "crit": None},
        {**HEADER_A, "crit": ["exp"]},
        {**HEADER_A, "b64": False},
        {**HEADER_A, "b64": True},
    ],
)
def test_wrong_headers_are_refused(header: dict[str, Any]) -> None:
    refused(sign(claims(), header=header))


@pytest.mark.parametrize("header", [b"", b"[]", b"null", b'"HS256"', b"{", b'{"alg":"HS256"}x', b"\xff\xfe"])
def test_header_that_is_not_a_json_object_is_refused(header: bytes) -> None:
    refused(sign_raw(header, compact(claims())))


def test_header_extra_members_are_ignored_as_before() -> None:
    token = sign(claims(), header={**HEADER_A, "x5u": "https://attacker.invalid/", "jku": [1, {"a": 2}]})
    assert tokens().verify(token) == legacy().verify(token)


# -- duplicate member names ------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        b'{"alg":"none","alg":"HS256","typ":"at+jwt","kid":"%s"}',
        b'{"alg":"HS256","typ":"at+jwt","kid":"%s","alg":"HS256"}',
        b'{"alg":"HS256","typ":"at+jwt","kid":"0000000000000000","kid":"%s"}',
        b'{"alg": "HS256", "typ": "at+jwt", "kid": "%s", "typ": "at+jwt"}',  # whitespace: the other path
        b'{"alg":"HS256","typ":"at+jwt","kid":"%s","\\u0061lg":"HS256"}',  # the same name, escaped
        b'{"alg":"HS256","typ":"at+jwt","kid":"%s","x":{"a":1,"a":2}}',  # nested
    ],
)
def test_duplicate_names_in_the_header_are_refused(header: bytes) -> None:
    refused(sign_raw(header % key_id(KEY_A).encode(), compact(claims())))


def _with_duplicate(extra: str, spacing: str = "") -> bytes:
    body = json.dumps(claims(), separators=("," + spacing, ":" + spacing))
    return (body[:-1] + "," + extra + "}").encode()


@pytest.mark.parametrize(
    "payload",
    [
        _with_duplicate('"role":"PLATFORM_ADMIN"'),
        _with_duplicate('"exp":9999999999'),
        _with_duplicate(f'"sub":"{USER}"'),  # even with the same value
        _with_duplicate('"role": "OWNER"', spacing=" "),
        _with_duplicate('"r\\u006fle":"OWNER"'),
        _with_duplicate('"x":{"y":1,"y":2}'),
        _with_duplicate('"x":[{"y":1,"y":2}]'),
    ],
)
def test_duplicate_names_in_the_claims_are_refused(payload: bytes) -> None:
    refused(sign_raw(compact(HEADER_A), payload))


@pytest.mark.parametrize(
    "payload",
    [
        json.dumps(claims(), indent=2).encode(),
        json.dumps(claims(), ensure_ascii=False).encode(),
        _with_duplicate('"x":{"y":1,"z":[{"y":2}]}'),
        _with_duplicate('"x":"{not an object}"'),
        compact(claims()).replace(b'"role"', b'"r\\u006fle"'),
    ],
)
def test_unusual_but_unambiguous_json_is_accepted_as_before(payload: bytes) -> None:
    token = sign_raw(compact(HEADER_A), payload)
    verified = tokens().verify(token)
    assert verified == legacy().verify(token)
    assert verified.role == "OWNER"


# -- claims ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": str(NOW + 900)},
        {"exp": True},
        {"exp": False},
        {"iat": None},
        {"exp": [NOW + 900]},
        {"exp": 2**63},
        {"exp": -(2**63) - 1},
        {"exp": 10**20},
        {"aud": ["flower-vendor-api"]},
        {"iss": None},
        {"typ": None},
        {"role": None},
        {"role": ["OWNER"]},
        {"jti": 1},
        {"sub": str(USER) + "\n"},
        {"sub": " " + str(USER)},
        {"sid": str(SESSION).replace("-", "")},
        {"vid": "urn:uuid:" + str(VENDOR)},
    ],
)
def test_claims_of_the_wrong_type_or_form_are_refused(changes: dict[str, Any]) -> None:
    refused(sign(claims(**changes)))


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
def test_times_must_be_integers_stricter_than_before(claim: str) -> None:
    """Deliberately stricter: the old verifier took any finite JSON number; we only ever issue
    integers, so a fractional (or ``.0``) NumericDate is refused."""
    for value in (float(claims()[claim]), claims()[claim] + 0.5):
        token = sign(claims(**{claim: value}))
        refused(token)
        assert outcome(legacy().verify, token) is not None  # what changed


@pytest.mark.parametrize("claim", ["sub", "vid", "role", "sid", "jti", "iss", "aud", "typ", "iat", "nbf", "exp"])
def test_missing_claims_are_refused(claim: str) -> None:
    refused(sign(claims(**{claim: None})))


def test_expiry_leeway_edges() -> None:
    """Expired once ``exp <= now - 10 s``: the same edge as before, to the second."""
    for exp, accepted in [(NOW - 9, True), (NOW - 10, False), (NOW - 11, False)]:
        token = sign(claims(iat=NOW - 900, nbf=NOW - 900, exp=exp))
        assert (outcome(tokens().verify, token) is not None) == accepted, exp
        assert outcome(tokens().verify, token) == outcome(legacy().verify, token)


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_not_before_and_issued_at_leeway_edges(claim: str) -> None:
    """Refused once ``nbf`` (or ``iat``) ``> now + 10 s``."""
    for value, accepted in [(NOW + 10, True), (NOW + 11, False)]:
        token = sign(claims(**{claim: value}))
        assert (outcome(tokens().verify, token) is not None) == accepted, value
        assert outcome(tokens().verify, token) == outcome(legacy().verify, token)


def test_time_beyond_what_a_datetime_holds_is_refused() -> None:
    refused(sign(claims(exp=10**15)))
    refused(sign(claims(iat=-(10**15))))


@pytest.mark.parametrize(
    "payload",
    [
        compact(claims()).replace(b'"OWNER"', b'"OWN\xffER"'),  # not UTF-8
        compact(claims()).replace(b'"OWNER"', b'"OWN\xc0\xafER"'),  # overlong encoding
        compact(claims()).replace(b'"OWNER"', b'"\\udcff"'),  # lone surrogate escape
        json.dumps(claims()).encode("utf-16"),  # json.loads would detect and take it
        json.dumps(claims()).encode("utf-32"),
        b"\xef\xbb\xbf" + compact(claims()),  # a byte-order mark
        b"[" * 5000 + b"]" * 5000,
        b'{"x":' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"x":' + b"{" * 2000 + b"}" * 2000 + b"}",
        compact(claims())[:-1] + b',"exp":1' + b"0" * 5000 + b"}",
        compact(claims()).replace(str(NOW + 900).encode(), b"NaN"),
        compact(claims()).replace(str(NOW + 900).encode(), b"Infinity"),
    ],
)
def test_undecodable_claims_are_refused(payload: bytes) -> None:
    refused(sign_raw(compact(HEADER_A), payload))


# -- fuzz: only InvalidToken, never looser than before ---------------------------------------


def test_fuzzed_claim_bytes_raise_only_invalid_token_and_are_never_looser() -> None:
    """Correctly signed tokens around byte-level mutations of the claims JSON."""
    rng = random.Random(20301015)
    original = compact(claims())
    pieces = [
        b"{",
        b"}",
        b"[",
        b"]",
        b'"',
        b"\\",
        b",",
        b":",
        b" ",
        b"0",
        b"1.5",
        b"-",
        b"e9",
        b"null",
        b"\xff",
        b"\\u",
    ]
    new, old = tokens(), legacy()
    for _ in range(3000):
        data = bytearray(original)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(data))
            if rng.random() < 0.5:
                data[at : at + rng.randint(0, 3)] = rng.choice(pieces)
            else:
                data[at] = rng.randrange(256)
        never_looser(sign_raw(compact(HEADER_A), bytes(data)), new, old)


def test_fuzzed_header_bytes_raise_only_invalid_token_and_are_never_looser() -> None:
    rng = random.Random(15)
    original = compact(HEADER_A)
    new, old = tokens(), legacy()
    payload = compact(claims())
    for _ in range(3000):
        data = bytearray(original)
        for _ in range(rng.randint(1, 2)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        never_looser(sign_raw(bytes(data), payload), new, old)


def test_fuzzed_tokens_raise_only_invalid_token() -> None:
    """Random strings shaped more or less like tokens."""
    rng = random.Random(99)
    chars = ALPHABET + "..==+/ \x00é"
    service = tokens()
    for _ in range(3000):
        refused("".join(rng.choice(chars) for _ in range(rng.choice([0, 1, 3, 43, 100, 500, 5000]))), service)


def test_rotated_service_never_looser_than_before_on_mixed_keys() -> None:
    new, old = tokens(KEY_B, (KEY_A,)), legacy(KEY_B, (KEY_A,))
    for key in (KEY_A, KEY_B, generate_secret_key()):
        for kid_key in (KEY_A, KEY_B):
            token = sign(claims(), key=key, header={**HEADER_A, "kid": key_id(kid_key)})
            assert outcome(new.verify, token) == outcome(old.verify, token)
            assert (outcome(new.verify, token) is not None) == (key == kid_key)


def test_clock_is_read_on_every_verify() -> None:
    """No verdict is remembered: the same token stops verifying once the clock passes its expiry."""
    clock = Clock()
    service = JwtAccessTokens(KEY_A, [], LIFETIME, now=clock)
    token = issue(service)
    assert service.verify(token).user_id == USER
    clock.advance(seconds=LIFETIME.total_seconds() + 10)
    refused(token, service)
