"""A new password: the length policy, then the common-password list, then argon2id."""

from __future__ import annotations

from application.ports.security import CommonPasswords, PasswordHasher
from domain.users.password import check_password_policy, too_common


class NewPassword:
    def __init__(self, hasher: PasswordHasher, common: CommonPasswords) -> None:
        self._hasher = hasher
        self._common = common

    def check(self, password: str, field: str = "password") -> str:
        normalised = check_password_policy(password, field)
        if self._common.contains(normalised):
            raise too_common(field)
        return normalised

    async def hash(self, password: str, field: str = "password") -> str:
        return await self._hasher.hash(self.check(password, field))
