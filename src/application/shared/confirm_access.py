"""Who an access token speaks for when the session store cannot say whether its session is live.

Normally Redis confirms every access token's session on every request (revocation at once). When
Redis does not answer — an outage, or an answer that came too late — the request is not simply let
through: it gets only what PostgreSQL still confirms. The account and its shop must be active, the
token must postdate the account's last credential change (password, role, deactivation, "log out
everywhere", an operator's revocation), and the role acted with is the one PostgreSQL holds, not the
token's. If PostgreSQL does not answer either, the request fails with 503.

What this cannot see is the end of one single session (a logout) during the outage window: the
token of a session logged out while Redis was down keeps working until it expires (15 minutes) or
Redis answers again. Logging out needs Redis, so such a logout answered 503 and the client knows.
"""

from __future__ import annotations

from application.shared.access import AccessClaims, AccountStandings
from application.shared.context import Principal
from application.shared.errors import AuthenticationFailed
from domain.shared.credentials import issued_after_change
from domain.shared.role import Role


class AccessNotConfirmed(AuthenticationFailed):
    code = "INVALID_TOKEN"

    def __init__(self) -> None:
        super().__init__("The access token is missing, invalid, expired or revoked.")


class ConfirmAccess:
    def __init__(self, standings: AccountStandings) -> None:
        self._standings = standings

    async def principal(self, claims: AccessClaims) -> Principal:
        standing = await self._standings.standing(claims.vendor_id, claims.user_id)
        if standing is None or not standing.active:
            raise AccessNotConfirmed
        if not issued_after_change(claims.issued_at, standing.credentials_changed_at):
            raise AccessNotConfirmed
        try:
            role = Role(standing.role)
        except ValueError:
            raise AccessNotConfirmed from None
        return Principal(user_id=claims.user_id, vendor_id=claims.vendor_id, role=role, session_id=claims.session_id)
