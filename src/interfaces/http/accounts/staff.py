"""`/api/staff`: the shop's staff members, their roles and whether they may sign in."""

from __future__ import annotations

from uuid import UUID

from dishka import FromDishka
from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from application.accounts.create_staff import CreateStaff, CreateStaffCommand
from application.accounts.list_staff import ListStaff
from application.accounts.update_staff import UpdateStaff, UpdateStaffCommand
from application.accounts.views import UserOut
from application.shared.context import Principal
from application.shared.errors import NotFound
from application.shared.pagination import PageRequest
from domain.shared.role import Role
from interfaces.http.accounts.schemas import StaffIn, StaffPage, StaffPatchIn
from interfaces.http.auth import AnyRequest, principal_of, requires
from interfaces.http.di import inject, inject_app
from interfaces.http.pagination import Limit, Offset


class StaffController(Controller):
    path = "/api/staff"
    tags = ["staff"]  # noqa: RUF012
    guards = [requires(Role.MANAGER, "staff")]  # noqa: RUF012

    @get("/", summary="The shop's staff")
    @inject_app
    async def list_staff(
        self, request: AnyRequest, use_case: FromDishka[ListStaff], limit: Limit = 50, offset: Offset = 0
    ) -> StaffPage:
        page = await use_case.execute(principal_of(request), PageRequest(limit=limit, offset=offset))
        return StaffPage(list(page.items), page.total, page.limit, page.offset)

    @post("/", status_code=HTTP_201_CREATED, opt={"problems": (409,)}, summary="Add a staff member")
    @inject
    async def create_staff(
        self, data: JSONBody[StaffIn], principal: FromDishka[Principal], use_case: FromDishka[CreateStaff]
    ) -> UserOut:
        command = CreateStaffCommand(email=data.email, full_name=data.full_name, role=data.role, password=data.password)
        return UserOut.of(await use_case.execute(principal, command))

    @patch("/{user_id:str}", opt={"problems": (409,)}, summary="Change a staff member's role or deactivate them")
    @inject
    async def update_staff(
        self,
        user_id: FromPath[str],
        data: JSONBody[StaffPatchIn],
        principal: FromDishka[Principal],
        use_case: FromDishka[UpdateStaff],
    ) -> UserOut:
        # Parsed here, after the role guard: a malformed id is simply an id nobody has (404).
        try:
            target = UUID(user_id)
        except ValueError:
            raise NotFound("No staff member with this id.") from None
        command = UpdateStaffCommand(user_id=target, role=data.role, active=data.active)
        return UserOut.of(await use_case.execute(principal, command))
