"""`/api/auth`: signup, login, refresh, logout, who am I (and one's own name), change password."""

from __future__ import annotations

from dishka import FromDishka
from litestar import Controller, get, patch, post
from litestar.params import JSONBody
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
from interfaces.http.di import inject, inject_app


def _tokens(pair: TokenPair) -> TokensOut:
    return TokensOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type=pair.token_type,
        expires_in=pair.expires_in,
        refresh_expires_in=pair.refresh_expires_in,
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]  # noqa: RUF012 - Litestar declares it as a plain list

    @post(
        "/signup",
        status_code=HTTP_201_CREATED,
        opt={**PUBLIC, "problems": (409,)},
        summary="Sign up a shop and its owner, logged in",
    )
    @inject
    async def signup(self, data: JSONBody[SignupIn], use_case: FromDishka[SignUpAndLogIn]) -> SignupOut:
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
        return SignupOut(
            vendor=VendorOut.of(result.vendor), user=UserOut.of(result.user), tokens=_tokens(result.tokens)
        )

    @post(
        "/login",
        status_code=HTTP_200_OK,
        opt={**PUBLIC, "problems": (401,)},
        summary="Exchange email and password for tokens",
    )
    @inject
    async def login(self, data: JSONBody[LoginIn], use_case: FromDishka[Login]) -> TokensOut:
        return _tokens(await use_case.execute(LoginCommand(email=data.email, password=data.password)))

    @post("/refresh", status_code=HTTP_200_OK, opt={**PUBLIC, "problems": (401,)}, summary="Rotate a refresh token")
    @inject
    async def refresh(self, data: JSONBody[RefreshIn], use_case: FromDishka[Refresh]) -> TokensOut:
        return _tokens(await use_case.execute(data.refresh_token))

    @post(
        "/logout",
        status_code=HTTP_204_NO_CONTENT,
        opt=OPTIONAL_AUTH,
        summary="End this session",
        description=(
            "Ends the session of the Bearer access token, if it is still live, and the one the body's"
            " `refresh_token` names (the caller's own). Without a live access token (expired or absent)"
            " the refresh token alone says which session ends. A refresh token that opens nothing"
            " (unknown, spent, already revoked) also answers 204; with neither credential: 401."
        ),
    )
    @inject
    async def logout(
        self, request: AnyRequest, use_case: FromDishka[Logout], data: JSONBody[LogoutIn | None] = None
    ) -> None:
        await use_case.execute(optional_principal_of(request), data.refresh_token if data else None)

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
