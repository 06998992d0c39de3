"""Access tokens: round trip, key rotation and the matrix of tokens that must be refused."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from application.shared.access import InvalidToken
from infrastructure.accounts.refresh_tokens import OpaqueRefreshTokens
from infrastructure.config import generate_secret_key, load_settings
from infrastructure.security.jwt_tokens import REQUIRED_CLAIMS, JwtAccessTokens, key_id

KEY_A = generate_secret_key()
KEY_B = generate_secret_key()
T0 = datetime(2030, 1, 15, 12, 0, 0, tzinfo=UTC)
LIFETIME = timedelta(minutes=15)
USER, VENDOR, SESSION = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def tokens(current: str = KEY_A, previous: tuple[str, ...] = (), clock: Clock | None = None) -> JwtAccessTokens:
    return JwtAccessTokens(current, list(previous), LIFETIME, now=clock or Clock())


def issue(service: JwtAccessTokens) -> str:
    return service.issue(user_id=USER, vendor_id=VENDOR, role="OWNER", session_id=SESSION).token


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: Any) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def claims(**changes: Any) -> dict[str, Any]:
    """Valid access claims for T0; ``None`` drops a claim."""
    iat = int(T0.timestamp())
    payload: dict[str, Any] = {
        "iss": "flower-vendor",
        "aud": "flower-vendor-api",
        "sub": str(USER),
        "vid": str(VENDOR),
        "role": "OWNER",
        "sid": str(SESSION),
        "jti": "abc123",
        "typ": "access",
        "iat": iat,
        "nbf": iat,
        "exp": iat + 900,
    }
    payload.update(changes)
    return {name: value for name, value in payload.items() if value is not None}


def sign(payload: Any, *, key: str = KEY_A, header: dict[str, Any] | None = None, digest: str = "sha256") -> str:
    """A token built by hand, so any header and payload can be tried."""
    head = {"alg": "HS256", "typ": "at+jwt", "kid": key_id(key)} if header is None else header
    signing_input = f"{segment(head)}.{segment(payload)}"
    signature = hmac.new(key.encode(), signing_input.encode(), getattr(hashlib, digest)).digest()
    return f"{signing_input}.{b64(signature)}"


def rejected(service: JwtAccessTokens, token: Any) -> None:
    with pytest.raises(InvalidToken):
        service.verify(token)


# -- round trip ------------------------------------------------------------------------------


def test_round_trip() -> None:
    service = tokens()
    issued = service.issue(user_id=USER, vendor_id=VENDOR, role="OWNER", session_id=SESSION)
    assert issued.expires_in == 900
    verified = service.verify(issued.token)
    assert verified.user_id == USER
    assert verified.vendor_id == VENDOR
    assert verified.role == "OWNER"
    assert verified.session_id == SESSION
    assert verified.issued_at == T0
    assert verified.expires_at == T0 + LIFETIME
    assert len(verified.token_id) >= 16


def test_issued_header_and_claims() -> None:
    token = issue(tokens())
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "HS256", "typ": "at+jwt", "kid": key_id(KEY_A)}
    payload = jwt.decode(token, options={"verify_signature": False})
    assert set(payload) == set(REQUIRED_CLAIMS)
    assert payload["typ"] == "access"
    assert payload["iss"] == "flower-vendor"
    assert payload["aud"] == "flower-vendor-api"
    assert payload["nbf"] == payload["iat"] == int(T0.timestamp())
    assert payload["exp"] == payload["iat"] + 900


def test_kid_does_not_reveal_the_key() -> None:
    kid = key_id(KEY_A)
    assert len(kid) == 16
    assert kid == hashlib.sha256(KEY_A.encode()).hexdigest()[:16]
    assert kid not in KEY_A
    assert KEY_A not in repr(tokens())


def test_every_token_has_its_own_jti() -> None:
    service = tokens()
    assert service.verify(issue(service)).token_id != service.verify(issue(service)).token_id


def test_hand_built_valid_token_is_accepted() -> None:
    """The helpers below build valid tokens, so each rejection is due to the one change made."""
    assert tokens().verify(sign(claims())).user_id == USER


def test_from_settings() -> None:
    settings = load_settings(
        {
            "ENVIRONMENT": "test",
            "SECRET_KEY": KEY_B,
            "SECRET_KEY_PREVIOUS": KEY_A,
            "DATABASE_URL": "postgresql://user@db.invalid/app",
            "REDIS_URL": "redis://redis.invalid:6379/0",
            "ACCESS_TOKEN_EXPIRE_MINUTES": "5",
        }
    )
    service = JwtAccessTokens.from_settings(settings)
    issued = service.issue(user_id=USER, vendor_id=VENDOR, role="STAFF", session_id=SESSION)
    assert issued.expires_in == 300
    assert jwt.get_unverified_header(issued.token)["kid"] == key_id(KEY_B)
    assert service.verify(issued.token).role == "STAFF"
    old = JwtAccessTokens(KEY_A, [], LIFETIME)
    assert service.verify(issue(old)).user_id == USER


@pytest.mark.parametrize(
    "arguments",
    [
        {"secret_key": "", "previous_keys": [], "lifetime": LIFETIME},
        {"secret_key": KEY_A, "previous_keys": [], "lifetime": timedelta(0)},
        {"secret_key": KEY_A, "previous_keys": [], "lifetime": LIFETIME, "leeway_seconds": -1},
    ],
)
def test_constructor_refuses_nonsense(arguments: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        JwtAccessTokens(**arguments)


# -- key rotation ----------------------------------------------------------------------------


def test_previous_key_still_verifies() -> None:
    old_token = issue(tokens(KEY_A))
    rotated = tokens(KEY_B, previous=(KEY_A,))
    assert rotated.verify(old_token).session_id == SESSION
    new_token = issue(rotated)
    assert jwt.get_unverified_header(new_token)["kid"] == key_id(KEY_B)  # previous keys never sign
    rejected(tokens(KEY_A), new_token)


def test_retired_key_no_longer_verifies() -> None:
    rejected(tokens(KEY_B), issue(tokens(KEY_A)))
    rejected(tokens(KEY_B, previous=(generate_secret_key(),)), issue(tokens(KEY_A)))


def test_kid_of_a_previous_key_with_the_current_signature_is_refused() -> None:
    """The kid picks the key: a token naming key A must be signed with key A."""
    forged = sign(claims(), key=KEY_B, header={"alg": "HS256", "typ": "at+jwt", "kid": key_id(KEY_A)})
    rejected(tokens(KEY_B, previous=(KEY_A,)), forged)


# -- the rejected-token matrix ---------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_is_refused(alg: str) -> None:
    header = {"alg": alg, "typ": "at+jwt", "kid": key_id(KEY_A)}
    unsigned = f"{segment(header)}.{segment(claims())}."
    rejected(tokens(), unsigned)
    rejected(tokens(), unsigned[:-1])  # without the trailing dot too


def test_hs512_is_refused_even_with_the_right_key() -> None:
    token = jwt.encode(claims(), KEY_A.encode(), algorithm="HS512", headers={"kid": key_id(KEY_A), "typ": "at+jwt"})
    rejected(tokens(), token)
    rejected(tokens(), sign(claims(), header={"alg": "HS512", "typ": "at+jwt", "kid": key_id(KEY_A)}, digest="sha512"))


@pytest.mark.parametrize("alg", ["RS256", "ES256", "PS256", "EdDSA", "HS384", "hs256", ""])
def test_other_algorithms_are_refused(alg: str) -> None:
    """Algorithm confusion: an RS-looking header with an HMAC signature over the shared key."""
    rejected(tokens(), sign(claims(), header={"alg": alg, "typ": "at+jwt", "kid": key_id(KEY_A)}))


def test_missing_alg_is_refused() -> None:
    rejected(tokens(), sign(claims(), header={"typ": "at+jwt", "kid": key_id(KEY_A)}))


def test_wrong_signature_is_refused() -> None:
    forged = sign(claims(), key=generate_secret_key(), header={"alg": "HS256", "typ": "at+jwt", "kid": key_id(KEY_A)})
    rejected(tokens(), forged)


def test_tampered_payload_is_refused() -> None:
    header, _, signature = issue(tokens()).split(".")
    elevated = segment(claims(role="PLATFORM_ADMIN"))
    rejected(tokens(), f"{header}.{elevated}.{signature}")


def test_truncated_or_missing_signature_is_refused() -> None:
    token = issue(tokens())
    rejected(tokens(), token[:-4])
    rejected(tokens(), token.rsplit(".", 1)[0] + ".")
    rejected(tokens(), token.rsplit(".", 1)[0])


def test_non_canonical_base64_spelling_is_refused() -> None:
    """The signature's last character carries 2 spare bits: flipping one decodes to the same bytes."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    token = issue(tokens())
    twin = token[:-1] + alphabet[alphabet.index(token[-1]) ^ 1]
    assert base64.urlsafe_b64decode(twin.split(".")[2] + "=") == base64.urlsafe_b64decode(token.split(".")[2] + "=")
    rejected(tokens(), twin)
    rejected(tokens(), token + "=")
    rejected(tokens(), token.replace(".", ".=", 1))


def test_unknown_kid_is_refused() -> None:
    other = generate_secret_key()
    rejected(tokens(), sign(claims(), key=other))  # correctly signed with a key the service doesn't know
    rejected(tokens(), sign(claims(), header={"alg": "HS256", "typ": "at+jwt", "kid": "0000000000000000"}))


@pytest.mark.parametrize("kid", [None, 1234, ["x"], ""])
def test_missing_or_malformed_kid_is_refused(kid: Any) -> None:
    header: dict[str, Any] = {"alg": "HS256", "typ": "at+jwt"}
    if kid is not None:
        header["kid"] = kid
    rejected(tokens(), sign(claims(), header=header))


def test_missing_kid_refused_even_when_pyjwt_signs_it() -> None:
    rejected(tokens(), jwt.encode(claims(), KEY_A.encode(), algorithm="HS256", headers={"typ": "at+jwt"}))


@pytest.mark.parametrize("aud", ["other-api", ["other-api"], ["flower-vendor-api", "other-api"], ""])
def test_wrong_audience_is_refused(aud: Any) -> None:
    rejected(tokens(), sign(claims(aud=aud)))


@pytest.mark.parametrize("iss", ["someone-else", "flower-vendor ", "", 42])
def test_wrong_issuer_is_refused(iss: Any) -> None:
    rejected(tokens(), sign(claims(iss=iss)))


def test_service_with_another_audience_refuses() -> None:
    token = issue(tokens())
    rejected(JwtAccessTokens(KEY_A, [], LIFETIME, audience="admin-api", now=Clock()), token)
    rejected(JwtAccessTokens(KEY_A, [], LIFETIME, issuer="other-issuer", now=Clock()), token)


def test_expired_token_is_refused() -> None:
    clock = Clock()
    service = tokens(clock=clock)
    token = issue(service)
    clock.advance(minutes=15, seconds=9)  # within the leeway
    assert service.verify(token).user_id == USER
    clock.advance(seconds=2)
    rejected(service, token)
    clock.advance(days=365)
    rejected(service, token)


def test_token_from_the_future_is_refused() -> None:
    clock = Clock(T0 + timedelta(minutes=1))
    token = issue(tokens(clock=clock))  # iat = nbf = T0 + 60 s
    rejected(tokens(clock=Clock(T0)), token)
    assert tokens(clock=Clock(T0 + timedelta(seconds=55))).verify(token).user_id == USER  # within the leeway


def test_nbf_in_the_future_beyond_leeway_is_refused() -> None:
    rejected(tokens(), sign(claims(nbf=int(T0.timestamp()) + 11)))
    assert tokens().verify(sign(claims(nbf=int(T0.timestamp()) + 9))).user_id == USER


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_each_required_claim_is_required(claim: str) -> None:
    rejected(tokens(), sign(claims(**{claim: None})))


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": "tomorrow"},
        {"exp": True},
        {"iat": [1]},
        {"nbf": {"x": 1}},
        {"exp": 1e400},
        {"exp": 10**30},
        {"exp": 10**400},
        {"iat": -(10**400)},
        {"nbf": float("nan")},
    ],
    ids=[
        "exp-text",
        "exp-bool",
        "iat-list",
        "nbf-object",
        "exp-inf",
        "exp-huge",
        "exp-beyond-float",
        "iat-tiny",
        "nbf-nan",
    ],
)
def test_malformed_times_are_refused(changes: dict[str, Any]) -> None:
    rejected(tokens(), sign(claims(**changes)))


@pytest.mark.parametrize("claim", ["sub", "vid", "sid"])
@pytest.mark.parametrize(
    "value",
    ["not-a-uuid", "", 12345, "12345678123456781234567812345678", "{" + str(uuid.UUID(int=1)) + "}"],
    ids=["text", "empty", "number", "hex", "braces"],
)
def test_malformed_uuids_are_refused(claim: str, value: Any) -> None:
    rejected(tokens(), sign(claims(**{claim: value})))


def test_uppercase_uuid_is_refused() -> None:
    rejected(tokens(), sign(claims(sub=str(USER).upper())))


@pytest.mark.parametrize("changes", [{"role": ""}, {"role": 7}, {"jti": ""}, {"jti": 99}])
def test_malformed_role_or_jti_is_refused(changes: dict[str, Any]) -> None:
    rejected(tokens(), sign(claims(**changes)))


@pytest.mark.parametrize("typ", ["refresh", "Access", "id", "", 1])
def test_other_token_types_are_refused(typ: Any) -> None:
    rejected(tokens(), sign(claims(typ=typ)))


@pytest.mark.parametrize("header_typ", [None, "JWT", "refresh+jwt"])
def test_other_header_types_are_refused(header_typ: str | None) -> None:
    header: dict[str, Any] = {"alg": "HS256", "kid": key_id(KEY_A)}
    if header_typ is not None:
        header["typ"] = header_typ
    rejected(tokens(), sign(claims(), header=header))


def test_critical_extensions_are_refused() -> None:
    header = {"alg": "HS256", "typ": "at+jwt", "kid": key_id(KEY_A), "crit": ["b64"], "b64": True}
    rejected(tokens(), sign(claims(), header=header))


def test_refresh_token_is_not_an_access_token() -> None:
    refresh = OpaqueRefreshTokens().new()
    rejected(tokens(), refresh.token)
    rejected(tokens(), refresh.token_hash)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "a.b",
        "a.b.c",
        "a.b.c.d",
        "...",
        "Bearer x.y.z",
        "ü.ü.ü",
        "\x00.\x00.\x00",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.",
        f"{b64(b'not json')}.{segment(claims())}.{b64(b'sig')}",
        f"{segment(['a', 'list'])}.{segment(claims())}.{b64(b'sig')}",
        f"{segment({'alg': 'HS256', 'typ': 'at+jwt', 'kid': key_id(KEY_A)})}.{b64(b'[[[[')}.{b64(b'sig')}",
        f"{b64(b'[' * 1400)}.{b64(b'[' * 1400)}.",  # deeply nested JSON, under the length cap
        "x" * 100_000,
    ],
)
def test_garbage_is_refused(token: str) -> None:
    rejected(tokens(), token)


@pytest.mark.parametrize("payload", [["a", "list"], "text", 42, None])
def test_non_object_payload_is_refused(payload: Any) -> None:
    rejected(tokens(), sign(payload))


@pytest.mark.parametrize("value", [None, b"bytes.token.here", 42, object()])
def test_non_string_input_is_refused(value: Any) -> None:
    rejected(tokens(), value)


WEIRD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    10**400,
    -(10**400),
    1e308,
    float("nan"),
    "",
    "x",
    "\udcff",
    "\U0001d518",  # a non-BMP character
    [],
    {},
    [str(USER)],
    {"sub": str(USER)},
    str(USER),
    "flower-vendor",
    "flower-vendor-api",
    "access",
    int(T0.timestamp()),
]


def test_fuzzed_claims_and_headers_raise_only_invalid_token() -> None:
    """Correctly signed tokens with odd values anywhere: verify answers claims or InvalidToken, nothing else."""
    rng = random.Random(20300115)
    service = tokens()
    for _ in range(3000):
        payload = claims()
        for claim in rng.sample(sorted(payload), rng.randint(1, 3)):
            payload[claim] = rng.choice(WEIRD_VALUES)
        header: dict[str, Any] = {"alg": "HS256", "typ": "at+jwt", "kid": key_id(KEY_A)}
        if rng.random() < 0.2:
            header[rng.choice(["alg", "typ", "kid", "crit", "b64", "x5u"])] = rng.choice(WEIRD_VALUES)
        try:
            token = sign(payload, header=header)
        except (ValueError, UnicodeEncodeError):
            continue  # json cannot encode it (lone surrogate): nothing to send
        with contextlib.suppress(InvalidToken):
            service.verify(token)


def test_fuzzed_bytes_raise_only_invalid_token() -> None:
    rng = random.Random(7)
    original = issue(tokens())
    service = tokens()
    for _ in range(3000):
        chars = list(original)
        for _ in range(rng.randint(1, 4)):
            chars[rng.randrange(len(chars))] = rng.choice("AZaz09-_.=+/ \x00é")
        mutated = "".join(chars)
        if mutated == original:  # every replacement happened to put back the same character
            continue
        with pytest.raises(InvalidToken):
            service.verify(mutated)
