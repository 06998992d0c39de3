"""Bearer-token authentication and role guards at the HTTP edge.

The middleware verifies the access token and checks that its session is live, then puts the
``Principal`` into the request scope. Roles are enforced again inside the use cases; the guards
exist so a forbidden role gets 403 before its body is validated (contract section 3's order).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import structlog
from dishka import AsyncContainer
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Guard

from application.shared.access import AccessClaims, AccessTokens, InvalidToken, SessionLiveness
from application.shared.authorizer import Authorizer
from application.shared.circuit_breaker import CircuitBreaker
from application.shared.confirm_access import ConfirmAccess
from application.shared.context import Principal
from application.shared.errors import AuthenticationFailed, DependencyUnavailable
from domain.shared.role import Role
from interfaces.http.request_context import bearer_token, verified_token_of

log = structlog.stdlib.get_logger("flower_vendor.http.auth")

PUBLIC = {"exclude_from_auth": True}
# Paths the bearer middleware never guards: health probes and the API documentation.
AUTH_EXEMPT_PATHS = ("^/health/", "^/schema")
# A route that takes a live access token when there is one and runs without it otherwise (the
# principal is then None): a missing, expired, revoked or forged token is simply not a principal.
OPTIONAL_AUTH = {"optional_auth": True}
AnyRequest = Request[Any, Any, Any]


class InvalidAccessToken(AuthenticationFailed):
    code = "INVALID_TOKEN"

    def __init__(self, message: str = "The access token is missing, invalid, expired or revoked.") -> None:
        super().__init__(message)


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    token = bearer_token(connection.headers.get("authorization"))
    if token is None:
        raise InvalidAccessToken("An `Authorization: Bearer <access token>` header is required.")
    return token


class SessionCheck:
    """Whether an access token's session is live: ``True``, ``False``, or ``None`` when the session
    store cannot tell (down, or an answer that came too late). ``None`` never lets a request
    through on its own: the caller then confirms the account in PostgreSQL (``ConfirmAccess``).

    The store sits behind a ``CircuitBreaker``: after ``failures_to_skip`` failures in a row it is
    left alone for ``retry_interval_seconds`` (every request is confirmed in PostgreSQL meanwhile),
    then one request at a time asks it again. So an outage neither adds a Redis timeout to every
    authenticated request nor writes a warning per request (one ``session_check_degraded`` per
    outage, one ``session_check_restored`` when it ends).
    """

    def __init__(
        self,
        store: Callable[[], Awaitable[SessionLiveness]],
        *,
        failures_to_skip: int = 3,
        retry_interval_seconds: float = 5.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._resolve_store = store
        self._store: SessionLiveness | None = None
        self._breaker = CircuitBreaker(
            DependencyUnavailable,
            failures_to_open=failures_to_skip,
            retry_interval_seconds=retry_interval_seconds,
            now=now,
            on_open=self._degraded,
            on_close=lambda _: log.info("session_check_restored"),
            on_failure=lambda _, failures: log.info("session_check_unanswered", failures=failures),
        )

    @property
    def degraded(self) -> bool:
        return self._breaker.is_open

    async def is_live(self, session_id: UUID) -> bool | None:
        return await self._breaker.call(lambda: self._ask(session_id), _unknown)

    async def _ask(self, session_id: UUID) -> bool | None:
        if self._store is None:  # an APP-scoped singleton: resolved once
            self._store = await self._resolve_store()
        return await self._store.is_live(session_id)

    def _degraded(self, error: Exception) -> None:
        log.warning(
            "session_check_degraded",
            reason="session store unavailable; access is confirmed in PostgreSQL",
            retry_interval_seconds=self._breaker.retry_interval_seconds,
        )


async def _unknown() -> bool | None:
    return None


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        *,
        session_check: SessionCheck,
        confirm_access: Callable[[], Awaitable[ConfirmAccess]],
        **options: Any,
    ) -> None:
        super().__init__(app, **options)
        self._session_check = session_check
        self._resolve_confirm = confirm_access
        self._confirm: ConfirmAccess | None = None

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        # One try around the whole check (free in CPython 3.11 unless it raises): an OPTIONAL_AUTH
        # route turns any refusal into "no principal" instead of a 401.
        try:
            container: AsyncContainer = connection.app.state.dishka_container
            token = _bearer(connection)
            claims: AccessClaims
            live: bool | None = None
            verified = verified_token_of(connection.scope, token)
            if verified is not None:
                claims, live = verified.claims, verified.session_live
            else:
                try:
                    claims = (await container.get(AccessTokens)).verify(token)
                except InvalidToken:
                    raise InvalidAccessToken from None
            if live is None:  # the edge's rate-limit round trip did not already tell
                live = await self._session_check.is_live(claims.session_id)
            if live is False:
                raise InvalidAccessToken
            if live is None:
                # Redis could not confirm the session: the request gets only what PostgreSQL confirms
                # (active account and shop, no credential change since the token, the stored role).
                if self._confirm is None:  # an APP-scoped singleton: resolved once
                    self._confirm = await self._resolve_confirm()
                principal = await self._confirm.principal(claims)
            else:
                try:
                    role = Role(claims.role)
                except ValueError:
                    raise InvalidAccessToken from None
                principal = Principal(
                    user_id=claims.user_id, vendor_id=claims.vendor_id, role=role, session_id=claims.session_id
                )
            structlog.contextvars.bind_contextvars(vendor_id=str(principal.vendor_id), user_id=str(principal.user_id))
            return AuthenticationResult(user=principal, auth=claims)
        except AuthenticationFailed:
            handler = connection.scope.get("route_handler")
            if handler is not None and handler.opt.get("optional_auth"):
                return AuthenticationResult(user=None, auth=None)
            raise


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise InvalidAccessToken
    return user


def optional_principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """On an ``OPTIONAL_AUTH`` route: the principal of a live access token, else None."""
    user = connection.scope.get("user")
    return user if isinstance(user, Principal) else None


def requires(role: Role, action: str) -> Guard:
    """A guard letting ``role`` and the roles that include it through; a refusal is recorded."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = principal_of(connection)
        if principal.role.includes(role):
            return
        # A refusal is rare: only then a request scope is opened, for the audit record.
        container: AsyncContainer = connection.app.state.dishka_container
        async with container({Request: connection}) as scope:
            authorizer = await scope.get(Authorizer)
            await authorizer.require(principal, role, action)  # records the denial, then raises 403

    return guard
