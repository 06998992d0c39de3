"""Staff, vendor settings and security events over the fakes: who may do what, to whom, in which shop."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from application.accounts.create_staff import CreateStaff, CreateStaffCommand
from application.accounts.demo import SeedDemoShop
from application.accounts.errors import EmailTaken
from application.accounts.get_vendor import GetVendor
from application.accounts.list_security_events import ListSecurityEvents
from application.accounts.list_staff import ListStaff
from application.accounts.list_vendors import ListVendors
from application.accounts.update_staff import UpdateStaff, UpdateStaffCommand
from application.accounts.update_vendor import UpdateVendor, UpdateVendorCommand
from application.shared.authorizer import Authorizer
from application.shared.errors import AuthenticationFailed, InvalidCredentials, NotFound, PermissionDenied
from application.shared.pagination import PageRequest
from application.shared.security_events import SecurityEventKind as Kind
from domain.accounts.password import WeakPassword
from domain.accounts.staff_user import LastOwnerError, StaffUser
from domain.shared.errors import InvalidValue, InvalidValues
from domain.shared.role import Role
from tests.fakes import OWNER_EMAIL, OWNER_PASSWORD, STAFF_PASSWORD, Member, World


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
async def owner(world: World) -> Member:
    return await world.owner()


@pytest.fixture
async def manager(world: World, owner: Member) -> Member:
    return await world.member(owner, Role.MANAGER, "manager@rosa-bloom.example")


@pytest.fixture
async def staff(world: World, owner: Member) -> Member:
    return await world.member(owner, Role.STAFF, "staff@rosa-bloom.example")


@pytest.fixture
async def driver(world: World, owner: Member) -> Member:
    return await world.member(owner, Role.DRIVER, "driver@rosa-bloom.example")


@pytest.fixture
def crew(owner: Member, manager: Member, staff: Member, driver: Member) -> dict[Role, Member]:
    """One member of each role, all in the same shop."""
    return {Role.OWNER: owner, Role.MANAGER: manager, Role.STAFF: staff, Role.DRIVER: driver}


async def create(world: World, by: Member, role: Role, email: str = "new@rosa-bloom.example") -> StaffUser:
    return await world.run(
        CreateStaff,
        by.principal,
        CreateStaffCommand(email=email, full_name="New Person", role=role, password=STAFF_PASSWORD),
    )


async def update(
    world: World, by: Member, target: uuid.UUID, *, role: Role | None = None, active: bool | None = None
) -> StaffUser:
    return await world.run(UpdateStaff, by.principal, UpdateStaffCommand(user_id=target, role=role, active=active))


def assert_denial_recorded(world: World, by: Member, action: str, **detail: str) -> None:
    event = world.events.last()
    assert event.kind is Kind.PERMISSION_DENIED
    assert (event.vendor_id, event.user_id) == (by.user.vendor_id, by.user.id)
    assert event.detail == {"action": action, "role": by.user.role.value, **detail}


# -- CreateStaff --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
async def test_owner_creates_any_role(world: World, owner: Member, role: Role) -> None:
    commits = world.uow.commits
    user = await create(world, owner, role, email="New@Rosa-Bloom.Example")

    assert world.staff.users[user.id] == user
    assert (user.vendor_id, user.role, user.active) == (owner.user.vendor_id, role, True)
    assert user.email.value == "new@rosa-bloom.example"
    assert user.password_hash == "hashed:" + STAFF_PASSWORD
    assert user.created_at == world.clock.now()
    assert world.uow.commits == commits + 1
    event = world.events.last()
    assert event.kind is Kind.STAFF_CREATED
    assert (event.vendor_id, event.user_id) == (owner.user.vendor_id, owner.user.id)
    assert event.detail == {"target_user_id": str(user.id), "role": role.value}
    # and the new member can log in
    member = await world.sign_in("new@rosa-bloom.example", STAFF_PASSWORD)
    assert member.principal.role is role


@pytest.mark.parametrize("role", [Role.STAFF, Role.DRIVER])
async def test_manager_creates_staff_and_drivers(world: World, manager: Member, role: Role) -> None:
    user = await create(world, manager, role)
    assert world.staff.users[user.id].role is role
    assert user.vendor_id == manager.user.vendor_id


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
async def test_manager_may_not_create_owners_or_managers(world: World, manager: Member, role: Role) -> None:
    users = dict(world.staff.users)
    commits = world.uow.commits
    with pytest.raises(PermissionDenied):
        await create(world, manager, role)
    assert world.staff.users == users
    assert_denial_recorded(world, manager, "staff.create", target_role=role.value)
    assert world.uow.commits == commits + 1  # the denial itself is kept


@pytest.mark.parametrize("actor", [Role.STAFF, Role.DRIVER])
@pytest.mark.parametrize("role", list(Role))
async def test_staff_and_drivers_create_nobody(world: World, crew: dict[Role, Member], actor: Role, role: Role) -> None:
    member = crew[actor]
    users = dict(world.staff.users)
    with pytest.raises(PermissionDenied):
        await create(world, member, role)
    assert world.staff.users == users
    assert_denial_recorded(world, member, "staff.create", target_role=role.value)


async def test_permission_is_checked_before_the_body(world: World, staff: Member) -> None:
    with pytest.raises(PermissionDenied):
        await world.run(
            CreateStaff,
            staff.principal,
            CreateStaffCommand(email="not an email", full_name="", role=Role.OWNER, password="x"),
        )


async def test_create_staff_applies_the_password_policy(world: World, owner: Member) -> None:
    users = dict(world.staff.users)
    for password in ("password1234", "short"):
        with pytest.raises(WeakPassword):
            await world.run(
                CreateStaff,
                owner.principal,
                CreateStaffCommand(email="new@rosa-bloom.example", full_name="N", role=Role.STAFF, password=password),
            )
    assert world.staff.users == users


async def test_create_staff_validates_email_and_name(world: World, owner: Member) -> None:
    for email, name, field in (("nope", "Name", "email"), ("ok@rosa-bloom.example", "  ", "full_name")):
        with pytest.raises(InvalidValue) as caught:
            await world.run(
                CreateStaff,
                owner.principal,
                CreateStaffCommand(email=email, full_name=name, role=Role.STAFF, password=STAFF_PASSWORD),
            )
        assert caught.value.field == field


async def test_emails_are_unique_across_shops(world: World, owner: Member) -> None:
    other = await world.owner(email="owner@tulip-house.example", slug="tulip-house")
    with pytest.raises(EmailTaken):
        await create(world, other, Role.STAFF, email=OWNER_EMAIL.upper())
    with pytest.raises(EmailTaken):
        await create(world, owner, Role.STAFF, email="OWNER@tulip-house.example")


# -- UpdateStaff --------------------------------------------------------------------------------


async def test_role_change_revokes_the_members_sessions(world: World, owner: Member, staff: Member) -> None:
    second = await world.sign_in("staff@rosa-bloom.example", STAFF_PASSWORD)
    commits = world.uow.commits

    updated = await update(world, owner, staff.user.id, role=Role.MANAGER)

    assert updated.role is Role.MANAGER
    assert world.staff.users[staff.user.id].role is Role.MANAGER
    assert not await world.is_live(staff)
    assert not await world.is_live(second)
    with pytest.raises(AuthenticationFailed):
        await world.authenticate(staff.tokens.access_token)
    assert await world.is_live(owner)
    event = world.events.last()
    assert event.kind is Kind.STAFF_UPDATED
    assert (event.vendor_id, event.user_id) == (owner.user.vendor_id, owner.user.id)
    assert event.detail == {
        "target_user_id": str(staff.user.id),
        "role": "MANAGER",
        "active": True,
        "sessions_revoked": 2,
    }
    assert world.uow.commits == commits + 1
    # PostgreSQL now refuses the old tokens too, should Redis not answer.
    assert world.staff.users[staff.user.id].credentials_changed_at == world.clock.now()
    # The next login carries the new role.
    assert (await world.sign_in("staff@rosa-bloom.example", STAFF_PASSWORD)).principal.role is Role.MANAGER


async def test_deactivation_revokes_sessions_and_blocks_login(world: World, manager: Member, driver: Member) -> None:
    updated = await update(world, manager, driver.user.id, active=False)
    assert updated.active is False
    assert world.staff.users[driver.user.id].active is False
    assert world.staff.users[driver.user.id].credentials_changed_at == world.clock.now()
    assert not await world.is_live(driver)
    with pytest.raises(InvalidCredentials):
        await world.login("driver@rosa-bloom.example", STAFF_PASSWORD)
    reactivated = await update(world, manager, driver.user.id, active=True)
    assert reactivated.active
    assert await world.login("driver@rosa-bloom.example", STAFF_PASSWORD)


async def test_manager_moves_staff_to_driver_and_back(world: World, manager: Member, staff: Member) -> None:
    assert (await update(world, manager, staff.user.id, role=Role.DRIVER)).role is Role.DRIVER
    assert (await update(world, manager, staff.user.id, role=Role.STAFF)).role is Role.STAFF


@pytest.mark.parametrize("target_role", [Role.OWNER, Role.MANAGER])
@pytest.mark.parametrize("change", [{"active": False}, {"role": Role.STAFF}])
async def test_manager_may_not_touch_owner_or_manager_accounts(
    world: World, owner: Member, manager: Member, target_role: Role, change: dict[str, object]
) -> None:
    target = owner if target_role is Role.OWNER else await world.member(owner, Role.MANAGER, "m2@rosa-bloom.example")
    before = world.staff.users[target.user.id]

    with pytest.raises(PermissionDenied):
        await update(world, manager, target.user.id, **change)  # type: ignore[arg-type]

    assert world.staff.users[target.user.id] == before
    assert await world.is_live(target)
    assert_denial_recorded(world, manager, "staff.update", target_role=target_role.value)


async def test_manager_may_not_change_their_own_account(world: World, manager: Member) -> None:
    with pytest.raises(PermissionDenied):
        await update(world, manager, manager.user.id, active=False)
    assert world.staff.users[manager.user.id].active


@pytest.mark.parametrize("new_role", [Role.OWNER, Role.MANAGER])
async def test_manager_may_not_promote_to_manager_or_owner(
    world: World, manager: Member, staff: Member, new_role: Role
) -> None:
    with pytest.raises(PermissionDenied):
        await update(world, manager, staff.user.id, role=new_role)
    assert world.staff.users[staff.user.id].role is Role.STAFF
    assert await world.is_live(staff)
    assert_denial_recorded(world, manager, "staff.update", target_role=new_role.value)


@pytest.mark.parametrize("actor", [Role.STAFF, Role.DRIVER])
async def test_staff_and_drivers_update_nobody(
    world: World, crew: dict[Role, Member], owner: Member, actor: Role
) -> None:
    member = crew[actor]
    victim = await world.member(owner, Role.DRIVER, "victim@rosa-bloom.example")
    with pytest.raises(PermissionDenied):
        await update(world, member, victim.user.id, active=False)
    assert world.staff.users[victim.user.id].active
    assert_denial_recorded(world, member, "staff.update", required="MANAGER")


async def test_another_shops_member_is_not_found(world: World, owner: Member, staff: Member) -> None:
    rival = await world.owner(email="owner@tulip-house.example", slug="tulip-house")
    events = len(world.events.events)
    with pytest.raises(NotFound):
        await update(world, rival, staff.user.id, active=False)
    with pytest.raises(NotFound):
        await update(world, rival, owner.user.id, role=Role.DRIVER)
    assert world.staff.users[staff.user.id].active
    assert world.staff.users[owner.user.id].role is Role.OWNER
    assert await world.is_live(staff)
    assert len(world.events.events) == events


async def test_unknown_member_is_not_found(world: World, owner: Member) -> None:
    with pytest.raises(NotFound):
        await update(world, owner, uuid.uuid4(), active=False)


@pytest.mark.parametrize("change", [{"active": False}, {"role": Role.MANAGER}])
async def test_the_only_owner_cannot_step_down(world: World, owner: Member, change: dict[str, object]) -> None:
    commits = world.uow.commits
    with pytest.raises(LastOwnerError):
        await update(world, owner, owner.user.id, **change)  # type: ignore[arg-type]
    stored = world.staff.users[owner.user.id]
    assert stored.is_active_owner
    assert await world.is_live(owner)
    assert world.uow.commits == commits
    assert owner.user.vendor_id in world.staff.owner_counts


async def test_one_of_two_owners_may_step_down(world: World, owner: Member) -> None:
    co_owner = await world.member(owner, Role.OWNER, "co-owner@rosa-bloom.example")
    demoted = await update(world, owner, owner.user.id, role=Role.MANAGER)
    assert demoted.role is Role.MANAGER
    assert not await world.is_live(owner)
    # Now the co-owner is the last one.
    with pytest.raises(LastOwnerError):
        await update(world, co_owner, co_owner.user.id, active=False)


async def test_an_inactive_owner_does_not_count(world: World, owner: Member) -> None:
    co_owner = await world.member(owner, Role.OWNER, "co-owner@rosa-bloom.example")
    await update(world, owner, co_owner.user.id, active=False)
    with pytest.raises(LastOwnerError):
        await update(world, owner, owner.user.id, role=Role.STAFF)


async def test_a_change_to_nothing_is_a_no_op(world: World, owner: Member, staff: Member) -> None:
    commits, events = world.uow.commits, len(world.events.events)
    result = await update(world, owner, staff.user.id, role=Role.STAFF, active=True)
    assert result == world.staff.users[staff.user.id]
    assert await world.is_live(staff)
    assert (world.uow.commits, len(world.events.events)) == (commits, events)


# -- ListStaff ----------------------------------------------------------------------------------


async def test_list_staff_shows_only_the_callers_shop(
    world: World, owner: Member, manager: Member, staff: Member
) -> None:
    await world.owner(email="owner@tulip-house.example", slug="tulip-house")
    page = await world.run(ListStaff, manager.principal, PageRequest(limit=2, offset=0))
    assert page.total == 3
    assert len(page.items) == 2
    everyone = await world.run(ListStaff, owner.principal, PageRequest())
    assert {u.id for u in everyone.items} == {owner.user.id, manager.user.id, staff.user.id}


@pytest.mark.parametrize("actor", [Role.STAFF, Role.DRIVER])
async def test_list_staff_needs_a_manager(world: World, crew: dict[Role, Member], actor: Role) -> None:
    member = crew[actor]
    with pytest.raises(PermissionDenied):
        await world.run(ListStaff, member.principal, PageRequest())
    assert_denial_recorded(world, member, "staff.list", required="MANAGER")


# -- vendor settings ----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [Role.OWNER, Role.MANAGER, Role.STAFF, Role.DRIVER])
async def test_every_role_reads_its_vendor(world: World, crew: dict[Role, Member], actor: Role) -> None:
    member = crew[actor]
    vendor = await world.run(GetVendor, member.principal)
    assert vendor.id == member.user.vendor_id
    assert vendor.slug == "rosa-bloom"


async def test_owner_updates_the_vendor(world: World, owner: Member) -> None:
    commits = world.uow.commits
    updated = await world.run(
        UpdateVendor, owner.principal, UpdateVendorCommand(name="Rosa & Co", card_message_max=400)
    )
    stored = world.vendors.vendors[owner.user.vendor_id]
    assert stored == updated
    assert (stored.name, stored.timezone, stored.card_message_max) == ("Rosa & Co", "Europe/Amsterdam", 400)
    event = world.events.last()
    assert event.kind is Kind.VENDOR_UPDATED
    assert (event.vendor_id, event.user_id) == (owner.user.vendor_id, owner.user.id)
    assert event.detail == {"fields": ["name", "card_message_max"]}
    assert world.uow.commits == commits + 1


@pytest.mark.parametrize("actor", [Role.MANAGER, Role.STAFF, Role.DRIVER])
async def test_only_owners_update_the_vendor(world: World, crew: dict[Role, Member], actor: Role) -> None:
    member = crew[actor]
    before = world.vendors.vendors[member.user.vendor_id]
    with pytest.raises(PermissionDenied):
        await world.run(UpdateVendor, member.principal, UpdateVendorCommand(name="Hijacked"))
    assert world.vendors.vendors[member.user.vendor_id] == before
    assert_denial_recorded(world, member, "vendor.update", required="OWNER")


async def test_vendor_update_validates(world: World, owner: Member) -> None:
    before = world.vendors.vendors[owner.user.vendor_id]
    with pytest.raises(InvalidValue) as caught:
        await world.run(UpdateVendor, owner.principal, UpdateVendorCommand(timezone="Europe/Atlantis"))
    assert caught.value.field == "timezone"
    assert world.vendors.vendors[owner.user.vendor_id] == before


async def test_vendor_update_to_the_same_values_changes_nothing(world: World, owner: Member) -> None:
    commits, events = world.uow.commits, len(world.events.events)
    await world.run(UpdateVendor, owner.principal, UpdateVendorCommand(name="Rosa Bloom"))
    assert (world.uow.commits, len(world.events.events)) == (commits, events)


async def test_an_owner_updates_only_their_own_vendor(world: World, owner: Member) -> None:
    rival = await world.owner(email="owner@tulip-house.example", slug="tulip-house")
    await world.run(UpdateVendor, rival.principal, UpdateVendorCommand(name="Tulip House"))
    assert world.vendors.vendors[owner.user.vendor_id].name == "Rosa Bloom"
    assert world.vendors.vendors[rival.user.vendor_id].name == "Tulip House"


async def test_list_vendors_pages_through_every_shop(world: World, owner: Member) -> None:
    await world.owner(email="owner@tulip-house.example", slug="tulip-house")
    await world.owner(email="owner@iris-corner.example", slug="iris-corner")
    page = await world.run(ListVendors, PageRequest(limit=2, offset=2))
    assert (page.total, page.limit, page.offset) == (3, 2, 2)
    assert [v.slug for v in page.items] == ["iris-corner"]


# -- security events ----------------------------------------------------------------------------


async def test_owner_reads_the_shops_security_events_newest_first(world: World, owner: Member) -> None:
    await world.owner(email="owner@tulip-house.example", slug="tulip-house")
    world.clock.advance(60)
    with pytest.raises(InvalidCredentials):
        await world.login(OWNER_EMAIL, "not the password")

    page = await world.run(ListSecurityEvents, owner.principal, PageRequest())

    kinds = [e.kind for e in page.items]
    assert kinds == [Kind.LOGIN_FAILED, Kind.LOGIN_SUCCEEDED, Kind.SIGNUP]
    shops_own = {e.id for e in world.events.events if e.vendor_id == owner.user.vendor_id}
    assert all(e.id in shops_own for e in page.items)  # the other shop's sign-up is not among them
    assert page.total == 3
    assert [e.at for e in page.items] == sorted((e.at for e in page.items), reverse=True)


@pytest.mark.parametrize("actor", [Role.MANAGER, Role.STAFF, Role.DRIVER])
async def test_only_owners_read_security_events(world: World, crew: dict[Role, Member], actor: Role) -> None:
    member = crew[actor]
    with pytest.raises(PermissionDenied):
        await world.run(ListSecurityEvents, member.principal, PageRequest())
    assert_denial_recorded(world, member, "security_events.list", required="OWNER")


async def test_owner_sees_denials_of_their_staff(world: World, owner: Member, staff: Member) -> None:
    with pytest.raises(PermissionDenied):
        await world.run(ListSecurityEvents, staff.principal, PageRequest())
    page = await world.run(ListSecurityEvents, owner.principal, PageRequest(limit=1))
    assert page.items[0].kind is Kind.PERMISSION_DENIED
    assert page.items[0].user_id == staff.user.id


async def test_owner_session_survives_staff_changes(world: World, owner: Member) -> None:
    # A sanity check on the fixtures: the owner password logs in and the owner's session is live.
    assert await world.is_live(owner)
    assert (await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)).principal.role is Role.OWNER


async def test_a_refusal_never_commits_what_the_request_wrote_before_it(world: World, staff: Member) -> None:
    """An order flow may write before it checks a role: the denial's audit must not commit that."""
    rolled_back = world.uow.rollbacks
    half_done = dataclasses.replace(staff.user, full_name="Written Before The Check")
    await world.staff.update(half_done)  # uncommitted work of the same request

    with pytest.raises(PermissionDenied):
        await (await world.use(Authorizer)).require(staff.principal, Role.OWNER, "vendor.update")

    assert world.uow.rollbacks == rolled_back + 1
    assert world.staff.users[staff.user.id].full_name == staff.user.full_name  # the write did not stand
    assert_denial_recorded(world, staff, "vendor.update", required="OWNER")  # the refusal did


async def test_the_demo_seed_makes_its_staff_like_everyone_else(world: World) -> None:
    logins = await world.run(SeedDemoShop)
    assert [login.role for login in logins] == ["OWNER", "MANAGER", "STAFF", "DRIVER"]
    created = world.events.of_kind(Kind.STAFF_CREATED)
    assert sorted(e.detail["role"] for e in created) == ["DRIVER", "MANAGER", "STAFF"]
    assert all(e.detail["by"] == "demo_seed" for e in created)
    assert await world.run(SeedDemoShop) == []  # seeded once


async def test_create_staff_reports_email_name_and_password_together(world: World, owner: Member) -> None:
    users = dict(world.staff.users)
    with pytest.raises(InvalidValues) as caught:
        await world.run(
            CreateStaff,
            owner.principal,
            CreateStaffCommand(email="nope", full_name=" ", role=Role.STAFF, password="short"),
        )
    assert [(problem.field, problem.code) for problem in caught.value.problems] == [
        ("email", "VALIDATION_ERROR"),
        ("full_name", "VALIDATION_ERROR"),
        ("password", "WEAK_PASSWORD"),
    ]
    assert world.staff.users == users
