"""Slot capacity for the orders context: take one delivery in a slot on a date, or give it back.

Both run inside the caller's unit of work and do not commit: an order takes its slot in the same
transaction that stores it, so a rolled-back order gives nothing away. The take is the counter's
conditional UPDATE (``SlotCounters``): under any concurrency exactly ``capacity`` takes succeed."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from application.delivery.errors import SlotFull, SlotNotFound
from application.delivery.ports import DeliveryRepository, SlotCounters


class SlotCapacity:
    def __init__(self, repository: DeliveryRepository, counters: SlotCounters) -> None:
        self._repository = repository
        self._counters = counters

    async def take(self, vendor_id: UUID, slot_id: UUID, on: date) -> None:
        """Counts one delivery, or raises ``SlotFull`` (nothing counted) or ``SlotNotFound``."""
        slot = await self._repository.get_slot(vendor_id, slot_id)
        if slot is None:
            raise SlotNotFound()
        if not await self._counters.take(vendor_id, slot_id, on, slot.capacity):
            raise SlotFull()

    async def give_back(self, vendor_id: UUID, slot_id: UUID, on: date) -> bool:
        """Counts one delivery fewer (an order cancelled or moved); False when none was counted."""
        return await self._counters.give_back(vendor_id, slot_id, on)
