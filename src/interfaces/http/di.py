"""What the HTTP layer adds to the container: who is calling, and from where."""

from __future__ import annotations

from dishka import Provider, Scope, provide
from dishka.integrations.litestar import LitestarProvider
from litestar import Request

from application.shared.context import Principal, RequestMeta
from interfaces.http.auth import principal_of
from interfaces.http.client_address import client_bucket
from interfaces.http.request_context import client_ip_of, request_id_of


class HttpProvider(Provider):
    scope = Scope.REQUEST

    @provide
    def request_meta(self, request: Request) -> RequestMeta:  # type: ignore[type-arg]
        client_ip = client_ip_of(request.scope) or "unknown"
        return RequestMeta(
            client_ip=client_ip,
            client_key=client_bucket(client_ip),
            request_id=request_id_of(request.scope) or "unknown",
        )

    @provide
    def principal(self, request: Request) -> Principal:  # type: ignore[type-arg]
        return principal_of(request)


def http_providers() -> list[Provider]:
    return [LitestarProvider(), HttpProvider()]
