"""A new password: the policy (length, visible and distinct characters, not the account's email or
shop), then the common-password list, then argon2id."""

from __future__ import annotations

from uuid import UUID

from application.accounts.ports import CommonPasswords, PasswordHasher, StaffRepository, VendorRepository
from domain.accounts.password import PasswordContext, check_password_policy, too_common


class NewPassword:
    def __init__(
        self, hasher: PasswordHasher, common: CommonPasswords, vendors: VendorRepository, staff: StaffRepository
    ) -> None:
        self._hasher = hasher
        self._common = common
        self._vendors = vendors
        self._staff = staff

    async def context_for(self, email: str, vendor_id: UUID) -> PasswordContext:
        """The context of an account with this email in this shop (a new staff member)."""
        vendor = await self._vendors.get(vendor_id)
        if vendor is None:
            return PasswordContext(email=email)
        return PasswordContext(email=email, shop_name=vendor.name, shop_slug=vendor.slug)

    async def context_of_member(self, vendor_id: UUID, user_id: UUID) -> PasswordContext:
        """The context of an existing account (a password change): its email and its shop."""
        user = await self._staff.get(vendor_id, user_id)
        if user is None:
            return PasswordContext()
        return await self.context_for(user.email.value, vendor_id)

    def check(self, password: str, field: str = "password", context: PasswordContext | None = None) -> str:
        normalised = check_password_policy(password, field, context)
        if self._common.contains(normalised):
            raise too_common(field)
        return normalised

    async def hash(self, password: str, field: str = "password", context: PasswordContext | None = None) -> str:
        return await self._hasher.hash(self.check(password, field, context))
