"""The delivery context over HTTP: zones, slots, blackout dates and availability."""

from __future__ import annotations

from interfaces.http.context import HttpContext
from interfaces.http.delivery.controllers import (
    AvailabilityController,
    BlackoutDateController,
    DeliverySlotController,
    DeliveryZoneController,
)
from interfaces.http.delivery.schemas import PROBLEM_EXAMPLES

CONTEXT = HttpContext(
    controllers=(DeliveryZoneController, DeliverySlotController, BlackoutDateController, AvailabilityController),
    problem_examples=PROBLEM_EXAMPLES,
)
