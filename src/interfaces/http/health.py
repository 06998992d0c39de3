"""Liveness and readiness, for orchestrators and load balancers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import msgspec
from dishka import FromDishka
from litestar import Controller, get
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.response import Response

from application.health.check_readiness import CheckReadiness
from interfaces.http.di import inject_app


class Liveness(msgspec.Struct, frozen=True):
    status: str

    EXAMPLE: ClassVar[Mapping[str, Any]] = {"status": "ok"}


class Readiness(msgspec.Struct, frozen=True):
    status: str
    checks: dict[str, str]  # each dependency's probe: ok, degraded, down or not_configured

    EXAMPLE: ClassVar[Mapping[str, Any]] = {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
    UNAVAILABLE_EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "status": "unavailable",
        "checks": {"database": "down", "redis": "ok"},
    }


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012 - Litestar declares it as a plain list

    @get("/live", summary="The process is running")
    async def live(self) -> Liveness:
        return Liveness(status="ok")

    @get(
        "/ready",
        summary="Every required dependency answers",
        responses={
            503: ResponseSpec(
                data_container=Readiness,
                description="A required dependency does not answer",
                examples=[Example(summary="The database is down", value=Readiness.UNAVAILABLE_EXAMPLE)],
            )
        },
    )
    @inject_app
    async def ready(self, check: FromDishka[CheckReadiness]) -> Response[Readiness]:
        report = await check.execute()
        status = "ok" if report.ready else "unavailable"
        return Response(
            Readiness(status=status, checks=report.checks),
            status_code=200 if report.ready else 503,
            headers=None if report.ready else {"Retry-After": "5"},
        )
