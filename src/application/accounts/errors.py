"""The accounts context's own refusals (their HTTP status follows from the shared kind they extend)."""

from __future__ import annotations

from application.shared.errors import Conflict, RuleRefused


class EmailTaken(Conflict):
    code = "EMAIL_TAKEN"

    def __init__(self) -> None:
        super().__init__("An account with this email already exists.")


class SlugTaken(Conflict):
    code = "SLUG_TAKEN"

    def __init__(self) -> None:
        super().__init__("A shop with this slug already exists.")


class CurrentPasswordIncorrect(RuleRefused):
    """A wrong current password on a password change: 422, not 401, because the session that sent
    it is still good (a client treats 401 as "log in again" and would log the user out)."""

    code = "CURRENT_PASSWORD_INCORRECT"
    field = "current_password"

    def __init__(self) -> None:
        super().__init__("The current password is not correct.")
