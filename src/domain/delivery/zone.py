"""A delivery zone: the postal codes (or prefixes) a shop serves at one fee."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid4

from domain.delivery.postal import covers, normalise_pattern, overlap
from domain.shared.errors import Checks, InvalidValue
from domain.shared.money import Money
from domain.shared.text import clean_line

MAX_ZONE_NAME_LENGTH = 120
MAX_ZONE_CODES = 500


def check_zone_name(raw: str, field: str = "name") -> str:
    return clean_line(raw, field, max_length=MAX_ZONE_NAME_LENGTH)


def check_postal_codes(raw: Sequence[str], country: str, field: str = "postal_codes") -> tuple[str, ...]:
    """Normalised, duplicates dropped, in the order given; none overlapping another of the list."""
    if not raw:
        raise InvalidValue(field, "must list at least one postal code or prefix")
    if len(raw) > MAX_ZONE_CODES:
        raise InvalidValue(field, f"must list at most {MAX_ZONE_CODES} entries")
    checks = Checks()
    kept: list[str] = []
    for index, entry in enumerate(raw):
        try:
            code = normalise_pattern(entry, country, f"{field}[{index}]")
        except InvalidValue as problem:
            checks.add(problem)
            continue
        if code in kept:
            continue
        clash = next((other for other in kept if overlap(other, code)), None)
        if clash is not None:
            checks.add(InvalidValue(f"{field}[{index}]", f"overlaps {clash} in the same zone"))
            continue
        kept.append(code)
    checks.raise_any()
    return tuple(kept)


@dataclass(frozen=True, slots=True)
class DeliveryZone:
    id: UUID
    vendor_id: UUID
    name: str
    postal_codes: tuple[str, ...]
    fee: Money
    min_subtotal: Money | None
    active: bool
    created_at: datetime | None = None

    @classmethod
    def create(
        cls,
        *,
        vendor_id: UUID,
        name: str,
        postal_codes: Sequence[str],
        fee: Money,
        min_subtotal: Money | None,
        country: str,
        active: bool = True,
        at: datetime | None = None,
    ) -> DeliveryZone:
        checks = Checks()
        clean_name = checks.run(check_zone_name, name)
        codes = checks.run(lambda value: check_postal_codes(value, country), postal_codes)
        checks.raise_any()
        return cls(uuid4(), vendor_id, clean_name, tuple(codes), fee, min_subtotal, active, at)

    def changed(
        self,
        *,
        country: str,
        name: str | None = None,
        postal_codes: Sequence[str] | None = None,
        fee: Money | None = None,
        min_subtotal: Money | None = None,
        clear_min_subtotal: bool = False,
        active: bool | None = None,
    ) -> DeliveryZone:
        checks = Checks()
        clean_name = checks.run(check_zone_name, name) if name is not None else self.name
        codes = (
            checks.run(lambda value: check_postal_codes(value, country), postal_codes)
            if postal_codes is not None
            else self.postal_codes
        )
        checks.raise_any()
        return replace(
            self,
            name=clean_name,
            postal_codes=tuple(codes),
            fee=fee if fee is not None else self.fee,
            min_subtotal=None
            if clear_min_subtotal
            else (min_subtotal if min_subtotal is not None else self.min_subtotal),
            active=self.active if active is None else active,
        )

    def serves(self, code: str) -> bool:
        return any(covers(pattern, code) for pattern in self.postal_codes)

    def clashes(self, others: Iterable[DeliveryZone]) -> tuple[DeliveryZone, str, str] | None:
        """The first other active zone sharing a code with this one (with both entries), if any."""
        if not self.active:
            return None
        for other in others:
            if other.id == self.id or not other.active:
                continue
            for mine in self.postal_codes:
                for theirs in other.postal_codes:
                    if overlap(mine, theirs):
                        return other, mine, theirs
        return None


def zone_for(zones: Iterable[DeliveryZone], code: str) -> DeliveryZone | None:
    """The active zone serving ``code`` (at most one: the repository refuses overlaps)."""
    return next((zone for zone in zones if zone.active and zone.serves(code)), None)
