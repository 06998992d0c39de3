"""The delivery context's dishka provider: its repository, counters and write use cases per
request, its query services and reads per process."""

from __future__ import annotations

from dishka import Provider, Scope, provide, provide_all

from application.delivery.capacity import SlotCapacity
from application.delivery.demo import SeedDemoDelivery
from application.delivery.ports import DeliveryQueries, DeliveryRepository, DeliveryShops, SlotCounters
from application.delivery.reads import (
    CheckAvailability,
    GetBlackout,
    GetSlot,
    GetZone,
    ListBlackouts,
    ListSlots,
    ListZones,
)
from application.delivery.setup import (
    CreateBlackout,
    CreateSlot,
    CreateZone,
    DeleteBlackout,
    DeleteZone,
    RetireSlot,
    UpdateSlot,
    UpdateZone,
)
from infrastructure.delivery.queries import SqlDeliveryQueries
from infrastructure.delivery.repositories import SqlDeliveryRepository, SqlSlotCounters
from infrastructure.delivery.shops import SqlDeliveryShops


class DeliveryUseCases(Provider):
    """The repository, the counters and the writes, one set per request (they share its session)."""

    scope = Scope.REQUEST

    repository = provide(SqlDeliveryRepository, provides=DeliveryRepository)
    counters = provide(SqlSlotCounters, provides=SlotCounters)
    use_cases = provide_all(
        CreateZone,
        UpdateZone,
        DeleteZone,
        CreateSlot,
        UpdateSlot,
        RetireSlot,
        CreateBlackout,
        DeleteBlackout,
        SlotCapacity,
        SeedDemoDelivery,
    )


class DeliveryReads(Provider):
    """Query services (one statement each) and the reads over them, one per process."""

    scope = Scope.APP

    queries = provide(SqlDeliveryQueries, provides=DeliveryQueries)
    shops = provide(SqlDeliveryShops, provides=DeliveryShops)
    use_cases = provide_all(GetZone, ListZones, GetSlot, ListSlots, GetBlackout, ListBlackouts, CheckAvailability)


def delivery_providers() -> list[Provider]:
    return [DeliveryUseCases(), DeliveryReads()]
