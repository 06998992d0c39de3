"""dishka for the HTTP layer, with scopes that cost nothing where they are not used.

No middleware opens a request scope for every request (health checks, 404s and refusals at the
edge build none). A handler says what it needs:

- ``@inject_app``: reads. Query services and read use cases are app-scoped: they come straight
  from the application container; no scope is opened.
- ``@inject``: writes. A request scope is opened around this handler's call only (its session,
  unit of work and repositories), with the Litestar ``Request`` in its context, and closed after.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from inspect import Parameter
from typing import Any, ParamSpec, TypeVar, get_type_hints

from dishka import AsyncContainer, Provider, Scope, provide
from dishka.integrations.base import wrap_injection
from dishka.integrations.litestar import LitestarProvider
from litestar import Litestar, Request

from application.shared.context import Principal
from interfaces.http.auth import AnyRequest, principal_of

P = ParamSpec("P")
T = TypeVar("T")


def _request_parameter(func: Callable[..., Any]) -> list[Parameter]:
    if "request" in get_type_hints(func):
        return []
    return [Parameter(name="request", annotation=Request, kind=Parameter.KEYWORD_ONLY)]


def _request_container(_: Any, kwargs: dict[str, Any]) -> AsyncContainer:
    container: AsyncContainer = kwargs["request"].state.dishka_container
    return container


def _app_container(_: Any, kwargs: dict[str, Any]) -> AsyncContainer:
    container: AsyncContainer = kwargs["request"].app.state.dishka_container
    return container


def inject(func: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """A request scope for this handler's call (writes), with the ``Request`` in its context."""
    injected = wrap_injection(
        func=func,
        is_async=True,
        additional_params=_request_parameter(func),
        container_getter=_request_container,
    )

    async def handler(*args: P.args, **kwargs: P.kwargs) -> T:
        request: AnyRequest = kwargs["request"]  # type: ignore[assignment]
        container: AsyncContainer = request.app.state.dishka_container
        async with container({Request: request}) as scope:
            request.state.dishka_container = scope
            return await injected(*args, **kwargs)

    functools.update_wrapper(handler, injected)
    handler.__signature__ = inspect.signature(injected)  # type: ignore[attr-defined]
    return handler


def inject_app(func: Callable[P, T]) -> Callable[P, T]:
    """App-scoped dependencies only (reads): no scope is opened."""
    return wrap_injection(
        func=func,
        is_async=True,
        additional_params=_request_parameter(func),
        container_getter=_app_container,
    )


def attach_container(container: AsyncContainer, app: Litestar) -> None:
    """What ``inject``, ``inject_app``, the auth middleware and the guards take dependencies from."""
    app.state.dishka_container = container


class HttpProvider(Provider):
    scope = Scope.REQUEST

    @provide
    def principal(self, request: Request) -> Principal:  # type: ignore[type-arg]
        return principal_of(request)


def http_providers() -> list[Provider]:
    return [LitestarProvider(), HttpProvider()]
