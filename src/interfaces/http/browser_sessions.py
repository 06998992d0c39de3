"""Cookie mode: the refresh token of a browser in an HttpOnly cookie instead of the JSON body.

A browser opts in per request with the header ``X-Session-Mode: cookie`` on ``/api/auth/signup``,
``/login``, ``/refresh`` and ``/logout``. In cookie mode:

- the refresh token travels only in the cookie ``__Secure-fv_refresh`` (``fv_refresh`` under
  ``dev``, which serves plain http): ``HttpOnly; Secure; SameSite=Strict; Path=/api/auth``, so no
  script can read it and the browser sends it to the auth endpoints only; the JSON answers carry
  ``refresh_token: null``;
- the calls are protected against cross-site request forgery twice: the custom header itself (a
  cross-origin page can send it only after a CORS preflight, which only the listed origins pass)
  and an ``Origin`` that must be one of the exactly listed ``CORS_ORIGINS`` (never ``*``);
- a request that carries the refresh cookie to ``/refresh`` or ``/logout`` without the header is
  refused (403 ``CSRF_REJECTED``): the cookie is never used by a request that did not ask for it.

Without the header nothing changes: the JSON-token mode for scripts and mobile clients, where the
refresh token is in the body. The checks run in a guard, so they come before the body is read
(403 before 400). The server enables cookie mode with ``AUTH_COOKIES`` (on under ``dev``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from litestar import Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from application.shared.errors import PermissionDenied
from domain.shared.errors import InvalidValue

SESSION_MODE_HEADER = "x-session-mode"
COOKIE_MODE = "cookie"
COOKIE_PATH = "/api/auth"
SECURE_COOKIE_NAME = "__Secure-fv_refresh"  # the prefix makes browsers refuse it without Secure
PLAIN_COOKIE_NAME = "fv_refresh"  # `dev` only: plain http, where a Secure cookie would not be kept
_STATE_KEY = "browser_sessions"

T = TypeVar("T")


class CsrfRejected(PermissionDenied):
    code = "CSRF_REJECTED"


COOKIE_WITHOUT_HEADER = "This request carries the session cookie without the `X-Session-Mode: cookie` header."
ORIGIN_NOT_LISTED = "Cookie mode answers only the configured browser origins (the `Origin` header)."


class CookieModeDisabled(PermissionDenied):
    code = "COOKIE_MODE_DISABLED"

    def __init__(self) -> None:
        super().__init__("This server does not keep browser sessions in cookies; use the JSON tokens.")


@dataclass(frozen=True, slots=True)
class BrowserSessions:
    """The cookie-mode policy: whether it is enabled, the exact origins it answers, and whether the
    cookie is ``Secure`` (always, except under ``dev`` on plain http)."""

    enabled: bool = False
    origins: frozenset[str] = frozenset()
    secure: bool = True

    @classmethod
    def of(cls, *, enabled: bool, origins: tuple[str, ...], secure: bool) -> BrowserSessions:
        return cls(enabled, frozenset(origin.lower() for origin in origins if origin != "*"), secure)

    @property
    def cookie_name(self) -> str:
        return SECURE_COOKIE_NAME if self.secure else PLAIN_COOKIE_NAME

    def cookie_mode(self, connection: ASGIConnection[Any, Any, Any, Any], *, reads_cookie: bool) -> bool:
        """Whether this request is in cookie mode; raises when it may not be served at all."""
        requested = connection.headers.get(SESSION_MODE_HEADER)
        if requested is None:
            if reads_cookie and self.refresh_cookie(connection) is not None:
                raise CsrfRejected(COOKIE_WITHOUT_HEADER)
            return False
        if requested != COOKIE_MODE:
            raise InvalidValue(
                f"header.{SESSION_MODE_HEADER}", "must be `cookie` (or left out for tokens in the JSON body)"
            )
        if not self.enabled:
            raise CookieModeDisabled
        origin = connection.headers.get("origin")
        if origin is None or origin.lower() not in self.origins:
            raise CsrfRejected(ORIGIN_NOT_LISTED)
        return True

    def refresh_cookie(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
        value = connection.cookies.get(self.cookie_name)
        return value or None

    def _cookie(self, value: str, max_age: int) -> Cookie:
        return Cookie(
            key=self.cookie_name,
            value=value,
            max_age=max_age,
            path=COOKIE_PATH,
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )

    def keep(self, body: T, refresh_token: str, max_age: int, *, status_code: int) -> Response[T]:
        """``body`` with the refresh token set in the cookie."""
        return Response(body, status_code=status_code, cookies=[self._cookie(refresh_token, max_age)])

    def forget(self, status_code: int) -> Response[None]:
        """An empty answer that deletes the cookie."""
        return Response(None, status_code=status_code, cookies=[self._cookie("", 0)])

    def forgetting(self, response: Response[T]) -> Response[T]:
        """``response``, which also deletes the cookie."""
        response.set_cookie(self._cookie("", 0))
        return response


NO_COOKIES = BrowserSessions()


def attach_browser_sessions(state: Any, policy: BrowserSessions) -> None:
    state[_STATE_KEY] = policy


def browser_sessions_of(connection: ASGIConnection[Any, Any, Any, Any]) -> BrowserSessions:
    policy: BrowserSessions = connection.app.state.get(_STATE_KEY, NO_COOKIES)
    return policy


def cookie_mode_guard(*, reads_cookie: bool) -> Guard:
    """Refuses, before the body is read, what cookie mode may not serve (see the module)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        browser_sessions_of(connection).cookie_mode(connection, reads_cookie=reads_cookie)

    return guard
