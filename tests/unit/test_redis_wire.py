"""The hot path's own command packing writes exactly the bytes redis-py would."""

from __future__ import annotations

import random

import pytest
from redis.asyncio.connection import Connection

from infrastructure.redis.round_trips import pack


def _argument(rng: random.Random) -> str | bytes | int | float:
    kind = rng.randrange(5)
    if kind == 0:
        return "".join(rng.choice("abcXYZ{}:é€\u2028 ") for _ in range(rng.randrange(0, 40)))
    if kind == 1:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40)))
    if kind == 2:
        return rng.randrange(-(10**12), 10**12)
    if kind == 3:
        return rng.uniform(-1e9, 1e9)
    return rng.choice([0, -1, 0.5, 1e-7, 1700000000.25])


def test_pack_matches_redis_py_byte_for_byte() -> None:
    rng = random.Random(20261201)
    connection = Connection()
    for _ in range(500):
        commands = tuple(
            (rng.choice(["EVALSHA", "EXISTS", "GET"]), *(_argument(rng) for _ in range(rng.randrange(0, 8))))
            for _ in range(rng.randrange(1, 4))
        )
        assert pack(commands) == b"".join(connection.pack_commands(commands))


@pytest.mark.parametrize("argument", [True, None, object(), ["nested"]])
def test_pack_refuses_what_is_not_a_redis_argument(argument: object) -> None:
    with pytest.raises(TypeError):
        pack((("SET", "key", argument),))  # type: ignore[arg-type]
