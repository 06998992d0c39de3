"""The accounts context over HTTP: `/api/auth`, `/api/vendor`, `/api/staff`, `/api/security-events`."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from interfaces.http.accounts.auth import AuthController
from interfaces.http.accounts.shop import SecurityEventController, StaffController, VendorController

CONTROLLERS: tuple[ControllerRouterHandler, ...] = (
    AuthController,
    VendorController,
    StaffController,
    SecurityEventController,
)
