"""The delivery context's own refusals (their HTTP status follows from the shared kind they extend)."""

from __future__ import annotations

from application.shared.errors import Conflict, NotFound


class ZoneNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No delivery zone with this id.")


class SlotNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No delivery slot with this id.")


class BlackoutNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No blackout date with this id.")


class PostalCodeTaken(Conflict):
    """A postal code (or an overlapping prefix) already served by another active zone of the shop."""

    code = "POSTAL_CODE_TAKEN"

    def __init__(self, mine: str, theirs: str, zone_name: str) -> None:
        super().__init__(f"{mine} overlaps {theirs} of the active zone {zone_name!r}.")
        self.postal_code = mine


class BlackoutDateTaken(Conflict):
    code = "BLACKOUT_DATE_TAKEN"

    def __init__(self) -> None:
        super().__init__("This date is already blacked out.")


class SlotFull(Conflict):
    """No capacity left in the slot on that date: nothing was taken."""

    code = "SLOT_FULL"

    def __init__(self) -> None:
        super().__init__("This delivery slot is full on that date.")
