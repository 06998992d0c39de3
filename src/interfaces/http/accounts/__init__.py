"""The accounts context over HTTP: `/api/auth`, `/api/vendor`, `/api/staff`, `/api/security-events`."""

from __future__ import annotations

from application.accounts.ports import CommonPasswords, PasswordHasher
from interfaces.http.accounts.auth import AuthController
from interfaces.http.accounts.schemas import PROBLEM_EXAMPLES
from interfaces.http.accounts.security_events import SecurityEventController
from interfaces.http.accounts.staff import StaffController
from interfaces.http.accounts.vendor import VendorController
from interfaces.http.context import HttpContext

CONTEXT = HttpContext(
    controllers=(AuthController, VendorController, StaffController, SecurityEventController),
    # The common-password list, and the dummy hash that keeps unknown-email logins as slow as real ones.
    warm_up=(CommonPasswords, PasswordHasher),
    problem_examples=PROBLEM_EXAMPLES,
)
