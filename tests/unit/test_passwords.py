"""Argon2PasswordHasher: argon2id with the given parameters, off the event loop, behind a limit."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor

import argon2
import pytest
from argon2.low_level import Type

from infrastructure.accounts.passwords import Argon2PasswordHasher

FAST = {"memory_cost": 1024, "time_cost": 1, "parallelism": 1}
PASSWORD = "correct horse battery staple"


@pytest.fixture
async def hasher() -> AsyncIterator[Argon2PasswordHasher]:
    h = Argon2PasswordHasher(**FAST, max_concurrency=2)
    yield h
    h.close()


class VerifySpy:
    """Wraps ``argon2.PasswordHasher.verify`` for the duration of a test: counts calls, records the
    hashes and threads it ran with, tracks how many run at once, optionally slows each call down."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls = 0
        self.hashes: list[str] = []
        self.threads: set[str] = set()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def wrap(self, real: Callable[..., bool]) -> Callable[..., bool]:
        def verify(this: argon2.PasswordHasher, password_hash: str | bytes, password: str | bytes) -> bool:
            with self._lock:
                self.calls += 1
                self.hashes.append(str(password_hash))
                self.threads.add(threading.current_thread().name)
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                if self.delay:
                    time.sleep(self.delay)  # blocks whatever thread runs it, like a real slow hash
                return real(this, password_hash, password)
            finally:
                with self._lock:
                    self.in_flight -= 1

        return verify


@pytest.fixture
def spy_verify(monkeypatch: pytest.MonkeyPatch) -> Callable[..., VerifySpy]:
    def install(delay: float = 0.0) -> VerifySpy:
        spy = VerifySpy(delay)
        monkeypatch.setattr(argon2.PasswordHasher, "verify", spy.wrap(argon2.PasswordHasher.verify))
        return spy

    return install


def _params(password_hash: str) -> argon2.Parameters:
    return argon2.extract_parameters(password_hash)


async def test_hash_is_argon2id_with_the_given_parameters(hasher: Argon2PasswordHasher) -> None:
    password_hash = await hasher.hash(PASSWORD)

    assert password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    params = _params(password_hash)
    assert params.type is Type.ID
    assert (params.memory_cost, params.time_cost, params.parallelism) == (1024, 1, 1)
    assert params.hash_len == 32
    assert params.salt_len == 16


async def test_hashes_are_salted(hasher: Argon2PasswordHasher) -> None:
    assert await hasher.hash(PASSWORD) != await hasher.hash(PASSWORD)


async def test_verify_accepts_the_password_and_rejects_others(hasher: Argon2PasswordHasher) -> None:
    password_hash = await hasher.hash(PASSWORD)

    assert await hasher.verify(password_hash, PASSWORD) is True
    assert await hasher.verify(password_hash, PASSWORD + " ") is False
    assert await hasher.verify(password_hash, PASSWORD.upper()) is False
    assert await hasher.verify(password_hash, "") is False


async def test_verify_handles_non_ascii_passwords(hasher: Argon2PasswordHasher) -> None:
    password = "pässwörd-ñ-🌷-long-enough"
    password_hash = await hasher.hash(password)

    assert await hasher.verify(password_hash, password) is True
    assert await hasher.verify(password_hash, "passwörd-ñ-🌷-long-enough") is False


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "not a hash",
        "$argon2id$",
        "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$",  # no tag
        "$argon2id$v=19$m=1024,t=1,p=1$!!!!$!!!!",  # not base64
        "$2b$12$KIXQJ1bJ1y2Nf3P0mZrY5e4w3pQ6f6l2o9b8Yk3dJxv7aW0cT6D6C",  # bcrypt
        "pbkdf2_sha256$600000$salt$hash",
    ],
)
async def test_verify_is_false_for_malformed_hashes(hasher: Argon2PasswordHasher, malformed: str) -> None:
    assert await hasher.verify(malformed, PASSWORD) is False


async def test_verify_is_false_for_a_tampered_hash(hasher: Argon2PasswordHasher) -> None:
    password_hash = await hasher.hash(PASSWORD)
    head, tag = password_hash.rsplit("$", 1)
    tampered = f"{head}${'A' if tag[0] != 'A' else 'B'}{tag[1:]}"

    assert await hasher.verify(tampered, PASSWORD) is False


async def test_unknown_user_runs_a_real_verification_against_a_dummy_hash(
    hasher: Argon2PasswordHasher, spy_verify: Callable[..., VerifySpy]
) -> None:
    spy = spy_verify()

    assert await hasher.verify(None, PASSWORD) is False
    assert spy.calls == 1
    dummy = spy.hashes[0]
    params = _params(dummy)
    assert params.type is Type.ID
    assert (params.memory_cost, params.time_cost, params.parallelism) == (1024, 1, 1)

    # the dummy is made once and reused; any password, even the empty one, answers False
    assert await hasher.verify(None, "") is False
    assert await hasher.verify(None, PASSWORD) is False
    assert spy.calls == 3
    assert set(spy.hashes) == {dummy}


async def test_unknown_user_makes_the_dummy_hash_only_once_under_concurrency(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hashes = 0
    real_hash = argon2.PasswordHasher.hash

    def counting_hash(this: argon2.PasswordHasher, password: str | bytes, *, salt: bytes | None = None) -> str:
        nonlocal hashes
        hashes += 1
        return real_hash(this, password, salt=salt)

    monkeypatch.setattr(argon2.PasswordHasher, "hash", counting_hash)
    h = Argon2PasswordHasher(**FAST, max_concurrency=4)
    try:
        results = await asyncio.gather(*(h.verify(None, PASSWORD) for _ in range(8)))
    finally:
        h.close()

    assert results == [False] * 8
    assert hashes == 1


async def test_unknown_user_costs_a_real_verification() -> None:
    """An unknown email is verified against a dummy hash made with the very parameters of real
    hashes, so it runs the same argon2 work (checked by what is verified, not by a clock)."""
    h = Argon2PasswordHasher(memory_cost=8192, time_cost=2, parallelism=1, max_concurrency=1)
    verified: list[str] = []
    real_verify = h._verify_sync

    def spy(password_hash: str, password: str) -> bool:
        verified.append(password_hash)
        return real_verify(password_hash, password)

    h._verify_sync = spy  # type: ignore[method-assign]  # every argon2 verification runs through it
    try:
        password_hash = await h.hash(PASSWORD)
        assert await h.verify(None, PASSWORD) is False
        assert await h.verify(password_hash, "wrong password") is False
    finally:
        h.close()

    dummy, real = verified
    assert dummy != password_hash
    parameters = password_hash.split("$")[1:4]  # argon2id, v=19, m=…,t=…,p=…
    assert dummy.split("$")[1:4] == parameters == real.split("$")[1:4]
    assert parameters[2] == "m=8192,t=2,p=1"


async def test_needs_rehash_when_parameters_differ(hasher: Argon2PasswordHasher) -> None:
    password_hash = await hasher.hash(PASSWORD)
    stronger = Argon2PasswordHasher(memory_cost=2048, time_cost=1, parallelism=1, max_concurrency=1)
    more_passes = Argon2PasswordHasher(memory_cost=1024, time_cost=2, parallelism=1, max_concurrency=1)
    try:
        assert hasher.needs_rehash(password_hash) is False
        assert stronger.needs_rehash(password_hash) is True
        assert more_passes.needs_rehash(password_hash) is True
        # and the other way round: a hash made with the new parameters is current for them
        assert stronger.needs_rehash(await stronger.hash(PASSWORD)) is False
    finally:
        stronger.close()
        more_passes.close()


async def test_needs_rehash_for_a_different_argon2_variant(hasher: Argon2PasswordHasher) -> None:
    argon2i = argon2.PasswordHasher(memory_cost=1024, time_cost=1, parallelism=1, type=Type.I).hash(PASSWORD)

    assert hasher.needs_rehash(argon2i) is True


def test_needs_rehash_for_a_malformed_hash() -> None:
    h = Argon2PasswordHasher(**FAST, max_concurrency=1)
    try:
        assert h.needs_rehash("not a hash") is True
    finally:
        h.close()


async def test_concurrency_limit_is_respected(spy_verify: Callable[..., VerifySpy]) -> None:
    spy = spy_verify(delay=0.05)
    h = Argon2PasswordHasher(**FAST, max_concurrency=2)
    try:
        password_hash = await h.hash(PASSWORD)
        results = await asyncio.gather(*(h.verify(password_hash, PASSWORD) for _ in range(6)))
    finally:
        h.close()

    assert results == [True] * 6
    assert spy.calls == 6
    assert spy.max_in_flight == 2


async def test_semaphore_limits_even_with_a_bigger_pool(spy_verify: Callable[..., VerifySpy]) -> None:
    spy = spy_verify(delay=0.05)
    h = Argon2PasswordHasher(**FAST, max_concurrency=2)
    # swap in a wider pool: only the semaphore is left to keep it at two
    h._executor.shutdown()
    h._executor = ThreadPoolExecutor(max_workers=6, thread_name_prefix="argon2-wide")
    try:
        password_hash = await h.hash(PASSWORD)
        await asyncio.gather(*(h.verify(password_hash, PASSWORD) for _ in range(6)))
    finally:
        h.close()

    assert spy.max_in_flight == 2


async def test_hashing_runs_off_the_event_loop(spy_verify: Callable[..., VerifySpy]) -> None:
    spy = spy_verify(delay=0.3)  # a blocking call: would freeze the loop if it ran on it
    h = Argon2PasswordHasher(**FAST, max_concurrency=1)
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    try:
        password_hash = await h.hash(PASSWORD)
        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        ticks = 0
        assert await h.verify(password_hash, PASSWORD) is True
        stop.set()
        await ticking
    finally:
        h.close()

    assert ticks >= 10, ticks  # ~30 expected in 0.3 s; a blocked loop gives 0 or 1
    assert spy.threads
    assert all(name.startswith("argon2") for name in spy.threads)
    assert threading.current_thread().name not in spy.threads


async def test_cancelled_waiters_do_not_leak_permits(spy_verify: Callable[..., VerifySpy]) -> None:
    spy = spy_verify(delay=0.05)
    h = Argon2PasswordHasher(**FAST, max_concurrency=1)
    try:
        password_hash = await h.hash(PASSWORD)
        tasks = [asyncio.create_task(h.verify(password_hash, PASSWORD)) for _ in range(5)]
        await asyncio.sleep(0.01)
        for task in tasks[1:]:
            task.cancel()
        done = await asyncio.gather(*tasks, return_exceptions=True)
        assert done[0] is True
        assert all(isinstance(result, asyncio.CancelledError) for result in done[1:])
        # the limit is intact afterwards: further work still runs, one at a time
        assert await asyncio.gather(*(h.verify(password_hash, PASSWORD) for _ in range(3))) == [True] * 3
    finally:
        h.close()

    assert spy.max_in_flight == 1


async def test_close_stops_the_pool() -> None:
    h = Argon2PasswordHasher(**FAST, max_concurrency=1)
    await h.hash(PASSWORD)
    h.close()
    h.close()  # idempotent

    with pytest.raises(RuntimeError):
        await h.hash(PASSWORD)


def test_production_defaults_meet_owasp() -> None:
    h = Argon2PasswordHasher()
    try:
        # OWASP floor: m=19 MiB, t=2, p=1 for argon2id
        assert h.memory_cost >= 19 * 1024
        assert h.time_cost >= 2
        assert h.parallelism >= 1
        assert h.memory_cost * h.time_cost >= 19 * 1024 * 2
        assert h.max_concurrency >= 1
    finally:
        h.close()


def test_max_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_concurrency"):
        Argon2PasswordHasher(**FAST, max_concurrency=0)
