"""`/api/auth`: signup, login, refresh, logout, who am I (and one's own name), change password."""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from dishka import FromDishka
from litestar import Controller, Response, get, patch, post
from litestar.params import HeaderParameter, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.accounts.change_password import ChangePassword, ChangePasswordCommand
from application.accounts.login import Login, LoginCommand
from application.accounts.logout import Logout
from application.accounts.logout_everywhere import LogoutEverywhere
from application.accounts.refresh import Refresh
from application.accounts.sessions import TokenPair
from application.accounts.signup import SignUpAndLogIn, SignUpCommand
from application.accounts.update_profile import UpdateProfile, UpdateProfileCommand
from application.accounts.views import MeOut, UserOut, VendorOut
from application.accounts.who_am_i import WhoAmI
from application.shared.context import Principal
from application.shared.errors import AuthenticationFailed, InvalidRefreshToken
from domain.shared.errors import InvalidValue
from interfaces.http.accounts.schemas import (
    ChangePasswordIn,
    LoginIn,
    LogoutIn,
    ProfilePatchIn,
    RefreshIn,
    SignupIn,
    SignupOut,
    TokensOut,
)
from interfaces.http.auth import OPTIONAL_AUTH, PUBLIC, AnyRequest, optional_principal_of, principal_of
from interfaces.http.browser_sessions import COOKIE_MODE, SESSION_MODE_HEADER, browser_sessions_of, cookie_mode_guard
from interfaces.http.di import inject, inject_app
from interfaces.http.errors import handle_application

T = TypeVar("T")


def _tokens(pair: TokenPair, *, cookie_mode: bool) -> TokensOut:
    return TokensOut(
        access_token=pair.access_token,
        refresh_token=None if cookie_mode else pair.refresh_token,
        token_type=pair.token_type,
        expires_in=pair.expires_in,
        refresh_expires_in=pair.refresh_expires_in,
    )


def _answer(request: AnyRequest, body: T, pair: TokenPair, *, cookie_mode: bool, status_code: int) -> Response[T]:
    if cookie_mode:
        return browser_sessions_of(request).keep(
            body, pair.refresh_token, pair.refresh_expires_in, status_code=status_code
        )
    return Response(body, status_code=status_code)


# The header that selects cookie mode, as the OpenAPI document shows it; the guard has already
# refused any other value (and checked the Origin) before the handler runs.
SessionMode = Annotated[
    Literal["cookie"] | None,
    HeaderParameter(
        name="X-Session-Mode",
        required=False,
        description=(
            "`cookie`: browser cookie mode (the refresh token in an HttpOnly cookie, `Origin` checked);"
            " leave it out for tokens in the JSON body."
        ),
    ),
]


_COOKIE_MODE_NOTE = (
    " With `X-Session-Mode: cookie` (browsers, cookie mode) the refresh token is set in an HttpOnly"
    " cookie and the body's `refresh_token` is null; the `Origin` must be one of the configured origins."
)


def _refused_refresh(request: AnyRequest, exc: Exception) -> Response[bytes]:
    """A refresh refused as unauthenticated (401): the problem JSON; in cookie mode it also deletes
    the cookie, whose token opens nothing any more (spent, revoked, expired or never issued)."""
    answer = handle_application(request, exc)
    if request.headers.get(SESSION_MODE_HEADER) == COOKIE_MODE:
        return browser_sessions_of(request).forgetting(answer)
    return answer


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]  # noqa: RUF012 - Litestar declares it as a plain list

    @post(
        "/signup",
        status_code=HTTP_201_CREATED,
        opt={**PUBLIC, "problems": (409,)},
        guards=[cookie_mode_guard(reads_cookie=False)],
        summary="Sign up a shop and its owner, logged in",
        description="The owner is logged in: `tokens` is the pair a login answers." + _COOKIE_MODE_NOTE,
    )
    @inject
    async def signup(
        self,
        request: AnyRequest,
        data: JSONBody[SignupIn],
        use_case: FromDishka[SignUpAndLogIn],
        session_mode: SessionMode = None,
    ) -> Response[SignupOut]:
        cookie_mode = session_mode == COOKIE_MODE
        result = await use_case.execute(
            SignUpCommand(
                vendor_name=data.vendor_name,
                vendor_slug=data.vendor_slug,
                timezone=data.timezone,
                currency=data.currency,
                country=data.country,
                email=data.email,
                password=data.password,
                full_name=data.full_name,
            )
        )
        body = SignupOut(
            vendor=VendorOut.of(result.vendor),
            user=UserOut.of(result.user),
            tokens=_tokens(result.tokens, cookie_mode=cookie_mode),
        )
        return _answer(request, body, result.tokens, cookie_mode=cookie_mode, status_code=HTTP_201_CREATED)

    @post(
        "/login",
        status_code=HTTP_200_OK,
        opt={**PUBLIC, "problems": (401,)},
        guards=[cookie_mode_guard(reads_cookie=False)],
        summary="Exchange email and password for tokens",
        description="A wrong email or password: 401 `INVALID_CREDENTIALS`." + _COOKIE_MODE_NOTE,
    )
    @inject
    async def login(
        self,
        request: AnyRequest,
        data: JSONBody[LoginIn],
        use_case: FromDishka[Login],
        session_mode: SessionMode = None,
    ) -> Response[TokensOut]:
        cookie_mode = session_mode == COOKIE_MODE
        pair = await use_case.execute(LoginCommand(email=data.email, password=data.password))
        return _answer(
            request, _tokens(pair, cookie_mode=cookie_mode), pair, cookie_mode=cookie_mode, status_code=HTTP_200_OK
        )

    @post(
        "/refresh",
        status_code=HTTP_200_OK,
        opt={**PUBLIC, "problems": (401,)},
        guards=[cookie_mode_guard(reads_cookie=True)],
        exception_handlers={AuthenticationFailed: _refused_refresh},
        summary="Rotate a refresh token",
        description=(
            "JSON-token mode: the body's `refresh_token`. Cookie mode (`X-Session-Mode: cookie`): no body;"
            " the HttpOnly cookie is read and replaced, the `Origin` must be a configured one, and a request"
            " that carries the cookie without the header is 403 `CSRF_REJECTED`. The token just spent may be"
            " presented again for a few seconds (`REFRESH_REUSE_GRACE_SECONDS`) and gets the same new one, so"
            " two tabs refreshing at once stay logged in; a later reuse ends the session (401). In cookie mode"
            " a refused refresh (401) also deletes the cookie, so the browser stops presenting a token that"
            " opens nothing; any other refusal (403, 429, 503) leaves it."
        ),
    )
    @inject
    async def refresh(
        self,
        request: AnyRequest,
        use_case: FromDishka[Refresh],
        data: JSONBody[RefreshIn | None] = None,
        session_mode: SessionMode = None,
    ) -> Response[TokensOut]:
        if session_mode == COOKIE_MODE:
            if data is not None:
                raise InvalidValue("refresh_token", "must be left out in cookie mode: the cookie carries it")
            token = browser_sessions_of(request).refresh_cookie(request)
            if token is None:
                raise InvalidRefreshToken
            pair = await use_case.execute(token)
            return _answer(request, _tokens(pair, cookie_mode=True), pair, cookie_mode=True, status_code=HTTP_200_OK)
        if data is None:
            raise InvalidValue("refresh_token", "is required")
        pair = await use_case.execute(data.refresh_token)
        return Response(_tokens(pair, cookie_mode=False), status_code=HTTP_200_OK)

    @post(
        "/logout",
        status_code=HTTP_204_NO_CONTENT,
        opt=OPTIONAL_AUTH,
        guards=[cookie_mode_guard(reads_cookie=True)],
        summary="End this session",
        description=(
            "Ends the session of the Bearer access token, if it is still live, and the one the body's"
            " `refresh_token` names (the caller's own). Without a live access token (expired or absent)"
            " the refresh token alone says which session ends. A refresh token that opens nothing"
            " (unknown, spent, already revoked) also answers 204; with neither credential: 401."
            " Cookie mode (`X-Session-Mode: cookie`): the cookie's refresh token instead of the body's,"
            " and the answer deletes the cookie."
        ),
    )
    @inject
    async def logout(
        self,
        request: AnyRequest,
        use_case: FromDishka[Logout],
        data: JSONBody[LogoutIn | None] = None,
        session_mode: SessionMode = None,
    ) -> Response[None]:
        if session_mode == COOKIE_MODE:
            if data is not None and data.refresh_token is not None:
                raise InvalidValue("refresh_token", "must be left out in cookie mode: the cookie carries it")
            sessions = browser_sessions_of(request)
            await use_case.execute(optional_principal_of(request), sessions.refresh_cookie(request))
            return sessions.forget(HTTP_204_NO_CONTENT)
        await use_case.execute(optional_principal_of(request), data.refresh_token if data else None)
        return Response(None, status_code=HTTP_204_NO_CONTENT)

    @post("/logout-all", status_code=HTTP_204_NO_CONTENT, summary="End every session of the caller")
    @inject
    async def logout_all(self, principal: FromDishka[Principal], use_case: FromDishka[LogoutEverywhere]) -> None:
        await use_case.execute(principal)

    @patch("/me", summary="Change the caller's own name")
    @inject
    async def update_me(
        self, data: JSONBody[ProfilePatchIn], principal: FromDishka[Principal], use_case: FromDishka[UpdateProfile]
    ) -> MeOut:
        return await use_case.execute(principal, UpdateProfileCommand(full_name=data.full_name))

    @get("/me", summary="The caller's account")
    @inject_app
    async def me(self, request: AnyRequest, use_case: FromDishka[WhoAmI]) -> MeOut:
        return await use_case.execute(principal_of(request))

    @post(
        "/change-password",
        status_code=HTTP_204_NO_CONTENT,
        opt={"problems": (422,)},
        summary="Change the caller's password",
        description=(
            "A wrong current password is 422 `CURRENT_PASSWORD_INCORRECT` (its `errors` names"
            " `current_password`); the session stays good. Repeated wrong ones are throttled like logins (429)."
        ),
    )
    @inject
    async def change_password(
        self, data: JSONBody[ChangePasswordIn], principal: FromDishka[Principal], use_case: FromDishka[ChangePassword]
    ) -> None:
        await use_case.execute(
            principal, ChangePasswordCommand(current_password=data.current_password, new_password=data.new_password)
        )
