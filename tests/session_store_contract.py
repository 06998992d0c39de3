"""The behaviour every ``SessionStore`` must show, written once for the in-memory twin and Redis.

Subclass ``SessionStoreContract`` in a ``test_*.py`` module (as ``Test...``) and give it a
``harness`` fixture; every test below then runs against that store. Time passes through
``harness.elapse``: a fake clock for the in-memory store, real waiting for Redis, so the TTL tests
use a short (1 s) lifetime.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import pytest

from application.accounts.ports import ReuseGrace, RotationOutcome, SessionRecord, SessionStore
from infrastructure.accounts.refresh_tokens import OpaqueRefreshTokens

WEEK = timedelta(days=7)
SHORT = timedelta(seconds=1)
GRACE = timedelta(seconds=10)
_tokens = OpaqueRefreshTokens()


class Harness(Protocol):
    @property
    def store(self) -> SessionStore: ...

    async def elapse(self, seconds: float) -> None: ...


def new_hash() -> str:
    return _tokens.new().token_hash


def new_record(user_id: uuid.UUID | None = None) -> SessionRecord:
    return SessionRecord(session_id=uuid.uuid4(), user_id=user_id or uuid.uuid4(), vendor_id=uuid.uuid4())


@dataclass
class Family:
    record: SessionRecord
    current: str


async def start(store: SessionStore, user_id: uuid.UUID | None = None, ttl: timedelta = WEEK) -> Family:
    record = new_record(user_id)
    first = new_hash()
    await store.create(record, first, ttl)
    return Family(record, first)


async def assert_dead(store: SessionStore, family: Family, *hashes: str) -> None:
    """The session is gone and none of the given tokens finds or rotates anything."""
    assert not await store.is_live(family.record.session_id)
    for token_hash in (family.current, *hashes):
        assert await store.find(token_hash) is None
        rotation = await store.rotate(token_hash, new_hash(), WEEK)
        assert rotation.outcome is RotationOutcome.UNKNOWN
        assert rotation.session is None


class SessionStoreContract:
    # -- create / find / is_live -------------------------------------------------------------

    async def test_create_then_find_and_is_live(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        assert await store.find(family.current) == family.record
        assert await store.is_live(family.record.session_id)

    async def test_unknown_session_and_token(self, harness: Harness) -> None:
        store = harness.store
        assert not await store.is_live(uuid.uuid4())
        assert await store.find(new_hash()) is None

    async def test_create_refuses_a_hash_in_use(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        with pytest.raises(ValueError, match="already exists"):
            await store.create(new_record(), family.current, WEEK)
        assert await store.find(family.current) == family.record

    async def test_create_refuses_a_non_positive_ttl(self, harness: Harness) -> None:
        with pytest.raises(ValueError, match="positive"):
            await harness.store.create(new_record(), new_hash(), timedelta(0))

    # -- rotation ----------------------------------------------------------------------------

    async def test_rotate_spends_the_presented_token(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        successor = new_hash()
        rotation = await store.rotate(family.current, successor, WEEK)
        assert rotation.outcome is RotationOutcome.ROTATED
        assert rotation.session == family.record
        assert await store.find(family.current) is None  # spent
        assert await store.find(successor) == family.record
        assert await store.is_live(family.record.session_id)

    async def test_rotation_chain(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        current = family.current
        for _ in range(5):
            successor = new_hash()
            assert (await store.rotate(current, successor, WEEK)).outcome is RotationOutcome.ROTATED
            current = successor
        assert await store.find(current) == family.record

    async def test_reuse_of_the_spent_token_kills_the_family(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        newest = new_hash()
        assert (await store.rotate(family.current, newest, WEEK)).outcome is RotationOutcome.ROTATED

        replay = await store.rotate(family.current, new_hash(), WEEK)
        assert replay.outcome is RotationOutcome.REUSED
        assert replay.session == family.record
        await assert_dead(store, family, newest)

    async def test_reuse_of_an_old_token_kills_the_newest(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        chain = [family.current]
        for _ in range(3):
            chain.append(new_hash())
            assert (await store.rotate(chain[-2], chain[-1], WEEK)).outcome is RotationOutcome.ROTATED
        assert (await store.rotate(chain[1], new_hash(), WEEK)).outcome is RotationOutcome.REUSED
        await assert_dead(store, family, *chain)

    async def test_reuse_leaves_other_sessions_alone(self, harness: Harness) -> None:
        store = harness.store
        user_id = uuid.uuid4()
        victim, bystander = await start(store, user_id), await start(store, user_id)
        assert (await store.rotate(victim.current, new_hash(), WEEK)).outcome is RotationOutcome.ROTATED
        assert (await store.rotate(victim.current, new_hash(), WEEK)).outcome is RotationOutcome.REUSED
        assert await store.is_live(bystander.record.session_id)
        assert await store.find(bystander.current) == bystander.record

    async def test_never_issued_token_is_unknown(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        rotation = await store.rotate(new_hash(), new_hash(), WEEK)
        assert rotation.outcome is RotationOutcome.UNKNOWN
        assert rotation.session is None
        assert await store.find(family.current) == family.record

    async def test_rotate_refuses_a_hash_in_use_without_spending(self, harness: Harness) -> None:
        store = harness.store
        family, other = await start(store), await start(store)
        with pytest.raises(ValueError, match="already exists"):
            await store.rotate(family.current, other.current, WEEK)
        assert await store.find(family.current) == family.record
        assert await store.find(other.current) == other.record

    # -- reuse grace -------------------------------------------------------------------------

    async def test_within_the_grace_the_spent_token_repeats_its_successor(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        successor = new_hash()
        grace = ReuseGrace(GRACE, "sealed-successor")
        assert (await store.rotate(family.current, successor, WEEK, grace=grace)).outcome is RotationOutcome.ROTATED
        for _ in range(3):  # a second and a third tab
            unused = new_hash()
            repeated = await store.rotate(family.current, unused, WEEK, grace=ReuseGrace(GRACE, "other"))
            assert repeated.outcome is RotationOutcome.REPEATED
            assert repeated.session == family.record
            assert (repeated.successor_hash, repeated.sealed_successor) == (successor, "sealed-successor")
            assert await store.find(unused) is None  # nothing new was made
        assert await store.find(successor) == family.record  # still the one current token
        assert (await store.rotate(successor, new_hash(), WEEK)).outcome is RotationOutcome.ROTATED

    async def test_after_the_grace_the_spent_token_is_reuse(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        successor = new_hash()
        grace = ReuseGrace(timedelta(milliseconds=500), "sealed")
        assert (await store.rotate(family.current, successor, WEEK, grace=grace)).outcome is RotationOutcome.ROTATED
        await harness.elapse(0.8)
        assert (await store.rotate(family.current, new_hash(), WEEK, grace=grace)).outcome is RotationOutcome.REUSED
        await assert_dead(store, family, successor)

    async def test_once_the_family_moved_on_the_grace_is_over(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        first, second = new_hash(), new_hash()
        grace = ReuseGrace(GRACE, "sealed")
        assert (await store.rotate(family.current, first, WEEK, grace=grace)).outcome is RotationOutcome.ROTATED
        assert (await store.rotate(first, second, WEEK, grace=grace)).outcome is RotationOutcome.ROTATED
        # Two steps behind: the successor it would repeat is spent too.
        assert (await store.rotate(family.current, new_hash(), WEEK, grace=grace)).outcome is RotationOutcome.REUSED
        await assert_dead(store, family, first, second)

    async def test_a_rotation_without_grace_stays_strict(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        successor = new_hash()
        assert (await store.rotate(family.current, successor, WEEK)).outcome is RotationOutcome.ROTATED
        # A grace asked for by the second presentation does not reach back to the first rotation.
        replay = await store.rotate(family.current, new_hash(), WEEK, grace=ReuseGrace(GRACE, "sealed"))
        assert replay.outcome is RotationOutcome.REUSED
        await assert_dead(store, family, successor)

    async def test_a_revoked_session_repeats_nothing(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        successor = new_hash()
        grace = ReuseGrace(GRACE, "sealed")
        assert (await store.rotate(family.current, successor, WEEK, grace=grace)).outcome is RotationOutcome.ROTATED
        await store.revoke(family.record.session_id)
        replay = await store.rotate(family.current, new_hash(), WEEK, grace=grace)
        assert replay.outcome in (RotationOutcome.UNKNOWN, RotationOutcome.REUSED)
        await assert_dead(store, family, successor)

    async def test_concurrent_rotations_with_grace_share_one_successor(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        successors = [new_hash() for _ in range(30)]
        rotations = await asyncio.gather(
            *(store.rotate(family.current, s, WEEK, grace=ReuseGrace(GRACE, f"sealed-{s}")) for s in successors)
        )
        outcomes = Counter(rotation.outcome for rotation in rotations)
        assert outcomes == Counter({RotationOutcome.ROTATED: 1, RotationOutcome.REPEATED: 29})
        winner = successors[next(i for i, r in enumerate(rotations) if r.outcome is RotationOutcome.ROTATED)]
        for rotation in rotations:
            assert rotation.session == family.record
            if rotation.outcome is RotationOutcome.REPEATED:
                assert (rotation.successor_hash, rotation.sealed_successor) == (winner, f"sealed-{winner}")
        assert await store.find(winner) == family.record

    # -- revocation --------------------------------------------------------------------------

    async def test_revoke(self, harness: Harness) -> None:
        store = harness.store
        user_id = uuid.uuid4()
        family, other = await start(store, user_id), await start(store, user_id)
        spent = family.current
        family.current = new_hash()
        assert (await store.rotate(spent, family.current, WEEK)).outcome is RotationOutcome.ROTATED

        await store.revoke(family.record.session_id)
        await assert_dead(store, family, spent)
        assert await store.find(other.current) == other.record
        await store.revoke(family.record.session_id)  # again: nothing to do
        await store.revoke(uuid.uuid4())

    async def test_revoke_all_except_one(self, harness: Harness) -> None:
        store = harness.store
        user_id = uuid.uuid4()
        families = [await start(store, user_id) for _ in range(3)]
        stranger = await start(store)
        keep = families[1]

        assert await store.revoke_all(user_id, except_session=keep.record.session_id) == 2
        for family in (families[0], families[2]):
            await assert_dead(store, family)
        assert await store.find(keep.current) == keep.record
        assert await store.find(stranger.current) == stranger.record

        assert await store.revoke_all(user_id, except_session=keep.record.session_id) == 0
        assert await store.revoke_all(user_id) == 1
        await assert_dead(store, keep)
        assert await store.is_live(stranger.record.session_id)
        assert await store.revoke_all(uuid.uuid4()) == 0

    async def test_revoke_all_includes_rotated_sessions(self, harness: Harness) -> None:
        store = harness.store
        user_id = uuid.uuid4()
        family = await start(store, user_id)
        spent, family.current = family.current, new_hash()
        assert (await store.rotate(spent, family.current, WEEK)).outcome is RotationOutcome.ROTATED
        assert await store.revoke_all(user_id) == 1
        await assert_dead(store, family, spent)

    # -- expiry ------------------------------------------------------------------------------

    async def test_session_expires(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store, ttl=SHORT)
        await harness.elapse(1.2)
        await assert_dead(store, family)

    async def test_rotation_extends_the_family(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store, ttl=SHORT)
        await harness.elapse(0.6)
        spent, family.current = family.current, new_hash()
        assert (await store.rotate(spent, family.current, SHORT)).outcome is RotationOutcome.ROTATED
        await harness.elapse(0.6)  # 1.2 s after creation: alive thanks to the rotation
        assert await store.is_live(family.record.session_id)
        assert await store.find(family.current) == family.record
        await harness.elapse(0.6)
        await assert_dead(store, family, spent)

    async def test_expired_sessions_are_not_counted(self, harness: Harness) -> None:
        store = harness.store
        user_id = uuid.uuid4()
        await start(store, user_id, ttl=SHORT)
        lasting = await start(store, user_id)
        await harness.elapse(1.2)
        assert await store.revoke_all(user_id) == 1
        await assert_dead(store, lasting)

    # -- concurrency -------------------------------------------------------------------------

    async def test_concurrent_rotation_of_one_token(self, harness: Harness) -> None:
        store = harness.store
        family = await start(store)
        successors = [new_hash() for _ in range(50)]
        rotations = await asyncio.gather(*(store.rotate(family.current, s, WEEK) for s in successors))

        outcomes = Counter(rotation.outcome for rotation in rotations)
        assert outcomes[RotationOutcome.ROTATED] == 1
        assert outcomes[RotationOutcome.REUSED] >= 1  # the first replay after the winner
        assert outcomes[RotationOutcome.REUSED] + outcomes[RotationOutcome.UNKNOWN] == 49
        for rotation in rotations:
            if rotation.outcome is not RotationOutcome.UNKNOWN:
                assert rotation.session == family.record
        # The replay revoked the family, the winner's new token included.
        await assert_dead(store, family, *successors)

    async def test_concurrent_rotation_of_distinct_sessions(self, harness: Harness) -> None:
        store = harness.store
        families = [await start(store) for _ in range(20)]
        successors = [new_hash() for _ in families]
        rotations = await asyncio.gather(
            *(store.rotate(f.current, s, WEEK) for f, s in zip(families, successors, strict=True))
        )
        assert all(rotation.outcome is RotationOutcome.ROTATED for rotation in rotations)
        for family, successor in zip(families, successors, strict=True):
            assert await store.find(successor) == family.record
