"""Cheap targets made dear, over the fakes: repeated failed logins are counted in one security
event per account, client and window; a logout whose revocation succeeded never fails on its audit
row, and the event is deferred rather than lost; deferred events can be restored once, idempotently."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

import pytest

from application.accounts.logout import Logout
from application.accounts.logout_everywhere import LogoutEverywhere
from application.accounts.restore_security_events import RestoreSecurityEvents
from application.shared.context import RequestMeta
from application.shared.errors import AuthenticationFailed, InvalidCredentials, TooManyAttempts
from application.shared.security_events import SecurityEvent
from application.shared.security_events import SecurityEventKind as Kind
from infrastructure.db.errors import ConcurrentUpdate
from tests.fakes import OWNER_EMAIL, OWNER_PASSWORD, World


@pytest.fixture
def world() -> World:
    return World()


async def fail(world: World, email: str = OWNER_EMAIL) -> type[Exception]:
    try:
        await world.login(email, "not the password at all")
    except (InvalidCredentials, TooManyAttempts) as error:
        return type(error)
    raise AssertionError("the login succeeded")


async def test_twenty_wrong_logins_leave_one_failed_and_one_throttled_row_with_their_counts(world: World) -> None:
    signed = await world.signup()
    before = len(world.events.events)

    outcomes = [await fail(world) for _ in range(20)]

    assert outcomes == [InvalidCredentials] * 5 + [TooManyAttempts] * 15
    added = world.events.events[before:]
    assert [e.kind for e in added] == [Kind.LOGIN_FAILED, Kind.LOGIN_THROTTLED]
    failed, throttled = added
    assert failed.detail["count"] == 5
    assert failed.detail["reason"] == "wrong_password"
    assert throttled.detail["count"] == 15
    assert throttled.detail["retry_after"] == 1
    assert {e.vendor_id for e in added} == {signed.vendor.id}
    assert {e.user_id for e in added} == {signed.user.id}


async def test_first_and_last_attempt_times_are_kept_and_the_row_moves_to_the_latest(world: World) -> None:
    await world.signup()
    first = world.clock.now()
    await fail(world)
    world.clock.advance(seconds=30)
    await fail(world)

    row = world.events.of_kind(Kind.LOGIN_FAILED)[0]
    assert row.detail == {
        "reason": "wrong_password",
        "count": 2,
        "first_at": first.isoformat(),
        "last_at": world.clock.now().isoformat(),
    }
    assert row.at == world.clock.now()


async def test_another_window_starts_another_row(world: World) -> None:
    await world.signup()
    await fail(world)
    world.clock.advance(minutes=16)  # past any 15-minute window
    await fail(world)

    rows = world.events.of_kind(Kind.LOGIN_FAILED)
    assert [r.detail["count"] for r in rows] == [1, 1]


async def test_each_client_and_each_account_has_its_own_row(world: World) -> None:
    await world.signup()
    await world.signup(email="second@rosa-bloom.example", slug="second-shop")
    await fail(world)
    await fail(world)
    world.meta = RequestMeta(client_ip="198.51.100.9", request_id="req-other")
    await fail(world)
    await fail(world, "second@rosa-bloom.example")
    await fail(world, "nobody@nowhere.example")

    rows = world.events.of_kind(Kind.LOGIN_FAILED)
    assert sorted((r.client_ip, r.detail["reason"], r.detail["count"]) for r in rows) == [
        ("198.51.100.9", "unknown_email", 1),
        ("198.51.100.9", "wrong_password", 1),
        ("198.51.100.9", "wrong_password", 1),
        ("203.0.113.7", "wrong_password", 2),
    ]


async def test_each_failure_reason_is_counted_apart(world: World) -> None:
    signed = await world.signup()
    await fail(world)
    world.staff.users[signed.user.id] = dataclasses.replace(world.staff.users[signed.user.id], active=False)
    with pytest.raises(InvalidCredentials):
        await world.login()  # right password, deactivated

    rows = world.events.of_kind(Kind.LOGIN_FAILED)
    assert sorted((r.detail["reason"], r.detail["count"]) for r in rows) == [("inactive", 1), ("wrong_password", 1)]


# -- logout while the database is down ----------------------------------------------------------


async def test_logout_succeeds_and_defers_its_event_when_the_database_is_down(world: World) -> None:
    owner = await world.owner()
    world.events.unavailable = True

    await world.run(Logout, owner.principal, owner.tokens.refresh_token)

    with pytest.raises(AuthenticationFailed):
        await world.authenticate(owner.tokens.access_token)
    assert not await world.is_live(owner)
    [event] = world.deferred.events
    assert event.kind is Kind.LOGOUT
    assert event.detail == {"sessions": [str(owner.principal.session_id)]}
    assert (event.vendor_id, event.user_id) == (owner.principal.vendor_id, owner.principal.user_id)
    assert event.request_id == world.meta.request_id


async def test_logout_everywhere_succeeds_and_defers_its_event_when_the_database_is_down(world: World) -> None:
    owner = await world.owner()
    other = await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    world.events.unavailable = True

    assert await world.run(LogoutEverywhere, owner.principal) == 2

    assert not await world.is_live(owner)
    assert not await world.is_live(other)
    [event] = world.deferred.events
    assert event.kind is Kind.LOGOUT_ALL
    assert event.detail == {"sessions": 2}


async def test_logout_with_the_database_up_defers_nothing(world: World) -> None:
    owner = await world.owner()
    await world.run(Logout, owner.principal, None)
    assert world.deferred.events == []
    assert world.events.last().kind is Kind.LOGOUT


async def test_deferred_events_are_restored_once(world: World) -> None:
    owner = await world.owner()
    world.events.unavailable = True
    await world.run(Logout, owner.principal, None)
    world.events.unavailable = False
    event = dataclasses.replace(world.deferred.events[0], id=uuid.uuid4())
    restore = await world.use(RestoreSecurityEvents)

    first = await restore.execute([event])
    again = await restore.execute([event])

    assert (first.stored, first.already_present) == (1, 0)
    assert (again.stored, again.already_present) == (0, 1)
    assert world.events.of_kind(Kind.LOGOUT) == [event]


class _Contended:
    """Wraps the fake log: the first ``conflicts`` counts fail as a concurrent update would under
    REPEATABLE READ or SERIALIZABLE."""

    def __init__(self, world: World, conflicts: int) -> None:
        self._record_repeated = world.events.record_repeated
        self.conflicts = conflicts
        world.events.record_repeated = self  # type: ignore[method-assign]

    async def __call__(self, event: SecurityEvent, *, key: str, window: timedelta) -> int:
        if self.conflicts > 0:
            self.conflicts -= 1
            raise ConcurrentUpdate
        return await self._record_repeated(event, key=key, window=window)


async def test_a_count_that_meets_a_concurrent_one_is_tried_again_in_a_fresh_transaction(world: World) -> None:
    await world.signup()
    _Contended(world, conflicts=2)
    rollbacks = world.uow.rollbacks

    with pytest.raises(InvalidCredentials):
        await world.login(OWNER_EMAIL, "not the password at all")

    assert world.uow.rollbacks == rollbacks + 2
    assert world.events.of_kind(Kind.LOGIN_FAILED)[0].detail["count"] == 1


async def test_a_count_that_keeps_meeting_concurrent_ones_is_given_up_and_the_answer_stays_401(world: World) -> None:
    await world.signup()
    _Contended(world, conflicts=100)

    with pytest.raises(InvalidCredentials):
        await world.login(OWNER_EMAIL, "not the password at all")

    assert world.events.of_kind(Kind.LOGIN_FAILED) == []
