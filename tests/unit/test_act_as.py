"""A script's principal (``ActAs``) over the fakes: who it is, what it may do, what is refused, and
that its session id (``SCRIPT_SESSION_ID``) is never taken for a session."""

from __future__ import annotations

import dataclasses
import re
import uuid
from datetime import timedelta

import jwt
import pytest

from application.accounts.act_as import ActAs
from application.accounts.change_password import ChangePassword, ChangePasswordCommand
from application.accounts.create_staff import CreateStaff, CreateStaffCommand
from application.accounts.list_staff import ListStaff
from application.accounts.logout import Logout, NoSessionOfItsOwn
from application.accounts.logout_everywhere import LogoutEverywhere
from application.accounts.update_staff import UpdateStaff, UpdateStaffCommand
from application.shared.access import InvalidToken
from application.shared.context import SCRIPT_SESSION_ID, Principal
from application.shared.errors import NotFound, PermissionDenied
from application.shared.pagination import PageRequest
from application.shared.security_events import SecurityEventKind as Kind
from domain.shared.errors import InvalidValue
from domain.shared.role import Role
from infrastructure.config import generate_secret_key
from infrastructure.security.jwt_tokens import JwtAccessTokens, key_id
from tests.fakes import CLIENT_IP, OWNER_EMAIL, OWNER_PASSWORD, STAFF_PASSWORD, Member, World

NEW_PASSWORD = "gerberas all year"
_FIFTEEN_MINUTES = timedelta(minutes=15)


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
async def owner(world: World) -> Member:
    return await world.owner()


async def act_as(world: World, slug: str, email: str) -> Principal:
    return await world.run(ActAs, slug, email)


# -- who the principal is -------------------------------------------------------------------------


async def test_the_principal_is_the_stored_member_without_a_session(world: World, owner: Member) -> None:
    principal = await act_as(world, "rosa-bloom", OWNER_EMAIL)
    assert principal == Principal(
        user_id=owner.user.id, vendor_id=owner.user.vendor_id, role=Role.OWNER, session_id=SCRIPT_SESSION_ID
    )
    assert principal.is_script
    assert not owner.principal.is_script  # a session's principal is not a script's
    assert uuid.UUID("00000000-0000-0000-0000-000000000000") == SCRIPT_SESSION_ID


async def test_the_role_is_the_stored_one_at_the_time_of_the_call(world: World, owner: Member) -> None:
    manager = await world.member(owner, Role.MANAGER, "mara@rosa-bloom.example")
    assert (await act_as(world, "rosa-bloom", "mara@rosa-bloom.example")).role is Role.MANAGER
    await world.run(UpdateStaff, owner.principal, UpdateStaffCommand(user_id=manager.user.id, role=Role.DRIVER))
    assert (await act_as(world, "rosa-bloom", "mara@rosa-bloom.example")).role is Role.DRIVER


async def test_the_email_is_matched_as_login_matches_it(world: World, owner: Member) -> None:
    principal = await act_as(world, "rosa-bloom", "  Owner@Rosa-Bloom.EXAMPLE ")
    assert principal.user_id == owner.user.id


async def test_acting_records_nothing_and_commits_nothing(world: World, owner: Member) -> None:
    kinds, commits = world.events.kinds(), world.uow.commits
    await act_as(world, "rosa-bloom", OWNER_EMAIL)
    assert world.events.kinds() == kinds
    assert world.uow.commits == commits


# -- refusals ---------------------------------------------------------------------------------------


async def test_an_unknown_shop_is_refused(world: World, owner: Member) -> None:
    with pytest.raises(NotFound, match="No shop has the slug 'tulip-town'"):
        await act_as(world, "tulip-town", OWNER_EMAIL)


async def test_an_unknown_email_is_refused(world: World, owner: Member) -> None:
    with pytest.raises(
        NotFound, match=re.escape("'rosa-bloom' has no staff member with the email 'nobody@rosa-bloom.example'")
    ):
        await act_as(world, "rosa-bloom", "nobody@rosa-bloom.example")


async def test_a_member_of_another_shop_is_refused(world: World, owner: Member) -> None:
    await world.owner(email="owner@tulip-town.example", slug="tulip-town")
    with pytest.raises(NotFound):
        await act_as(world, "rosa-bloom", "owner@tulip-town.example")
    with pytest.raises(NotFound):
        await act_as(world, "tulip-town", OWNER_EMAIL)


async def test_a_malformed_email_is_refused_as_a_field(world: World, owner: Member) -> None:
    with pytest.raises(InvalidValue) as refused:
        await act_as(world, "rosa-bloom", "not an email")
    assert refused.value.field == "email"


async def test_a_deactivated_member_is_refused(world: World, owner: Member) -> None:
    driver = await world.member(owner, Role.DRIVER, "dani@rosa-bloom.example")
    await world.run(UpdateStaff, owner.principal, UpdateStaffCommand(user_id=driver.user.id, active=False))
    with pytest.raises(PermissionDenied, match=re.escape("'dani@rosa-bloom.example' of 'rosa-bloom' is deactivated")):
        await act_as(world, "rosa-bloom", "dani@rosa-bloom.example")


async def test_a_deactivated_shop_is_refused(world: World, owner: Member) -> None:
    vendor = world.vendors.vendors[owner.user.vendor_id]
    world.vendors.vendors[vendor.id] = dataclasses.replace(vendor, active=False)
    with pytest.raises(PermissionDenied, match="The shop 'rosa-bloom' is deactivated"):
        await act_as(world, "rosa-bloom", OWNER_EMAIL)


# -- what a script may do with it -------------------------------------------------------------------


async def test_a_script_does_what_the_member_may_do_and_is_recorded_as_them(world: World, owner: Member) -> None:
    me = await act_as(world, "rosa-bloom", OWNER_EMAIL)
    command = CreateStaffCommand("sam@rosa-bloom.example", "Sam Stem", Role.STAFF, STAFF_PASSWORD)
    created = await world.run(CreateStaff, me, command)
    assert created.vendor_id == owner.user.vendor_id
    event = world.events.last()
    assert (event.kind, event.vendor_id, event.user_id) == (Kind.STAFF_CREATED, owner.user.vendor_id, owner.user.id)
    assert event.client_ip == CLIENT_IP  # whatever the request context says (a script's: "local")
    page = await world.run(ListStaff, me, PageRequest())
    assert sorted(member.email for member in page.items) == [OWNER_EMAIL, "sam@rosa-bloom.example"]


async def test_a_script_may_do_no_more_than_the_member(world: World, owner: Member) -> None:
    await world.member(owner, Role.STAFF, "sam@rosa-bloom.example")
    me = await act_as(world, "rosa-bloom", "sam@rosa-bloom.example")
    with pytest.raises(PermissionDenied):
        await world.run(CreateStaff, me, CreateStaffCommand("x@rosa-bloom.example", "X Y", Role.DRIVER, STAFF_PASSWORD))
    with pytest.raises(PermissionDenied):
        await world.run(ListStaff, me, PageRequest())
    denied = world.events.of_kind(Kind.PERMISSION_DENIED)
    assert [event.detail["action"] for event in denied] == ["staff.create", "staff.list"]
    assert all(event.user_id == me.user_id for event in denied)


# -- the script session id is no session ---------------------------------------------------------------


async def test_no_session_store_holds_the_script_session(world: World, owner: Member) -> None:
    assert await world.is_live(owner)
    assert not await world.sessions.is_live(SCRIPT_SESSION_ID)


async def test_logout_refuses_a_script_and_ends_nothing(world: World, owner: Member) -> None:
    me = await act_as(world, "rosa-bloom", OWNER_EMAIL)
    kinds = world.events.kinds()
    with pytest.raises(NoSessionOfItsOwn, match="LogoutEverywhere"):
        await world.run(Logout, me, None)
    assert await world.is_live(owner)
    assert world.events.kinds() == kinds


async def test_logout_everywhere_from_a_script_ends_every_session_of_the_member(world: World, owner: Member) -> None:
    other = await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    me = await act_as(world, "rosa-bloom", OWNER_EMAIL)
    assert await world.run(LogoutEverywhere, me) == 2
    assert not await world.is_live(owner)
    assert not await world.is_live(other)


async def test_a_password_change_from_a_script_keeps_no_session(world: World, owner: Member) -> None:
    """A session's own change keeps that session; a script has none, so every session ends."""
    me = await act_as(world, "rosa-bloom", OWNER_EMAIL)
    change = ChangePasswordCommand(current_password=OWNER_PASSWORD, new_password=NEW_PASSWORD)
    await world.run(ChangePassword, me, change)
    assert not await world.is_live(owner)
    assert world.events.last().detail["sessions_revoked"] == 1


def test_no_access_token_is_issued_for_the_script_session() -> None:
    tokens = JwtAccessTokens(generate_secret_key(), [], _FIFTEEN_MINUTES)
    with pytest.raises(ValueError, match="no session"):
        tokens.issue(user_id=uuid.uuid4(), vendor_id=uuid.uuid4(), role="OWNER", session_id=SCRIPT_SESSION_ID)


def test_an_access_token_carrying_the_script_session_is_refused() -> None:
    """Even one signed with the service's own key (it can only be forged by whoever holds it)."""
    key = generate_secret_key()
    tokens = JwtAccessTokens(key, [], _FIFTEEN_MINUTES)
    good = tokens.issue(user_id=uuid.uuid4(), vendor_id=uuid.uuid4(), role="OWNER", session_id=uuid.uuid4())
    payload = jwt.decode(good.token, options={"verify_signature": False})
    header = jwt.get_unverified_header(good.token)
    assert header["kid"] == key_id(key)
    resigned = jwt.encode({**payload, "sid": str(SCRIPT_SESSION_ID)}, key, algorithm="HS256", headers=header)
    assert tokens.verify(jwt.encode(payload, key, algorithm="HS256", headers=header)).session_id == uuid.UUID(
        payload["sid"]
    )
    with pytest.raises(InvalidToken):
        tokens.verify(resigned)
