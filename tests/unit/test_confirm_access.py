"""ConfirmAccess: what an access token may do while Redis cannot confirm its session."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from application.shared.access import AccessClaims, AccountStanding
from application.shared.confirm_access import AccessNotConfirmed, ConfirmAccess
from application.shared.errors import DependencyUnavailable
from domain.shared.role import Role

ISSUED = datetime(2026, 6, 1, 10, 0, 0, tzinfo=UTC)
VENDOR, USER, SESSION = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def claims(role: str = "OWNER", issued_at: datetime = ISSUED) -> AccessClaims:
    return AccessClaims(
        user_id=USER,
        vendor_id=VENDOR,
        role=role,
        session_id=SESSION,
        token_id="jti",
        issued_at=issued_at,
        expires_at=issued_at + timedelta(minutes=15),
    )


class Standings:
    def __init__(self, standing: AccountStanding | None = None, *, down: bool = False) -> None:
        self.standing_ = standing
        self.down = down
        self.asked: list[tuple[uuid.UUID, uuid.UUID]] = []

    async def standing(self, vendor_id: uuid.UUID, user_id: uuid.UUID) -> AccountStanding | None:
        self.asked.append((vendor_id, user_id))
        if self.down:
            raise DependencyUnavailable("The database is unavailable.")
        return self.standing_


async def test_an_active_unchanged_account_is_confirmed_with_the_stored_role() -> None:
    standings = Standings(AccountStanding(role="STAFF", active=True, credentials_changed_at=None))
    principal = await ConfirmAccess(standings).principal(claims(role="OWNER"))
    assert principal.role is Role.STAFF  # PostgreSQL's role, never the token's
    assert (principal.user_id, principal.vendor_id, principal.session_id) == (USER, VENDOR, SESSION)
    assert standings.asked == [(VENDOR, USER)]


@pytest.mark.parametrize(
    "standing",
    [
        None,  # no such account in that shop
        AccountStanding(role="OWNER", active=False, credentials_changed_at=None),  # deactivated (or its shop)
        AccountStanding(role="OWNER", active=True, credentials_changed_at=ISSUED + timedelta(minutes=1)),
        AccountStanding(role="OWNER", active=True, credentials_changed_at=ISSUED + timedelta(milliseconds=400)),
        AccountStanding(role="NOBODY", active=True, credentials_changed_at=None),
    ],
)
async def test_what_postgresql_does_not_back_is_refused(standing: AccountStanding | None) -> None:
    with pytest.raises(AccessNotConfirmed):
        await ConfirmAccess(Standings(standing)).principal(claims())


async def test_a_token_issued_after_the_last_change_is_confirmed() -> None:
    standing = AccountStanding(role="MANAGER", active=True, credentials_changed_at=ISSUED - timedelta(seconds=1))
    assert (await ConfirmAccess(Standings(standing)).principal(claims())).role is Role.MANAGER


async def test_a_database_that_does_not_answer_is_unavailable_never_confirmed() -> None:
    with pytest.raises(DependencyUnavailable):
        await ConfirmAccess(Standings(down=True)).principal(claims())
