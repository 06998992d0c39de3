"""The accounts context's own refusals (their HTTP status follows from the shared kind they extend)."""

from __future__ import annotations

from application.shared.errors import Conflict


class EmailTaken(Conflict):
    code = "EMAIL_TAKEN"

    def __init__(self) -> None:
        super().__init__("An account with this email already exists.")


class SlugTaken(Conflict):
    code = "SLUG_TAKEN"

    def __init__(self) -> None:
        super().__init__("A shop with this slug already exists.")
