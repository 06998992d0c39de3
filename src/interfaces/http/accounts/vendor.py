"""`/api/vendor`: the caller's shop and its settings."""

from __future__ import annotations

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, get, patch
from litestar.params import JSONBody

from application.accounts.get_vendor import GetVendor
from application.accounts.update_vendor import UpdateVendor, UpdateVendorCommand
from application.shared.context import Principal
from domain.shared.role import Role
from interfaces.http.accounts.schemas import VendorOut, VendorPatchIn
from interfaces.http.auth import requires


class VendorController(Controller):
    path = "/api/vendor"
    tags = ["vendor"]  # noqa: RUF012

    @get("/", summary="The caller's shop")
    @inject
    async def get_vendor(self, principal: FromDishka[Principal], use_case: FromDishka[GetVendor]) -> VendorOut:
        return VendorOut.of(await use_case.execute(principal))

    @patch("/", guards=[requires(Role.OWNER, "vendor.update")], summary="Change the shop's settings")
    @inject
    async def update_vendor(
        self, data: JSONBody[VendorPatchIn], principal: FromDishka[Principal], use_case: FromDishka[UpdateVendor]
    ) -> VendorOut:
        command = UpdateVendorCommand(name=data.name, timezone=data.timezone, card_message_max=data.card_message_max)
        return VendorOut.of(await use_case.execute(principal, command))
