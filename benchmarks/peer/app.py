"""The peer: the staff list as a conventional FastAPI + pydantic v2 + SQLAlchemy ORM service.

Not part of the product. `make bench` (benchmarks/run.py) serves it beside the project, one worker
under uvicorn with httptools and uvloop, on the project's database, Redis and access tokens. It is
written the way the frameworks' tutorials write it, with no tuning:

* a FastAPI dependency verifies the Bearer token with pyjwt (HS256, issuer, audience, required
  claims) and requires the OWNER or MANAGER role;
* a second dependency counts the request against a rate limit (EVALSHA of a GCRA script) and
  checks that the session is live (EXISTS), one redis-py call after the other;
* an ``AsyncSession`` per request (a dependency), an ORM ``select`` of the page of ``User``
  objects and a separate ``count``;
* pydantic models built ``from_attributes``, and the route's ``response_model``.

Environment as for the reference: ``DATABASE_URL``, ``REDIS_URL``, ``REDIS_KEY_PREFIX``,
``SECRET_KEY``. Run: ``uvicorn benchmarks.peer.app:create_app --factory``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, ConfigDict
from redis.asyncio import Redis
from sqlalchemy import Boolean, DateTime, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from benchmarks.common import AUDIENCE, GCRA, ISSUER, LIMIT, REQUIRED, WINDOW_MS


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    vendor_id: Mapped[UUID]
    email: Mapped[str] = mapped_column(String(254))
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    credentials_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    vendor_id: UUID
    email: str
    full_name: str
    role: str
    active: bool
    created_at: datetime | None


class StaffPage(BaseModel):
    items: list[UserOut]
    total: int
    limit: int
    offset: int


class Claims(BaseModel):
    sub: UUID
    vid: UUID
    sid: UUID
    role: str


url = os.environ.get("DATABASE_URL", "postgresql+asyncpg://localhost/postgres")
engine = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://"), pool_size=10, max_overflow=0)
Sessions = async_sessionmaker(engine, expire_on_commit=False)
redis = Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
PREFIX = os.environ.get("REDIS_KEY_PREFIX", "")
SECRET = os.environ.get("SECRET_KEY", "")


async def get_session() -> AsyncIterator[AsyncSession]:
    async with Sessions() as session:
        yield session


def current_claims(authorization: Annotated[str, Header()] = "") -> Claims:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(status_code=401, detail="Not authenticated")
    try:
        payload: dict[str, Any] = jwt.decode(
            token, SECRET, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER, options={"require": REQUIRED}
        )
    except jwt.PyJWTError:
        raise HTTPException(status_code=401, detail="Invalid token") from None
    if payload["typ"] != "access":
        raise HTTPException(status_code=401, detail="Invalid token")
    return Claims.model_validate(payload)


def manager(claims: Annotated[Claims, Depends(current_claims)]) -> Claims:
    if claims.role not in ("OWNER", "MANAGER"):
        raise HTTPException(status_code=403, detail="Forbidden")
    return claims


async def rate_limited_session(claims: Annotated[Claims, Depends(manager)]) -> Claims:
    if not await redis.evalsha(app_state["gcra"], 1, f"{PREFIX}peer:{{rl}}:{claims.sub}", LIMIT, WINDOW_MS):
        raise HTTPException(status_code=429, detail="Too many requests")
    if not await redis.exists(f"{PREFIX}{{auth}}:sess:{claims.sid}"):
        raise HTTPException(status_code=401, detail="Session ended")
    return claims


app_state: dict[str, str] = {}


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    app_state["gcra"] = await redis.script_load(GCRA)
    yield
    await redis.aclose()
    await engine.dispose()


def create_app() -> FastAPI:
    app = FastAPI(lifespan=lifespan)

    @app.get("/api/staff", response_model=StaffPage)
    async def list_staff(
        claims: Annotated[Claims, Depends(rate_limited_session)],
        session: Annotated[AsyncSession, Depends(get_session)],
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> StaffPage:
        statement = (
            select(User)
            .where(User.vendor_id == claims.vid)
            .order_by(User.created_at, User.id)
            .limit(limit)
            .offset(offset)
        )
        users = (await session.scalars(statement)).all()
        total = await session.scalar(select(func.count()).select_from(User).where(User.vendor_id == claims.vid))
        return StaffPage(
            items=[UserOut.model_validate(user) for user in users], total=total or 0, limit=limit, offset=offset
        )

    @app.get("/health/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    return app
