"""The dishka container: request-scoped sessions that are always closed, overridable providers."""

from __future__ import annotations

from dishka import Provider, Scope, provide
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from application.health.check_readiness import CheckReadiness
from application.shared.unit_of_work import UnitOfWork
from infrastructure.config import load_settings
from infrastructure.di.container import make_container


async def test_session_is_request_scoped_and_returned_to_the_pool(service_environ: dict[str, str]) -> None:
    container = make_container(load_settings(service_environ))
    try:
        engine = await container.get(AsyncEngine)
        async with container() as request:
            session = await request.get(AsyncSession)
            assert await request.get(AsyncSession) is session  # one session per request
            assert await session.scalar(text("SELECT 1")) == 1
            assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        async with container() as other:
            assert await other.get(AsyncSession) is not session
    finally:
        await container.close()


async def test_uncommitted_work_is_rolled_back_when_the_scope_closes(service_environ: dict[str, str]) -> None:
    container = make_container(load_settings(service_environ))
    try:
        async with container() as request:
            session = await request.get(AsyncSession)
            await session.execute(text("CREATE TEMP TABLE IF NOT EXISTS scratch (n int)"))
            await session.execute(
                text(
                    "INSERT INTO vendors (id, name, slug, timezone, currency, country, created_at, updated_at) "
                    "VALUES (gen_random_uuid(), 'Rollback', 'rollback-check', 'UTC', 'EUR', 'NL', now(), now())"
                )
            )
        async with container() as request:
            session = await request.get(AsyncSession)
            count = await session.scalar(text("SELECT count(*) FROM vendors WHERE slug = 'rollback-check'"))
        assert count == 0
    finally:
        await container.close()


async def test_unit_of_work_commits_explicitly(service_environ: dict[str, str]) -> None:
    container = make_container(load_settings(service_environ))
    try:
        async with container() as request:
            session = await request.get(AsyncSession)
            uow = await request.get(UnitOfWork)  # type: ignore[type-abstract]
            await session.execute(
                text(
                    "INSERT INTO vendors (id, name, slug, timezone, currency, country, created_at, updated_at) "
                    "VALUES (gen_random_uuid(), 'Commit', 'commit-check', 'UTC', 'EUR', 'NL', now(), now())"
                )
            )
            await uow.commit()
        async with container() as request:
            session = await request.get(AsyncSession)
            assert await session.scalar(text("SELECT count(*) FROM vendors WHERE slug = 'commit-check'")) == 1
            await session.execute(text("DELETE FROM vendors WHERE slug = 'commit-check'"))
            await session.commit()
    finally:
        await container.close()


class _ReadyAlways:
    name = "stub"
    required = True

    def known_status(self) -> None:
        return None

    async def check(self) -> object:
        from application.health.ports import ProbeStatus

        return ProbeStatus.OK


class _OverrideReadiness(Provider):
    @provide(scope=Scope.APP)
    def readiness(self) -> CheckReadiness:
        return CheckReadiness([_ReadyAlways()])  # type: ignore[list-item]


async def test_extra_providers_override_defaults(service_environ: dict[str, str]) -> None:
    container = make_container(load_settings(service_environ), _OverrideReadiness())
    try:
        report = await (await container.get(CheckReadiness)).execute()
        assert report.checks == {"stub": "ok"}
    finally:
        await container.close()


async def test_closing_the_container_disposes_the_engine(service_environ: dict[str, str]) -> None:
    container = make_container(load_settings(service_environ))
    engine = await container.get(AsyncEngine)
    async with container() as request:
        await (await request.get(AsyncSession)).execute(text("SELECT 1"))
    assert engine.pool.checkedin() == 1  # type: ignore[attr-defined]
    await container.close()
    assert engine.pool.checkedin() == 0  # type: ignore[attr-defined]
