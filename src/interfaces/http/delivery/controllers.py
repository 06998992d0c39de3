"""`/api/delivery-zones`, `/api/delivery-slots`, `/api/blackout-dates` and `/api/availability`:
a shop's delivery set-up and what can still be booked. Every role reads; managers and owners write."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from dishka import FromDishka
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.delivery.errors import BlackoutNotFound, SlotNotFound, ZoneNotFound
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
    Amount,
    CreateBlackout,
    CreateBlackoutCommand,
    CreateSlot,
    CreateSlotCommand,
    CreateZone,
    CreateZoneCommand,
    DeleteBlackout,
    DeleteZone,
    RetireSlot,
    UpdateSlot,
    UpdateSlotCommand,
    UpdateZone,
    UpdateZoneCommand,
)
from application.delivery.views import AvailabilityOut, BlackoutOut, SlotOut, ZoneOut
from application.shared.context import Principal
from application.shared.pagination import PageRequest
from domain.shared.role import Role
from interfaces.http.auth import AnyRequest, principal_of, requires
from interfaces.http.delivery.schemas import (
    MAX_QUERY_POSTAL_CODE,
    BlackoutIn,
    BlackoutPage,
    DeliveryMoneyIn,
    SlotIn,
    SlotPage,
    SlotPatchIn,
    ZoneIn,
    ZonePage,
    ZonePatchIn,
)
from interfaces.http.di import inject, inject_app
from interfaces.http.pagination import Limit, Offset, envelope
from interfaces.http.patching import change, given
from interfaces.http.paths import path_id

_WRITE = requires(Role.MANAGER, "delivery")
OnDate = Annotated[date, Parameter(description="The delivery date, shop-local (YYYY-MM-DD)")]
PostalCode = Annotated[
    str, Parameter(min_length=1, max_length=MAX_QUERY_POSTAL_CODE, description="The address's postal code")
]
Since = Annotated[date | None, Parameter(description="Only dates on or after this one")]


def _amount(money: DeliveryMoneyIn | None) -> Amount | None:
    return Amount(money.amount_minor, money.currency) if money is not None else None


class DeliveryZoneController(Controller):
    path = "/api/delivery-zones"
    tags = ["delivery"]  # noqa: RUF012

    @get("/", summary="The shop's delivery zones")
    @inject_app
    async def list_delivery_zones(
        self, request: AnyRequest, use_case: FromDishka[ListZones], limit: Limit = 50, offset: Offset = 0
    ) -> ZonePage:
        page = await use_case.execute(principal_of(request), PageRequest(limit=limit, offset=offset))
        return envelope(ZonePage, page)

    @get("/{zone_id:str}", summary="One delivery zone")
    @inject_app
    async def get_delivery_zone(
        self, request: AnyRequest, zone_id: FromPath[str], use_case: FromDishka[GetZone]
    ) -> ZoneOut:
        return await use_case.execute(principal_of(request), path_id(zone_id, ZoneNotFound))

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[_WRITE],
        opt={"problems": (404, 409, 422)},
        summary="Add a delivery zone (a postal code belongs to at most one active zone)",
    )
    @inject
    async def create_delivery_zone(
        self, data: JSONBody[ZoneIn], principal: FromDishka[Principal], use_case: FromDishka[CreateZone]
    ) -> ZoneOut:
        command = CreateZoneCommand(
            name=data.name,
            postal_codes=data.postal_codes,
            fee=Amount(data.fee.amount_minor, data.fee.currency),
            min_subtotal=_amount(data.min_subtotal),
            active=data.active,
        )
        return await use_case.execute(principal, command)

    @patch(
        "/{zone_id:str}",
        guards=[_WRITE],
        opt={"problems": (409, 422)},
        summary="Change a zone's name, codes, fees or whether it is active",
    )
    @inject
    async def update_delivery_zone(
        self,
        zone_id: FromPath[str],
        data: JSONBody[ZonePatchIn],
        principal: FromDishka[Principal],
        use_case: FromDishka[UpdateZone],
    ) -> ZoneOut:
        min_subtotal, clear_min_subtotal = change(data.min_subtotal)
        command = UpdateZoneCommand(
            zone_id=path_id(zone_id, ZoneNotFound),
            name=given(data.name),
            postal_codes=given(data.postal_codes),
            fee=_amount(given(data.fee)),
            min_subtotal=_amount(min_subtotal),
            clear_min_subtotal=clear_min_subtotal,
            active=given(data.active),
        )
        return await use_case.execute(principal, command)

    @delete("/{zone_id:str}", status_code=HTTP_204_NO_CONTENT, guards=[_WRITE], summary="Delete a delivery zone")
    @inject
    async def delete_delivery_zone(
        self, zone_id: FromPath[str], principal: FromDishka[Principal], use_case: FromDishka[DeleteZone]
    ) -> None:
        await use_case.execute(principal, path_id(zone_id, ZoneNotFound))


class DeliverySlotController(Controller):
    path = "/api/delivery-slots"
    tags = ["delivery"]  # noqa: RUF012

    @get("/", summary="The shop's delivery slots, earliest first")
    @inject_app
    async def list_delivery_slots(
        self, request: AnyRequest, use_case: FromDishka[ListSlots], limit: Limit = 50, offset: Offset = 0
    ) -> SlotPage:
        page = await use_case.execute(principal_of(request), PageRequest(limit=limit, offset=offset))
        return envelope(SlotPage, page)

    @get("/{slot_id:str}", summary="One delivery slot")
    @inject_app
    async def get_delivery_slot(
        self, request: AnyRequest, slot_id: FromPath[str], use_case: FromDishka[GetSlot]
    ) -> SlotOut:
        return await use_case.execute(principal_of(request), path_id(slot_id, SlotNotFound))

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[_WRITE],
        opt={"problems": (404, 422)},
        summary="Add a daily delivery window (shop-local HH:MM)",
    )
    @inject
    async def create_delivery_slot(
        self, data: JSONBody[SlotIn], principal: FromDishka[Principal], use_case: FromDishka[CreateSlot]
    ) -> SlotOut:
        command = CreateSlotCommand(
            name=data.name,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            fee=Amount(data.fee.amount_minor, data.fee.currency),
            same_day=data.same_day,
            same_day_cutoff=data.same_day_cutoff,
            capacity=data.capacity,
            weekdays=data.weekdays,
        )
        return await use_case.execute(principal, command)

    @patch("/{slot_id:str}", guards=[_WRITE], opt={"problems": (422,)}, summary="Change a delivery slot")
    @inject
    async def update_delivery_slot(
        self,
        slot_id: FromPath[str],
        data: JSONBody[SlotPatchIn],
        principal: FromDishka[Principal],
        use_case: FromDishka[UpdateSlot],
    ) -> SlotOut:
        cutoff, clear_cutoff = change(data.same_day_cutoff)
        capacity, clear_capacity = change(data.capacity)
        weekdays, clear_weekdays = change(data.weekdays)
        command = UpdateSlotCommand(
            slot_id=path_id(slot_id, SlotNotFound),
            name=given(data.name),
            starts_at=given(data.starts_at),
            ends_at=given(data.ends_at),
            fee=_amount(given(data.fee)),
            same_day=given(data.same_day),
            same_day_cutoff=cutoff,
            clear_cutoff=clear_cutoff,
            capacity=capacity,
            clear_capacity=clear_capacity,
            weekdays=weekdays,
            clear_weekdays=clear_weekdays,
            active=given(data.active),
        )
        return await use_case.execute(principal, command)

    @delete(
        "/{slot_id:str}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[_WRITE],
        summary="Retire a delivery slot (kept for the orders that name it; no longer offered)",
    )
    @inject
    async def delete_delivery_slot(
        self, slot_id: FromPath[str], principal: FromDishka[Principal], use_case: FromDishka[RetireSlot]
    ) -> None:
        await use_case.execute(principal, path_id(slot_id, SlotNotFound))


class BlackoutDateController(Controller):
    path = "/api/blackout-dates"
    tags = ["delivery"]  # noqa: RUF012

    @get("/", summary="The shop's blackout dates, in date order")
    @inject_app
    async def list_blackout_dates(
        self,
        request: AnyRequest,
        use_case: FromDishka[ListBlackouts],
        since: Since = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> BlackoutPage:
        page = await use_case.execute(principal_of(request), PageRequest(limit=limit, offset=offset), since)
        return envelope(BlackoutPage, page)

    @get("/{blackout_id:str}", summary="One blackout date")
    @inject_app
    async def get_blackout_date(
        self, request: AnyRequest, blackout_id: FromPath[str], use_case: FromDishka[GetBlackout]
    ) -> BlackoutOut:
        return await use_case.execute(principal_of(request), path_id(blackout_id, BlackoutNotFound))

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[_WRITE],
        opt={"problems": (409,)},
        summary="Black out a date: no deliveries that day",
    )
    @inject
    async def create_blackout_date(
        self, data: JSONBody[BlackoutIn], principal: FromDishka[Principal], use_case: FromDishka[CreateBlackout]
    ) -> BlackoutOut:
        return await use_case.execute(principal, CreateBlackoutCommand(on=data.date, reason=data.reason))

    @delete(
        "/{blackout_id:str}", status_code=HTTP_204_NO_CONTENT, guards=[_WRITE], summary="Open a blacked-out date again"
    )
    @inject
    async def delete_blackout_date(
        self, blackout_id: FromPath[str], principal: FromDishka[Principal], use_case: FromDishka[DeleteBlackout]
    ) -> None:
        await use_case.execute(principal, path_id(blackout_id, BlackoutNotFound))


class AvailabilityController(Controller):
    path = "/api/availability"
    tags = ["delivery"]  # noqa: RUF012

    @get(
        "/",
        opt={"problems": (404,)},
        summary="The slots of a date for an address: bookable with their fee, or why not",
        description=(
            "Computed in the shop's time zone. Reasons: DELIVERY_DATE_PAST, DELIVERY_DATE_BLACKED_OUT, "
            "OUT_OF_AREA, SAME_DAY_CUTOFF_PASSED, SLOT_FULL. A wall time the clocks skip on a spring-forward "
            "day means the moment they jump; one they repeat in autumn means its first occurrence."
        ),
    )
    @inject_app
    async def check_delivery_availability(
        self, request: AnyRequest, use_case: FromDishka[CheckAvailability], date: OnDate, postal_code: PostalCode
    ) -> AvailabilityOut:
        return await use_case.execute(principal_of(request), date, postal_code)
