"""The customers context's own refusals."""

from __future__ import annotations

from application.shared.errors import NotFound


class CustomerNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No customer with this id.")


class AddressNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("This customer has no address with this id.")
