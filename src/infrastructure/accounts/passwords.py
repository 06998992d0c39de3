"""argon2id password hashing that never runs on the event loop.

Production parameters (the constructor defaults):

* ``memory_cost=65536`` KiB (64 MiB), ``time_cost=3``, ``parallelism=1``, 32-byte tag, 16-byte salt.

Why these. OWASP's Password Storage Cheat Sheet sets the argon2id floor at m=19 MiB, t=2, p=1 (or an
equivalent trade such as m=46 MiB, t=1). 64 MiB and three passes are RFC 9106's second recommended
option ("if much less memory is available": m=2^16 KiB, t=3) and argon2-cffi's own default profile,
so this is roughly 5x the OWASP floor in memory x passes: an attacker's per-guess cost is dominated by
memory bandwidth, which GPUs and ASICs scale worst. Measured on the 2-core development machine a hash
takes ~130 ms, which keeps a login well under a second while throttling and the concurrency limit
below keep the total memory bounded. ``parallelism`` stays 1 on purpose: requests are already spread
over the cores by the worker pool, so lanes inside a hash would only oversubscribe the CPUs
(``parallelism x max_concurrency`` threads) without adding throughput.

Resource bounds. Each argon2 computation holds ``memory_cost`` KiB while it runs. Work goes to a
dedicated ``ThreadPoolExecutor`` with ``max_concurrency`` workers (argon2 releases the GIL, so the
workers run truly in parallel and the event loop keeps serving other requests); that worker count is
the hard cap on simultaneous computations, hence on memory: ``max_concurrency x memory_cost`` KiB,
128 MiB on two cores. An ``asyncio.Semaphore(max_concurrency)`` in front of the pool keeps a flood of
callers waiting on the event loop, where waiting is free and cancelling is clean, instead of piling
up in the executor's unbounded queue.

Timing. ``verify(None, password)`` (unknown e-mail) verifies against a dummy hash made with the same
parameters and always answers False, so it costs the same as a real verification. The dummy is made
lazily on first use (that first unknown-user call pays one extra hash); ``warm_up()`` makes it
eagerly at start-up.

Upgrades. ``needs_rehash`` is true when a stored hash was made with other parameters (or is not a
well-formed argon2 hash at all), so the login use case can re-hash the password it just verified.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

T = TypeVar("T")

DEFAULT_MEMORY_COST = 65_536  # KiB (64 MiB)
DEFAULT_TIME_COST = 3
DEFAULT_PARALLELISM = 1
DEFAULT_HASH_LEN = 32
DEFAULT_SALT_LEN = 16


def default_max_concurrency() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one), else 2."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 2


class Argon2PasswordHasher:
    """``application.accounts.ports.PasswordHasher`` on argon2-cffi, argon2id only."""

    def __init__(
        self,
        *,
        memory_cost: int = DEFAULT_MEMORY_COST,
        time_cost: int = DEFAULT_TIME_COST,
        parallelism: int = DEFAULT_PARALLELISM,
        hash_len: int = DEFAULT_HASH_LEN,
        salt_len: int = DEFAULT_SALT_LEN,
        max_concurrency: int | None = None,
    ) -> None:
        concurrency = default_max_concurrency() if max_concurrency is None else max_concurrency
        if concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            hash_len=hash_len,
            salt_len=salt_len,
            type=argon2.Type.ID,
        )
        self._max_concurrency = concurrency
        self._executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="argon2")
        # asyncio primitives bind to the loop that first waits on them; keep one per running loop so
        # a hasher shared by several loops (tests, embedded servers) never trips over a foreign loop.
        # The executor's worker count stays the process-wide cap either way.
        self._semaphores: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}
        self._semaphores_lock = threading.Lock()
        self._dummy_hash: str | None = None
        self._dummy_lock = threading.Lock()
        self._closed = False

    @property
    def max_concurrency(self) -> int:
        return self._max_concurrency

    @property
    def memory_cost(self) -> int:
        """KiB held by one running computation."""
        return self._hasher.memory_cost

    @property
    def time_cost(self) -> int:
        return self._hasher.time_cost

    @property
    def parallelism(self) -> int:
        return self._hasher.parallelism

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        if password_hash is None:
            return await self._run(self._verify_unknown_user, password)
        return await self._run(self._verify_sync, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except (InvalidHashError, ValueError):
            return True  # not a hash we can parse: replace it with one we can

    async def warm_up(self) -> None:
        """Make the dummy hash now rather than on the first unknown-user login."""
        await self._run(self._get_dummy_hash)

    def close(self) -> None:
        """Stop the worker pool: queued work is cancelled, running computations finish. Idempotent."""
        if not self._closed:
            self._closed = True
            self._executor.shutdown(wait=True, cancel_futures=True)

    # --- runs in the worker threads ---

    def _verify_sync(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError, ValueError):
            # mismatch, a corrupt tag, or a hash that is not argon2 at all: all simply "no"
            return False

    def _verify_unknown_user(self, password: str) -> bool:
        self._verify_sync(self._get_dummy_hash(), password)
        return False

    def _get_dummy_hash(self) -> str:
        dummy = self._dummy_hash
        if dummy is None:
            with self._dummy_lock:
                dummy = self._dummy_hash
                if dummy is None:
                    # a random secret nobody knows; the result is ignored anyway
                    dummy = self._hasher.hash(secrets.token_urlsafe(32))
                    self._dummy_hash = dummy
        return dummy

    # --- event-loop side ---

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            with self._semaphores_lock:
                semaphore = self._semaphores.get(loop)
                if semaphore is None:
                    # forget loops that have been closed so the map does not grow without bound
                    for stale in [known for known in self._semaphores if known.is_closed()]:
                        del self._semaphores[stale]
                    semaphore = asyncio.Semaphore(self._max_concurrency)
                    self._semaphores[loop] = semaphore
        return semaphore

    async def _run(self, func: Callable[..., T], *args: str) -> T:
        if self._closed:
            raise RuntimeError("the password hasher has been closed")
        async with self._semaphore():
            return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)
