"""`/api/staff`: the shop's staff members, their roles and whether they may sign in."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from dishka import FromDishka
from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED

from application.accounts.create_staff import CreateStaff, CreateStaffCommand
from application.accounts.list_staff import GetStaffMember, ListStaff
from application.accounts.ports import StaffFilter, StaffSort
from application.accounts.update_staff import UpdateStaff, UpdateStaffCommand
from application.accounts.views import UserOut
from application.shared.context import Principal
from application.shared.errors import NotFound
from application.shared.pagination import PageRequest
from domain.shared.role import Role
from interfaces.http.accounts.schemas import StaffIn, StaffPage, StaffPatchIn
from interfaces.http.auth import AnyRequest, principal_of, requires
from interfaces.http.di import inject, inject_app
from interfaces.http.pagination import Limit, Offset, envelope
from interfaces.http.patching import given
from interfaces.http.paths import path_id

# `full_name` is the contract's spelling of `name`: both sort by the member's name.
SortParam = Literal["created_at", "-created_at", "name", "-name", "full_name", "-full_name"]
_SORTS: dict[str, StaffSort] = {
    "created_at": StaffSort.CREATED_AT,
    "-created_at": StaffSort.CREATED_AT_DESC,
    "name": StaffSort.NAME,
    "-name": StaffSort.NAME_DESC,
    "full_name": StaffSort.NAME,
    "-full_name": StaffSort.NAME_DESC,
}
RoleFilter = Annotated[Role | None, Parameter(description="Only members with this role")]
ActiveFilter = Annotated[bool | None, Parameter(description="Only active (true) or deactivated (false) members")]
Sort = Annotated[SortParam, Parameter(description="By name or creation time, `-` for descending")]


def _member_id(user_id: str) -> UUID:
    return path_id(user_id, lambda: NotFound("No staff member with this id."))


class StaffController(Controller):
    path = "/api/staff"
    tags = ["staff"]  # noqa: RUF012
    guards = [requires(Role.MANAGER, "staff")]  # noqa: RUF012

    @get("/", summary="The shop's staff")
    @inject_app
    async def list_staff(
        self,
        request: AnyRequest,
        use_case: FromDishka[ListStaff],
        limit: Limit = 50,
        offset: Offset = 0,
        role: RoleFilter = None,
        active: ActiveFilter = None,
        sort: Sort = "created_at",
    ) -> StaffPage:
        where = StaffFilter(role=role, active=active, sort=_SORTS[sort])
        page = await use_case.execute(principal_of(request), PageRequest(limit=limit, offset=offset), where)
        return envelope(StaffPage, page)

    @get("/{user_id:str}", summary="One staff member")
    @inject_app
    async def get_staff(
        self, request: AnyRequest, user_id: FromPath[str], use_case: FromDishka[GetStaffMember]
    ) -> UserOut:
        return await use_case.execute(principal_of(request), _member_id(user_id))

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
        command = UpdateStaffCommand(user_id=_member_id(user_id), role=given(data.role), active=given(data.active))
        return UserOut.of(await use_case.execute(principal, command))
