"""The calls a frontend needs (issue 11, item 8) over the fakes: sign-up that logs the owner in,
``/me`` with the shop, one's own name, one staff member, and the staff list's filters and orders."""

from __future__ import annotations

import uuid

import pytest

from application.accounts.errors import SlugTaken
from application.accounts.list_staff import GetStaffMember, ListStaff
from application.accounts.ports import StaffFilter, StaffSort
from application.accounts.signup import SignUpAndLogIn, SignUpCommand
from application.accounts.update_profile import UpdateProfile, UpdateProfileCommand
from application.accounts.update_staff import UpdateStaff, UpdateStaffCommand
from application.accounts.who_am_i import WhoAmI
from application.shared.errors import AuthenticationFailed, DependencyUnavailable, NotFound, PermissionDenied
from application.shared.pagination import PageRequest
from application.shared.security_events import SecurityEventKind as Kind
from domain.shared.errors import InvalidValue
from domain.shared.role import Role
from tests.fakes import OWNER_EMAIL, OWNER_PASSWORD, Member, World


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
async def owner(world: World) -> Member:
    return await world.owner()


def _command(slug: str = "rosa-bloom", email: str = OWNER_EMAIL) -> SignUpCommand:
    return SignUpCommand(
        vendor_name="Rosa Bloom",
        vendor_slug=slug,
        timezone="Europe/Amsterdam",
        currency="EUR",
        country="NL",
        email=email,
        password=OWNER_PASSWORD,
        full_name="Rosa Florist",
    )


# -- sign-up logs the owner in --------------------------------------------------------------------


async def test_sign_up_starts_the_owners_first_session(world: World) -> None:
    signed_up = await world.run(SignUpAndLogIn, _command())
    principal = await world.authenticate(signed_up.tokens.access_token)
    assert (principal.user_id, principal.vendor_id, principal.role) == (
        signed_up.user.id,
        signed_up.vendor.id,
        Role.OWNER,
    )
    assert signed_up.tokens.token_type == "Bearer"
    assert signed_up.tokens.refresh_expires_in == int(world.lifetimes.refresh.total_seconds())
    assert world.uow.commits == 1  # the shop, its owner and both events together
    assert world.events.kinds() == [Kind.SIGNUP, Kind.LOGIN_SUCCEEDED]
    login = world.events.last()
    assert login.detail == {"session_id": str(principal.session_id), "via": "signup"}
    assert (login.vendor_id, login.user_id) == (signed_up.vendor.id, signed_up.user.id)
    me = await world.run(WhoAmI, principal)
    assert me.vendor.slug == "rosa-bloom"


async def test_a_refused_sign_up_starts_no_session(world: World) -> None:
    await world.run(SignUpAndLogIn, _command())
    sessions = len(world.sessions._sessions)
    with pytest.raises(SlugTaken):
        await world.run(SignUpAndLogIn, _command(email="other@rosa-bloom.example"))
    assert len(world.sessions._sessions) == sessions
    assert world.events.kinds() == [Kind.SIGNUP, Kind.LOGIN_SUCCEEDED]


async def test_a_sign_up_whose_commit_fails_ends_the_session_it_started(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[uuid.UUID] = []
    real_create = world.sessions.create

    async def create(session, refresh_hash, ttl):  # type: ignore[no-untyped-def]
        started.append(session.session_id)
        await real_create(session, refresh_hash, ttl)

    async def commit() -> None:
        raise DependencyUnavailable("The database is unavailable.")

    monkeypatch.setattr(world.sessions, "create", create)
    monkeypatch.setattr(world.uow, "commit", commit)
    with pytest.raises(DependencyUnavailable):
        await world.run(SignUpAndLogIn, _command())
    assert len(started) == 1
    assert not await world.sessions.is_live(started[0])


async def test_a_sign_up_without_a_session_store_commits_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    async def down(*_: object, **__: object) -> None:
        raise DependencyUnavailable("The session store is unavailable.")

    monkeypatch.setattr(world.sessions, "create", down)
    with pytest.raises(DependencyUnavailable):
        await world.run(SignUpAndLogIn, _command())
    assert world.uow.commits == 0
    await world.uow.rollback()  # what the request's end does
    assert world.vendors.vendors == {}
    assert world.staff.users == {}


# -- /me and one's own name ----------------------------------------------------------------------


async def test_who_am_i_names_the_shop(world: World, owner: Member) -> None:
    me = await world.run(WhoAmI, owner.principal)
    vendor = world.vendors.vendors[owner.principal.vendor_id]
    assert (me.vendor.id, me.vendor.name, me.vendor.slug, me.vendor.timezone, me.vendor.currency) == (
        vendor.id,
        "Rosa Bloom",
        "rosa-bloom",
        "Europe/Amsterdam",
        "EUR",
    )


async def test_anyone_changes_their_own_name(world: World, owner: Member) -> None:
    driver = await world.member(owner, Role.DRIVER, "driver@rosa-bloom.example")
    commits = world.uow.commits
    me = await world.run(UpdateProfile, driver.principal, UpdateProfileCommand(full_name="  Dara   Driver "))
    assert me.full_name == "Dara Driver"
    assert me.vendor.slug == "rosa-bloom"
    stored = world.staff.users[driver.user.id]
    assert stored.full_name == "Dara Driver"
    # Not a credential: the session stays and no token is cut off.
    assert stored.credentials_changed_at == driver.user.credentials_changed_at
    assert await world.is_live(driver)
    assert world.uow.commits == commits + 1
    event = world.events.last()
    assert (event.kind, event.user_id, event.detail) == (
        Kind.PROFILE_UPDATED,
        driver.user.id,
        {"fields": ["full_name"]},
    )
    assert "Dara" not in str(event.detail)


async def test_the_same_name_writes_nothing(world: World, owner: Member) -> None:
    events, commits = len(world.events.events), world.uow.commits
    me = await world.run(UpdateProfile, owner.principal, UpdateProfileCommand(full_name=owner.user.full_name))
    assert me.full_name == owner.user.full_name
    assert (len(world.events.events), world.uow.commits) == (events, commits)


@pytest.mark.parametrize("name", ["", "   ", "\u200b\u200b", "x" * 121])
async def test_a_bad_name_is_refused_before_anything_is_read(world: World, owner: Member, name: str) -> None:
    commits = world.uow.commits
    with pytest.raises(InvalidValue) as caught:
        await world.run(UpdateProfile, owner.principal, UpdateProfileCommand(full_name=name))
    assert caught.value.field == "full_name"
    assert world.staff.users[owner.user.id].full_name == owner.user.full_name
    assert world.uow.commits == commits


async def test_a_deactivated_account_cannot_rename_itself(world: World, owner: Member) -> None:
    staff = await world.member(owner, Role.STAFF, "staff@rosa-bloom.example")
    await world.run(UpdateStaff, owner.principal, UpdateStaffCommand(user_id=staff.user.id, active=False))
    with pytest.raises(AuthenticationFailed):
        await world.run(UpdateProfile, staff.principal, UpdateProfileCommand(full_name="Still Here"))
    assert world.staff.users[staff.user.id].full_name == staff.user.full_name


# -- one staff member ----------------------------------------------------------------------------


async def test_managers_and_owners_read_one_member(world: World, owner: Member) -> None:
    manager = await world.member(owner, Role.MANAGER, "manager@rosa-bloom.example")
    staff = await world.member(owner, Role.STAFF, "staff@rosa-bloom.example")
    for reader in (owner, manager):
        member = await world.run(GetStaffMember, reader.principal, staff.user.id)
        assert (member.id, member.email, member.role) == (staff.user.id, "staff@rosa-bloom.example", Role.STAFF)


async def test_another_shops_member_is_not_found(world: World, owner: Member) -> None:
    other = await world.owner(email="owner@tulip.example", slug="tulip")
    with pytest.raises(NotFound):
        await world.run(GetStaffMember, owner.principal, other.user.id)
    with pytest.raises(NotFound):
        await world.run(GetStaffMember, owner.principal, uuid.uuid4())


@pytest.mark.parametrize("role", [Role.STAFF, Role.DRIVER])
async def test_staff_and_drivers_cannot_read_a_member(world: World, owner: Member, role: Role) -> None:
    member = await world.member(owner, role, f"{role.value.lower()}@rosa-bloom.example")
    with pytest.raises(PermissionDenied):
        await world.run(GetStaffMember, member.principal, owner.user.id)
    denial = world.events.last()
    assert (denial.kind, denial.detail["action"]) == (Kind.PERMISSION_DENIED, "staff.get")


# -- the list's filters and orders ---------------------------------------------------------------


@pytest.fixture
async def crew(world: World, owner: Member) -> dict[str, Member]:
    """Created a second apart, names not in creation order (and not in case order)."""
    members = {"owner": owner}
    for key, role, name in (
        ("zoe", Role.STAFF, "zoe"),
        ("adam", Role.MANAGER, "Adam"),
        ("bea", Role.STAFF, "Bea"),
        ("carl", Role.DRIVER, "carl"),
    ):
        world.clock.advance(1)
        members[key] = await world.member(owner, role, f"{key}@rosa-bloom.example")
        await world.run(UpdateProfile, members[key].principal, UpdateProfileCommand(full_name=name))
    await world.run(UpdateStaff, owner.principal, UpdateStaffCommand(user_id=members["bea"].user.id, active=False))
    return members


async def _names(world: World, who: Member, where: StaffFilter, page: PageRequest | None = None) -> list[str]:
    listed = await world.run(ListStaff, who.principal, page or PageRequest(), where)
    return [member.full_name for member in listed.items]


async def test_the_list_filters_by_role_and_active(world: World, crew: dict[str, Member]) -> None:
    owner = crew["owner"]
    staff = await world.run(ListStaff, owner.principal, PageRequest(), StaffFilter(role=Role.STAFF))
    assert ([m.full_name for m in staff.items], staff.total) == (["zoe", "Bea"], 2)
    assert await _names(world, owner, StaffFilter(active=False)) == ["Bea"]
    assert await _names(world, owner, StaffFilter(role=Role.STAFF, active=True)) == ["zoe"]
    assert await _names(world, owner, StaffFilter(role=Role.OWNER, active=False)) == []


async def test_the_list_sorts_by_name_or_creation(world: World, crew: dict[str, Member]) -> None:
    owner = crew["owner"]
    assert await _names(world, owner, StaffFilter()) == ["Rosa Florist", "zoe", "Adam", "Bea", "carl"]
    assert await _names(world, owner, StaffFilter(sort=StaffSort.CREATED_AT_DESC)) == [
        "carl",
        "Bea",
        "Adam",
        "zoe",
        "Rosa Florist",
    ]
    assert await _names(world, owner, StaffFilter(sort=StaffSort.NAME)) == [
        "Adam",
        "Bea",
        "carl",
        "Rosa Florist",
        "zoe",
    ]
    assert await _names(world, owner, StaffFilter(sort=StaffSort.NAME_DESC)) == [
        "zoe",
        "Rosa Florist",
        "carl",
        "Bea",
        "Adam",
    ]
    second_page = await world.run(
        ListStaff, owner.principal, PageRequest(limit=2, offset=2), StaffFilter(sort=StaffSort.NAME)
    )
    assert ([m.full_name for m in second_page.items], second_page.total) == (["carl", "Rosa Florist"], 5)
