"""The lean reference: the irreducible work of an authenticated staff list, and nothing else.

Not part of the product. `make bench` (benchmarks/run.py) serves it beside the project, one worker
under uvicorn with httptools and uvloop, on the project's own database, Redis and access tokens,
so that what separates the two figures is what the project does on top of this work:

* Litestar, one route, no middleware, no DI container, no ORM;
* ``Authorization: Bearer``: pyjwt verifies HS256, issuer, audience and the required claims of the
  project's own access tokens (signed with the same ``SECRET_KEY``), then the role must be
  OWNER or MANAGER;
* Redis, one round trip: EVALSHA of a GCRA rate-limit script and EXISTS of the session's key (the
  project's key layout), sent together in one redis-py pipeline;
* PostgreSQL, one asyncpg query: a page of the vendor's ``users`` with ``count(*) OVER ()``;
* msgspec: the page encoded as the project encodes it (the same fields).

Environment: ``DATABASE_URL`` (postgresql+asyncpg:// or postgresql://), ``REDIS_URL``,
``REDIS_KEY_PREFIX``, ``SECRET_KEY``. Run: ``uvicorn benchmarks.reference.app:create_app --factory``.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import jwt
import msgspec
from litestar import Litestar, Request, get
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException, TooManyRequestsException
from redis.asyncio import Redis

from benchmarks.common import AUDIENCE, GCRA, ISSUER, LIMIT, REQUIRED, WINDOW_MS

PAGE = """
SELECT id, vendor_id, email, full_name, role, active, created_at, count(*) OVER () AS total
FROM users WHERE vendor_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3
"""


class UserOut(msgspec.Struct, frozen=True):
    id: UUID
    vendor_id: UUID
    email: str
    full_name: str
    role: str
    active: bool
    created_at: datetime | None


class StaffPage(msgspec.Struct, frozen=True):
    items: list[UserOut]
    total: int
    limit: int
    offset: int


class State:
    pool: asyncpg.Pool
    redis: Redis
    gcra_sha: str


STATE = State()
KEY = os.environ.get("SECRET_KEY", "").encode()
PREFIX = os.environ.get("REDIS_KEY_PREFIX", "")


def _claims(request: Request[Any, Any, Any]) -> dict[str, Any]:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException()
    try:
        claims: dict[str, Any] = jwt.decode(
            token, KEY, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER, options={"require": REQUIRED}
        )
    except jwt.PyJWTError:
        raise NotAuthorizedException() from None
    if claims["typ"] != "access":
        raise NotAuthorizedException()
    return claims


async def _admit(claims: dict[str, Any]) -> None:
    """The rate-limit count and the session check, in one round trip."""
    async with STATE.redis.pipeline(transaction=False) as pipe:
        pipe.evalsha(STATE.gcra_sha, 1, f"{PREFIX}ref:{{rl}}:{claims['sub']}", LIMIT, WINDOW_MS)
        pipe.exists(f"{PREFIX}{{auth}}:sess:{claims['sid']}")
        admitted, live = await pipe.execute()
    if not live:
        raise NotAuthorizedException()
    if not admitted:
        raise TooManyRequestsException()


@get("/api/staff")
async def list_staff(request: Request[Any, Any, Any], limit: int = 50, offset: int = 0) -> StaffPage:
    claims = _claims(request)
    if claims["role"] not in ("OWNER", "MANAGER"):
        raise PermissionDeniedException()
    await _admit(claims)
    limit, offset = max(1, min(limit, 100)), max(0, offset)
    rows = await STATE.pool.fetch(PAGE, UUID(claims["vid"]), limit, offset)
    items = [UserOut(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]
    return StaffPage(items, rows[0][7] if rows else 0, limit, offset)


@get("/health/ready")
async def ready() -> dict[str, str]:
    return {"status": "ready"}


async def _start() -> None:
    url = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    STATE.pool = await asyncpg.create_pool(url, min_size=1, max_size=10)
    STATE.redis = Redis.from_url(os.environ["REDIS_URL"])
    STATE.gcra_sha = await STATE.redis.script_load(GCRA)


async def _stop() -> None:
    await STATE.pool.close()
    await STATE.redis.aclose()


def create_app() -> Litestar:
    return Litestar([list_staff, ready], on_startup=[_start], on_shutdown=[_stop], openapi_config=None)
