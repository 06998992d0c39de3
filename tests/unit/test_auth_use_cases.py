"""Auth use cases over the fakes: sign-up, login, throttling, refresh, logout, password change."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest

from application.accounts.change_password import ChangePassword, ChangePasswordCommand
from application.accounts.errors import CurrentPasswordIncorrect, EmailTaken, SlugTaken
from application.accounts.logout import Logout, NothingToLogOut
from application.accounts.logout_everywhere import LogoutEverywhere
from application.accounts.refresh import Refresh
from application.accounts.revoke_sessions import RevokeUserSessions
from application.accounts.sessions import TokenLifetimes
from application.accounts.update_staff import UpdateStaff, UpdateStaffCommand
from application.accounts.who_am_i import WhoAmI
from application.shared.context import RequestMeta
from application.shared.errors import (
    AuthenticationFailed,
    InvalidCredentials,
    InvalidRefreshToken,
    NotFound,
    TooManyAttempts,
)
from application.shared.security_events import SecurityEventKind as Kind
from domain.accounts.password import WeakPassword
from domain.shared.errors import InvalidValue, InvalidValues
from domain.shared.role import Role
from tests.fakes import CLIENT_IP, OWNER_EMAIL, OWNER_PASSWORD, Member, World

NEW_PASSWORD = "gerberas all year"


@pytest.fixture
def world() -> World:
    return World()


async def deactivate(world: World, member: Member) -> None:
    """Flip the stored flag directly, as another owner's change (or an operator) would."""
    user = world.staff.users[member.user.id]
    world.staff.users[user.id] = dataclasses.replace(user, active=False)


# -- sign-up ------------------------------------------------------------------------------------


async def test_signup_stores_the_vendor_and_its_owner(world: World) -> None:
    result = await world.signup(email="Owner@Rosa-Bloom.Example", slug="rosa-bloom", vendor_name="  Rosa  Bloom ")

    vendor = world.vendors.vendors[result.vendor.id]
    assert (vendor.name, vendor.slug, vendor.timezone, vendor.currency, vendor.country) == (
        "Rosa Bloom",
        "rosa-bloom",
        "Europe/Amsterdam",
        "EUR",
        "NL",
    )
    assert vendor.active
    assert vendor.created_at == world.clock.now()

    owner = world.staff.users[result.user.id]
    assert owner == result.user
    assert owner.vendor_id == vendor.id
    assert owner.role is Role.OWNER
    assert owner.active
    assert owner.email.value == "owner@rosa-bloom.example"
    assert owner.full_name == "Rosa Florist"
    assert owner.password_hash == "hashed:" + OWNER_PASSWORD
    assert owner.created_at == world.clock.now()


async def test_signup_records_one_event_and_commits_once(world: World) -> None:
    result = await world.signup()
    assert world.uow.commits == 1
    assert world.events.kinds() == [Kind.SIGNUP]
    event = world.events.last()
    assert (event.vendor_id, event.user_id) == (result.vendor.id, result.user.id)
    assert (event.client_ip, event.request_id, event.at) == (CLIENT_IP, "req-test", world.clock.now())
    assert event.detail == {"slug": "rosa-bloom"}


@pytest.mark.parametrize(
    "password",
    ["password1234", "PASSWORD1234", "iloveflowers", "short pass!", "", "x" * 129],
)
async def test_signup_refuses_weak_passwords_and_stores_nothing(world: World, password: str) -> None:
    with pytest.raises(WeakPassword) as caught:
        await world.signup(password=password)
    assert caught.value.field == "password"
    assert world.vendors.vendors == {}
    assert world.staff.users == {}
    assert world.events.events == []
    assert world.uow.commits == 0
    assert world.hasher.hashed == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Rosa Bloom"}, "vendor_slug"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"currency": "eur"}, "currency"),
        ({"country": "UK"}, "country"),
        ({"email": "not-an-email"}, "email"),
        ({"full_name": "   "}, "full_name"),
        ({"vendor_name": ""}, "vendor_name"),
    ],
)
async def test_signup_validates_every_field(world: World, change: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        await world.signup(**change)
    assert caught.value.field == field
    assert world.vendors.vendors == {}
    assert world.staff.users == {}
    assert world.uow.commits == 0


async def test_signup_with_a_taken_email_in_another_case_is_refused(world: World) -> None:
    await world.signup()
    with pytest.raises(EmailTaken):
        await world.signup(email=OWNER_EMAIL.upper(), slug="other-shop")
    assert world.uow.commits == 1
    # The request ends uncommitted: the second shop goes with it.
    await world.uow.rollback()
    assert [v.slug for v in world.vendors.vendors.values()] == ["rosa-bloom"]
    assert len(world.staff.users) == 1
    assert world.events.kinds() == [Kind.SIGNUP]


async def test_signup_with_a_taken_slug_is_refused(world: World) -> None:
    await world.signup()
    with pytest.raises(SlugTaken):
        await world.signup(email="another@shop.example")
    assert world.uow.commits == 1
    assert len(world.staff.users) == 1


# -- login --------------------------------------------------------------------------------------


async def test_login_starts_a_live_session(world: World) -> None:
    signed = await world.signup()
    commits = world.uow.commits

    pair = await world.login(" OWNER@Rosa-Bloom.example ", OWNER_PASSWORD)

    assert (pair.token_type, pair.expires_in, pair.refresh_expires_in) == ("Bearer", 900, 7 * 24 * 3600)
    principal = await world.authenticate(pair.access_token)
    assert (principal.user_id, principal.vendor_id, principal.role) == (
        signed.user.id,
        signed.vendor.id,
        Role.OWNER,
    )
    assert await world.sessions.is_live(principal.session_id)
    found = await world.sessions.find(world.refresh_tokens.hash(pair.refresh_token))
    assert found is not None
    assert found.session_id == principal.session_id
    assert world.uow.commits == commits + 1


async def test_login_records_login_succeeded(world: World) -> None:
    signed = await world.signup()
    pair = await world.login()
    principal = await world.authenticate(pair.access_token)
    event = world.events.last()
    assert event.kind is Kind.LOGIN_SUCCEEDED
    assert (event.vendor_id, event.user_id) == (signed.vendor.id, signed.user.id)
    assert event.detail == {"session_id": str(principal.session_id)}


async def test_each_login_is_its_own_session(world: World) -> None:
    await world.signup()
    first = await world.authenticate((await world.login()).access_token)
    second = await world.authenticate((await world.login()).access_token)
    assert first.session_id != second.session_id
    assert await world.sessions.is_live(first.session_id)
    assert await world.sessions.is_live(second.session_id)


async def test_login_matches_passwords_in_nfc(world: World) -> None:
    composed = "fleur de caf\u00e9 rose"
    await world.signup(password=composed)
    pair = await world.login(password="fleur de cafe\u0301 rose")
    assert await world.authenticate(pair.access_token)


@pytest.mark.parametrize("case", ["unknown_email", "wrong_password", "inactive"])
async def test_failed_logins_answer_alike_and_are_recorded(world: World, case: str) -> None:
    owner = await world.owner()
    await world.member(owner, Role.STAFF, "staff@rosa-bloom.example", password="a florist password")
    sessions_before = len(world.access_tokens.issued)
    commits = world.uow.commits
    verifications = len(world.hasher.verifications)
    email, password = "staff@rosa-bloom.example", "a florist password"
    if case == "unknown_email":
        email = "nobody@rosa-bloom.example"
    elif case == "wrong_password":
        password = "not the staff password"
    else:
        staff = world.staff.by_email(email)
        world.staff.users[staff.id] = dataclasses.replace(staff, active=False)

    with pytest.raises(InvalidCredentials) as caught:
        await world.login(email, password)

    assert caught.value.code == "INVALID_CREDENTIALS"
    assert caught.value.message == "The email or password is not correct."
    assert len(world.access_tokens.issued) == sessions_before  # no session started
    assert world.uow.commits == commits + 1
    event = world.events.last()
    assert event.kind is Kind.LOGIN_FAILED
    at = world.clock.now().isoformat()
    assert event.detail == {"reason": case, "count": 1, "first_at": at, "last_at": at}
    # The password was verified in every case: against a dummy hash when there is no user.
    assert len(world.hasher.verifications) == verifications + 1
    assert world.hasher.dummy_verifications == (1 if case == "unknown_email" else 0)
    if case == "unknown_email":
        assert (event.vendor_id, event.user_id) == (None, None)
    else:
        staff = world.staff.by_email(email)
        assert (event.vendor_id, event.user_id) == (staff.vendor_id, staff.id)


async def test_malformed_email_is_invalid_credentials_after_a_dummy_verification(world: World) -> None:
    await world.signup()
    with pytest.raises(InvalidCredentials):
        await world.login("not an email", OWNER_PASSWORD)
    assert world.hasher.dummy_verifications == 1
    assert world.access_tokens.issued == {}


async def test_login_to_an_inactive_shop_is_refused(world: World) -> None:
    signed = await world.signup()
    world.vendors.vendors[signed.vendor.id] = dataclasses.replace(signed.vendor, active=False)
    with pytest.raises(InvalidCredentials):
        await world.login()
    assert world.events.last().kind is Kind.LOGIN_FAILED
    assert world.access_tokens.issued == {}


async def test_login_is_throttled_after_five_failures(world: World) -> None:
    await world.signup()
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await world.login(password="wrong password!")
    commits = world.uow.commits
    verifications = len(world.hasher.verifications)

    with pytest.raises(TooManyAttempts) as caught:
        await world.login()  # even the right password must wait

    assert caught.value.retry_after > 0
    assert caught.value.retry_after == 1
    assert world.events.last().kind is Kind.LOGIN_THROTTLED
    assert world.events.last().detail["retry_after"] == 1
    assert world.events.last().detail["count"] == 1
    # The five failures are one row that counts them, not five rows.
    assert world.events.kinds().count(Kind.LOGIN_FAILED) == 1
    assert world.events.of_kind(Kind.LOGIN_FAILED)[0].detail["count"] == 5
    assert world.uow.commits == commits + 1
    assert len(world.hasher.verifications) == verifications  # no verification while throttled
    assert world.access_tokens.issued == {}


async def test_parallel_guesses_are_counted_before_any_is_verified(world: World) -> None:
    await world.signup()
    outcomes = await asyncio.gather(
        *(world.login(password=f"guess number {n:02}") for n in range(12)), return_exceptions=True
    )
    failed = [o for o in outcomes if isinstance(o, InvalidCredentials)]
    throttled = [o for o in outcomes if isinstance(o, TooManyAttempts)]
    assert len(failed) == 5
    assert len(throttled) == 7
    assert len(world.hasher.verifications) == 5


async def test_throttle_wait_ends_and_success_resets_it(world: World) -> None:
    await world.signup()
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await world.login(password="wrong password!")
    world.clock.advance(1)
    assert await world.authenticate((await world.login()).access_token)
    # The count was reset: five more free failures before the next wait.
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await world.login(password="wrong password!")
    with pytest.raises(TooManyAttempts):
        await world.login()


async def test_throttle_counts_the_normalised_email_from_one_client(world: World) -> None:
    await world.signup()
    variants = ["OWNER@rosa-bloom.example", "Owner@Rosa-Bloom.Example", OWNER_EMAIL, " owner@ROSA-bloom.example "]
    for variant in [*variants, OWNER_EMAIL]:
        with pytest.raises(InvalidCredentials):
            await world.login(variant, "wrong password!")
    with pytest.raises(TooManyAttempts):
        await world.login(OWNER_EMAIL.upper())
    # Another client is not slowed down by these failures.
    world.meta = RequestMeta(client_ip="198.51.100.20", request_id="req-other")
    assert await world.authenticate((await world.login()).access_token)


async def test_login_rehashes_a_stale_hash(world: World) -> None:
    signed = await world.signup()
    assert world.staff.users[signed.user.id].password_hash == "hashed:" + OWNER_PASSWORD
    world.hasher.scheme = "argon2id-v2"  # new parameters

    await world.login()

    assert world.staff.users[signed.user.id].password_hash == "argon2id-v2:" + OWNER_PASSWORD
    assert world.hasher.hashed[-1] == OWNER_PASSWORD
    # and the upgraded hash still logs in
    await world.login()


async def test_login_rehashes_when_the_hasher_says_so(world: World) -> None:
    signed = await world.signup()
    world.hasher.force_rehash = True
    hashed = len(world.hasher.hashed)
    await world.login()
    assert len(world.hasher.hashed) == hashed + 1
    assert world.staff.users[signed.user.id].password_hash == "hashed:" + OWNER_PASSWORD


async def test_login_keeps_a_current_hash(world: World) -> None:
    await world.signup()
    hashed = len(world.hasher.hashed)
    await world.login()
    assert len(world.hasher.hashed) == hashed


# -- refresh ------------------------------------------------------------------------------------


async def test_refresh_rotates_the_pair_in_the_same_session(world: World) -> None:
    owner = await world.owner()
    pair = await world.run(Refresh, owner.tokens.refresh_token)

    assert pair.refresh_token != owner.tokens.refresh_token
    assert pair.access_token != owner.tokens.access_token
    principal = await world.authenticate(pair.access_token)
    assert principal.session_id == owner.principal.session_id
    assert principal.role is Role.OWNER
    # The new one rotates again; the old one is spent.
    assert await world.run(Refresh, pair.refresh_token)
    assert await world.sessions.find(world.refresh_tokens.hash(owner.tokens.refresh_token)) is None


async def test_reusing_a_spent_refresh_token_revokes_the_family(world: World) -> None:
    owner = await world.owner()
    other_session = await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    newer = await world.run(Refresh, owner.tokens.refresh_token)
    commits = world.uow.commits

    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, owner.tokens.refresh_token)

    event = world.events.last()
    assert event.kind is Kind.REFRESH_TOKEN_REUSED
    assert (event.vendor_id, event.user_id) == (owner.user.vendor_id, owner.user.id)
    assert event.detail == {"session_id": str(owner.principal.session_id)}
    assert world.uow.commits == commits + 1
    assert not await world.is_live(owner)
    with pytest.raises(AuthenticationFailed):
        await world.authenticate(newer.access_token)
    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, newer.refresh_token)
    # Only that family: the user's other session goes on.
    assert await world.is_live(other_session)


def graced_world(seconds: float = 10) -> World:
    return World(
        lifetimes=TokenLifetimes(
            access=timedelta(minutes=15), refresh=timedelta(days=7), refresh_reuse_grace=timedelta(seconds=seconds)
        )
    )


async def test_two_tabs_refreshing_at_once_both_get_the_same_new_refresh_token() -> None:
    world = graced_world()
    owner = await world.owner()
    first, second = await asyncio.gather(
        world.run(Refresh, owner.tokens.refresh_token), world.run(Refresh, owner.tokens.refresh_token)
    )
    assert first.refresh_token == second.refresh_token != owner.tokens.refresh_token
    assert first.access_token != second.access_token  # each tab its own access token, same session
    for pair in (first, second):
        principal = await world.authenticate(pair.access_token)
        assert principal.session_id == owner.principal.session_id
    assert Kind.REFRESH_TOKEN_REUSED not in [event.kind for event in world.events.events]
    # Both tabs go on with the one token they now share.
    third = await world.run(Refresh, first.refresh_token)
    assert await world.is_live(owner)
    assert await world.authenticate(third.access_token)


async def test_a_reuse_after_the_grace_still_revokes_the_family() -> None:
    world = graced_world(seconds=5)
    owner = await world.owner()
    newer = await world.run(Refresh, owner.tokens.refresh_token)
    world.clock.advance(6)
    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, owner.tokens.refresh_token)
    assert world.events.last().kind is Kind.REFRESH_TOKEN_REUSED
    assert not await world.is_live(owner)
    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, newer.refresh_token)


async def test_within_the_grace_a_deactivated_user_gets_nothing() -> None:
    world = graced_world()
    owner = await world.owner()
    await world.run(Refresh, owner.tokens.refresh_token)
    await deactivate(world, owner)
    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, owner.tokens.refresh_token)


async def test_a_tampered_sealed_successor_is_refused() -> None:
    world = graced_world()
    owner = await world.owner()
    successor = await world.run(Refresh, owner.tokens.refresh_token)
    token = world.sessions._tokens[world.refresh_tokens.hash(owner.tokens.refresh_token)]
    token.sealed = world.refresh_tokens.seal(world.refresh_tokens.new().token, owner.tokens.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, owner.tokens.refresh_token)
    assert await world.run(Refresh, successor.refresh_token)  # the real successor is untouched


async def test_unknown_refresh_token_is_refused_quietly(world: World) -> None:
    await world.owner()
    events = len(world.events.events)
    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, "fvr_never-issued")
    assert len(world.events.events) == events


async def test_expired_refresh_token_is_refused(world: World) -> None:
    owner = await world.owner()
    world.clock.advance(days=7, seconds=1)
    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, owner.tokens.refresh_token)


async def test_refresh_for_a_deactivated_user_is_refused_and_ends_the_session(world: World) -> None:
    owner = await world.owner()
    staff = await world.member(owner, Role.STAFF, "staff@rosa-bloom.example")
    await deactivate(world, staff)

    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, staff.tokens.refresh_token)

    assert not await world.is_live(staff)
    with pytest.raises(AuthenticationFailed):
        await world.authenticate(staff.tokens.access_token)


async def test_refresh_reads_the_role_afresh(world: World) -> None:
    owner = await world.owner()
    staff = await world.member(owner, Role.STAFF, "staff@rosa-bloom.example")
    stored = world.staff.users[staff.user.id]
    world.staff.users[stored.id] = dataclasses.replace(stored, role=Role.MANAGER)

    pair = await world.run(Refresh, staff.tokens.refresh_token)
    assert (await world.authenticate(pair.access_token)).role is Role.MANAGER


# -- logout -------------------------------------------------------------------------------------


async def test_logout_ends_that_session_at_once(world: World) -> None:
    owner = await world.owner()
    other = await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)

    await world.run(Logout, owner.principal, owner.tokens.refresh_token)

    with pytest.raises(AuthenticationFailed):
        await world.authenticate(owner.tokens.access_token)
    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, owner.tokens.refresh_token)
    assert await world.is_live(other)
    event = world.events.last()
    assert event.kind is Kind.LOGOUT
    assert event.detail == {"sessions": [str(owner.principal.session_id)]}


async def test_logout_without_a_refresh_token_still_ends_the_session(world: World) -> None:
    owner = await world.owner()
    await world.run(Logout, owner.principal, None)
    assert not await world.is_live(owner)


async def test_logout_with_a_refresh_token_of_another_own_session_ends_both(world: World) -> None:
    owner = await world.owner()
    tab = await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    await world.run(Logout, owner.principal, tab.tokens.refresh_token)
    assert not await world.is_live(owner)
    assert not await world.is_live(tab)


async def test_logout_never_ends_someone_elses_session(world: World) -> None:
    owner = await world.owner()
    staff = await world.member(owner, Role.STAFF, "staff@rosa-bloom.example")
    await world.run(Logout, owner.principal, staff.tokens.refresh_token)
    assert not await world.is_live(owner)
    assert await world.is_live(staff)


async def test_logout_by_refresh_token_alone_ends_its_session_and_records_its_owner(world: World) -> None:
    owner = await world.owner()
    staff = await world.member(owner, Role.STAFF, "staff@rosa-bloom.example")

    await world.run(Logout, None, staff.tokens.refresh_token)

    assert not await world.is_live(staff)
    assert await world.is_live(owner)
    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, staff.tokens.refresh_token)
    event = world.events.last()
    assert event.kind is Kind.LOGOUT
    assert (event.vendor_id, event.user_id) == (staff.user.vendor_id, staff.user.id)
    assert event.detail == {"sessions": [str(staff.principal.session_id)]}


async def test_logout_by_a_refresh_token_that_opens_nothing_ends_nothing_and_records_nothing(world: World) -> None:
    owner = await world.owner()
    spent = owner.tokens.refresh_token
    await world.run(Refresh, spent)  # the session lives on under the new token; this one is spent
    recorded = len(world.events.events)

    for token in ("fvr_never-issued", "garbage", spent):
        await world.run(Logout, None, token)

    assert await world.is_live(owner)
    assert len(world.events.events) == recorded


async def test_logout_by_the_refresh_token_of_a_revoked_session_is_idempotent(world: World) -> None:
    owner = await world.owner()
    await world.run(Logout, None, owner.tokens.refresh_token)
    recorded = len(world.events.events)
    await world.run(Logout, None, owner.tokens.refresh_token)
    assert not await world.is_live(owner)
    assert len(world.events.events) == recorded


@pytest.mark.parametrize("token", [None, ""])
async def test_logout_with_neither_credential_is_refused(world: World, token: str | None) -> None:
    owner = await world.owner()
    with pytest.raises(NothingToLogOut) as caught:
        await world.run(Logout, None, token)
    assert isinstance(caught.value, AuthenticationFailed)
    assert await world.is_live(owner)


async def test_logout_everywhere_ends_every_session_of_the_user(world: World) -> None:
    owner = await world.owner()
    other = await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    staff = await world.member(owner, Role.STAFF, "staff@rosa-bloom.example")
    commits = world.uow.commits

    world.clock.advance(30)
    count = await world.run(LogoutEverywhere, owner.principal)

    assert count == 2
    assert world.staff.users[owner.user.id].credentials_changed_at == world.clock.now()
    assert world.staff.users[staff.user.id].credentials_changed_at is None
    assert not await world.is_live(owner)
    assert not await world.is_live(other)
    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, other.tokens.refresh_token)
    assert await world.is_live(staff)
    assert world.events.last().kind is Kind.LOGOUT_ALL
    assert world.events.last().detail == {"sessions": 2}
    assert world.uow.commits == commits + 1


# -- change password ----------------------------------------------------------------------------


async def test_change_password_keeps_the_current_session_and_revokes_the_others(world: World) -> None:
    owner = await world.owner()
    phone = await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    tablet = await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    commits = world.uow.commits

    await world.change_password(owner, OWNER_PASSWORD, NEW_PASSWORD)

    assert world.staff.users[owner.user.id].password_hash == "hashed:" + NEW_PASSWORD
    assert world.staff.users[owner.user.id].credentials_changed_at == world.clock.now()
    assert await world.is_live(owner)
    assert not await world.is_live(phone)
    assert not await world.is_live(tablet)
    event = world.events.last()
    assert event.kind is Kind.PASSWORD_CHANGED
    assert event.detail == {"sessions_revoked": 2}
    assert world.uow.commits == commits + 1
    await world.login(password=NEW_PASSWORD)
    with pytest.raises(InvalidCredentials):
        await world.login(password=OWNER_PASSWORD)


async def test_change_password_verifies_the_current_one(world: World) -> None:
    owner = await world.owner()
    other = await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    commits = world.uow.commits

    with pytest.raises(CurrentPasswordIncorrect):
        await world.change_password(owner, "not my password", NEW_PASSWORD)

    assert world.staff.users[owner.user.id].password_hash == "hashed:" + OWNER_PASSWORD
    assert world.staff.users[owner.user.id].credentials_changed_at is None
    assert await world.is_live(other)
    assert await world.is_live(owner)
    assert world.events.last().kind is Kind.LOGIN_FAILED
    assert world.events.last().detail == {"reason": "change_password"}
    assert world.uow.commits == commits + 1


@pytest.mark.parametrize("new", ["password1234", "Password1234", "too short", "z" * 129])
async def test_change_password_enforces_the_policy(world: World, new: str) -> None:
    owner = await world.owner()
    other = await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    with pytest.raises(WeakPassword) as caught:
        await world.change_password(owner, OWNER_PASSWORD, new)
    assert caught.value.field == "new_password"
    assert world.staff.users[owner.user.id].password_hash == "hashed:" + OWNER_PASSWORD
    assert await world.is_live(other)


async def test_change_password_is_throttled_like_login(world: World) -> None:
    owner = await world.owner()
    for _ in range(5):
        with pytest.raises(CurrentPasswordIncorrect):
            await world.change_password(owner, "guess number n", NEW_PASSWORD)
    with pytest.raises(TooManyAttempts) as caught:
        await world.change_password(owner, OWNER_PASSWORD, NEW_PASSWORD)
    assert caught.value.retry_after > 0
    assert world.staff.users[owner.user.id].password_hash == "hashed:" + OWNER_PASSWORD


async def test_a_successful_change_clears_the_failure_count(world: World) -> None:
    owner = await world.owner()
    for _ in range(4):
        with pytest.raises(CurrentPasswordIncorrect):
            await world.change_password(owner, "guess number n", NEW_PASSWORD)
    await world.change_password(owner, OWNER_PASSWORD, NEW_PASSWORD)
    # Had the success counted as a fifth failure, this login would have to wait.
    assert await world.login(password=NEW_PASSWORD)


async def test_change_password_of_a_deactivated_user_is_refused(world: World) -> None:
    owner = await world.owner()
    await deactivate(world, owner)
    with pytest.raises(AuthenticationFailed):
        await world.run(
            ChangePassword,
            owner.principal,
            ChangePasswordCommand(current_password=OWNER_PASSWORD, new_password=NEW_PASSWORD),
        )
    assert world.staff.users[owner.user.id].password_hash == "hashed:" + OWNER_PASSWORD


# -- who am I, operator revocation, what events never hold ---------------------------------------


async def test_who_am_i(world: World) -> None:
    owner = await world.owner()
    user = await world.run(WhoAmI, owner.principal)
    stored = world.staff.users[owner.user.id]
    assert (user.id, user.email, user.full_name, user.role, user.vendor_id) == (
        stored.id,
        stored.email.value,
        stored.full_name,
        stored.role,
        stored.vendor_id,
    )
    await deactivate(world, owner)
    with pytest.raises(AuthenticationFailed):
        await world.run(WhoAmI, owner.principal)


async def test_operator_revokes_every_session_by_email(world: World) -> None:
    owner = await world.owner()
    other = await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    assert await world.run(RevokeUserSessions, OWNER_EMAIL.upper()) == 2
    assert world.staff.users[owner.user.id].credentials_changed_at == world.clock.now()
    assert not await world.is_live(owner)
    assert not await world.is_live(other)
    event = world.events.last()
    assert event.kind is Kind.SESSIONS_REVOKED
    assert event.detail == {"sessions": 2, "by": "operator"}
    with pytest.raises(NotFound):
        await world.run(RevokeUserSessions, "nobody@rosa-bloom.example")


async def test_security_events_never_hold_passwords_or_tokens(world: World) -> None:
    owner = await world.owner()
    with pytest.raises(InvalidCredentials):
        await world.login(password="a wrong password")
    pair = await world.run(Refresh, owner.tokens.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await world.run(Refresh, owner.tokens.refresh_token)
    await world.change_password(await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD), OWNER_PASSWORD, NEW_PASSWORD)

    secrets = [OWNER_PASSWORD, NEW_PASSWORD, "a wrong password", owner.tokens.refresh_token, pair.refresh_token]
    secrets += [owner.tokens.access_token, pair.access_token, *world.access_tokens.issued]
    dumped = repr(world.events.events)
    assert len(world.events.events) >= 6
    for secret in secrets:
        assert secret not in dumped


async def test_a_password_change_during_a_login_leaves_no_session(world: World) -> None:
    """The login verified the old password; the change committed (and revoked everything) while
    the login was still verifying. The login must not end up with a live session."""
    owner = await world.owner()
    original_verify = world.hasher.verify
    changed = False

    async def verify_then_change(password_hash: str | None, password: str) -> bool:
        nonlocal changed
        result = await original_verify(password_hash, password)
        if not changed and password == OWNER_PASSWORD:
            changed = True
            await world.change_password(owner, OWNER_PASSWORD, "a brand new passphrase")
        return result

    world.hasher.verify = verify_then_change  # type: ignore[method-assign]
    with pytest.raises(InvalidCredentials):
        await world.login(OWNER_EMAIL, OWNER_PASSWORD)
    assert changed
    live = [s for s in world.sessions._sessions.values() if s.user_id == owner.user.id]
    assert len(live) == 1  # only the session that changed the password
    assert await world.is_live(owner)


async def test_a_role_change_during_a_login_issues_the_new_role(world: World) -> None:
    owner = await world.owner()
    staff = await world.member(owner, Role.STAFF, "staff@rosa.example")
    original_verify = world.hasher.verify

    async def verify_then_promote(password_hash: str | None, password: str) -> bool:
        result = await original_verify(password_hash, password)
        world.hasher.verify = original_verify  # type: ignore[method-assign]
        await world.run(UpdateStaff, owner.principal, UpdateStaffCommand(user_id=staff.user.id, role=Role.MANAGER))
        return result

    world.hasher.verify = verify_then_promote  # type: ignore[method-assign]
    tokens = await world.login("staff@rosa.example", staff.password)
    assert (await world.authenticate(tokens.access_token)).role is Role.MANAGER


async def test_signup_reports_every_refused_field_at_once(world: World) -> None:
    with pytest.raises(InvalidValues) as caught:
        await world.signup(
            vendor_name="\u200b",
            slug="Not A Slug",
            timezone="Mars/Olympus",
            currency="EURO",
            country="XX",
            email="not-an-email",
            full_name="   ",
            password="short",
        )
    problems = {problem.field: problem.code for problem in caught.value.problems}
    assert problems == {
        "vendor_name": "VALIDATION_ERROR",
        "vendor_slug": "VALIDATION_ERROR",
        "timezone": "VALIDATION_ERROR",
        "currency": "VALIDATION_ERROR",
        "country": "VALIDATION_ERROR",
        "email": "VALIDATION_ERROR",
        "full_name": "VALIDATION_ERROR",
        "password": "WEAK_PASSWORD",
    }
    assert caught.value.code == "VALIDATION_ERROR"  # mixed codes: the general one
    assert world.vendors.vendors == {}
    assert world.hasher.hashed == []
    assert world.uow.commits == 0


async def test_signup_checks_the_password_against_the_raw_shop_when_the_shop_is_refused(world: World) -> None:
    with pytest.raises(InvalidValues) as caught:
        await world.signup(slug="Tulpen Paradijs", password="tulpen paradijs 2024")
    assert [problem.field for problem in caught.value.problems] == ["vendor_slug", "password"]
    assert isinstance(caught.value.problems[1], WeakPassword)
