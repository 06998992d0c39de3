"""When a token still speaks for an account: issued after the account's last credential change."""

from __future__ import annotations

from datetime import datetime


def issued_after_change(issued_at: datetime, credentials_changed_at: datetime | None) -> bool:
    """Whether a token issued at ``issued_at`` (whole seconds, as JWT ``iat``) postdates the last
    credential change; one from the same second is refused, the safe side of not knowing."""
    changed = credentials_changed_at
    return changed is None or int(issued_at.timestamp()) > int(changed.timestamp())
