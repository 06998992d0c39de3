"""`/api/vendor`: the caller's shop and its settings."""

from __future__ import annotations

from dishka import FromDishka
from litestar import Controller, get, patch
from litestar.params import JSONBody

from application.accounts.get_vendor import GetVendor
from application.accounts.update_vendor import UpdateVendor, UpdateVendorCommand
from application.accounts.views import VendorOut
from application.shared.context import Principal
from domain.shared.role import Role
from interfaces.http.accounts.schemas import VendorPatchIn
from interfaces.http.auth import AnyRequest, principal_of, requires
from interfaces.http.di import inject, inject_app
from interfaces.http.patching import given


class VendorController(Controller):
    path = "/api/vendor"
    tags = ["vendor"]  # noqa: RUF012

    @get("/", opt={"problems": (404,)}, summary="The caller's shop")
    @inject_app
    async def get_vendor(self, request: AnyRequest, use_case: FromDishka[GetVendor]) -> VendorOut:
        return await use_case.execute(principal_of(request))

    @patch(
        "/",
        guards=[requires(Role.OWNER, "vendor.update")],
        opt={"problems": (404,)},
        summary="Change the shop's settings",
    )
    @inject
    async def update_vendor(
        self, data: JSONBody[VendorPatchIn], principal: FromDishka[Principal], use_case: FromDishka[UpdateVendor]
    ) -> VendorOut:
        command = UpdateVendorCommand(
            name=given(data.name), timezone=given(data.timezone), card_message_max=given(data.card_message_max)
        )
        return VendorOut.of(await use_case.execute(principal, command))
