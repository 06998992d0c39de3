"""Operators: the principal a local Python script acts with, as a named staff member of a shop.

Use cases that act for a staff member take a ``Principal``, normally built from a live session's
access token. A script run by an operator on the server (``interfaces.cli.scripts.run_as``) has no
session: it names the shop (its slug) and the member (their email) and gets a principal with the
member's *stored* role and ``SCRIPT_SESSION_ID`` for its session, so it may do exactly what that
member may do, no more. Nothing is recorded here: the use cases the script then calls record their
own security events, as for any caller, from the local operator (client ``local``).

The principal is read once: a role change or deactivation made while the script runs is not seen
by it (run it again). A member or shop that is deactivated now is refused, as a login would be.
"""

from __future__ import annotations

from application.accounts.ports import StaffRepository, VendorRepository
from application.shared.context import SCRIPT_SESSION_ID, Principal
from application.shared.errors import NotFound, PermissionDenied
from domain.shared.email import Email


class ActAs:
    def __init__(self, vendors: VendorRepository, staff: StaffRepository) -> None:
        self._vendors = vendors
        self._staff = staff

    async def execute(self, shop_slug: str, email: str) -> Principal:
        """Raises ``InvalidValue`` (not an email), ``NotFound`` (no such shop, or no such member of
        it) or ``PermissionDenied`` (the shop or the member is deactivated)."""
        address = Email.parse(email)
        vendor = await self._vendors.get_by_slug(shop_slug)
        if vendor is None:
            raise NotFound(f"No shop has the slug {shop_slug!r}.")
        user = await self._staff.get_by_email(address)
        if user is None or user.vendor_id != vendor.id:
            raise NotFound(f"The shop {shop_slug!r} has no staff member with the email {address.value!r}.")
        if not vendor.active:
            raise PermissionDenied(f"The shop {shop_slug!r} is deactivated: nobody may act for it.")
        if not user.active:
            raise PermissionDenied(f"The account {address.value!r} of {shop_slug!r} is deactivated.")
        return Principal(user_id=user.id, vendor_id=vendor.id, role=user.role, session_id=SCRIPT_SESSION_ID)
