"""Slot capacity for the orders context: book an order into a slot on a date, or give it back.

Both run inside the caller's unit of work and do not commit: an order takes its slot in the same
transaction that stores it, so a rolled-back order gives nothing away. A booking is keyed by the
order's id (``booking_id``): an order retried takes its place once, a cancel retried gives it back
once, and taking another slot or date moves the booking (and its count) there. The take is the
counter's conditional UPDATE (``SlotCounters``): under any concurrency exactly ``capacity`` orders
get a place."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from application.delivery.errors import SlotFull, SlotNotFound
from application.delivery.ports import DeliveryRepository, SlotCounters


class SlotCapacity:
    def __init__(self, repository: DeliveryRepository, counters: SlotCounters) -> None:
        self._repository = repository
        self._counters = counters

    async def take(self, vendor_id: UUID, booking_id: UUID, slot_id: UUID, on: date) -> None:
        """Books ``booking_id`` into the slot on ``on`` (moving it from where it was), or raises
        ``SlotFull`` (nothing changed) or ``SlotNotFound``. Taking it again where it is: no-op."""
        slot = await self._repository.get_slot(vendor_id, slot_id)
        if slot is None:
            raise SlotNotFound()
        if not await self._counters.take(vendor_id, booking_id, slot_id, on, slot.capacity):
            raise SlotFull()

    async def give_back(self, vendor_id: UUID, booking_id: UUID) -> bool:
        """Gives the booking's place back (an order cancelled); False when it held none."""
        return await self._counters.give_back(vendor_id, booking_id)
