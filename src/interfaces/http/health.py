"""Liveness and readiness, for orchestrators and load balancers."""

from __future__ import annotations

import msgspec
from dishka import FromDishka
from litestar import Controller, get
from litestar.openapi import ResponseSpec
from litestar.response import Response

from application.health.check_readiness import CheckReadiness
from interfaces.http.di import inject_app


class Liveness(msgspec.Struct, frozen=True):
    status: str


class Readiness(msgspec.Struct, frozen=True):
    status: str
    checks: dict[str, str]


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012 - Litestar declares it as a plain list

    @get("/live", summary="The process is running")
    async def live(self) -> Liveness:
        return Liveness(status="ok")

    @get(
        "/ready",
        summary="Every required dependency answers",
        responses={503: ResponseSpec(data_container=Readiness, description="A required dependency does not answer")},
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
