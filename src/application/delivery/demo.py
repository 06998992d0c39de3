"""The demo shop's delivery set-up, for `flower-vendor dev` and `flower-vendor demo seed`: three
Amsterdam zones by postal-code prefix, four daily slots (one same-day with a 13:00 cutoff, two with
a capacity, one on weekdays only) and Christmas Day closed, created through the same use cases a manager uses."""

from __future__ import annotations

from datetime import date

from application.delivery.ports import DeliveryQueries
from application.delivery.setup import (
    Amount,
    CreateBlackout,
    CreateBlackoutCommand,
    CreateSlot,
    CreateSlotCommand,
    CreateZone,
    CreateZoneCommand,
)
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.pagination import PageRequest

DEMO_ZONES = (
    ("Centrum", ("1011*", "1012*", "1013*", "1015*", "1016*", "1017*", "1018*"), 695, 2500),
    ("West", ("1051*", "1052*", "1053*", "1054*", "1055*", "1056*", "1057*", "1058*"), 795, None),
    ("Zuid", ("1071*", "1072*", "1073*", "1074*", "1075*", "1076*", "1077*", "1078*", "1079*"), 895, None),
)


def demo_slots(currency: str) -> tuple[CreateSlotCommand, ...]:
    free = Amount(0, currency)
    return (
        CreateSlotCommand("Morning", "09:00", "12:00", free, capacity=12),
        CreateSlotCommand("Afternoon", "13:00", "17:00", free, capacity=12),
        CreateSlotCommand(
            "Same-day express",
            "15:00",
            "18:00",
            Amount(495, currency),
            same_day=True,
            same_day_cutoff="13:00",
            capacity=4,
        ),
        CreateSlotCommand("Evening", "18:00", "21:00", Amount(295, currency), weekdays=(1, 2, 3, 4, 5)),
    )


class SeedDemoDelivery:
    """Fills an empty shop's delivery set-up; a shop that has zones already is left as it is."""

    def __init__(
        self,
        zones: CreateZone,
        slots: CreateSlot,
        blackouts: CreateBlackout,
        queries: DeliveryQueries,
        clock: Clock,
    ) -> None:
        self._zones = zones
        self._slots = slots
        self._blackouts = blackouts
        self._queries = queries
        self._clock = clock

    async def execute(self, owner: Principal, currency: str) -> int:
        if (await self._queries.zones(owner.vendor_id, PageRequest(limit=1))).total:
            return 0
        for name, codes, fee, minimum in DEMO_ZONES:
            await self._zones.execute(
                owner,
                CreateZoneCommand(
                    name=name,
                    postal_codes=codes,
                    fee=Amount(fee, currency),
                    min_subtotal=None if minimum is None else Amount(minimum, currency),
                ),
            )
        for slot in demo_slots(currency):
            await self._slots.execute(owner, slot)
        today = self._clock.now().date()
        christmas = date(today.year, 12, 25)
        if christmas < today:
            christmas = date(today.year + 1, 12, 25)
        await self._blackouts.execute(owner, CreateBlackoutCommand(on=christmas, reason="Christmas Day: closed"))
        return len(DEMO_ZONES)
