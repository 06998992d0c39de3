"""A flower shop: the tenant that owns every other record."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID, uuid4

from domain.shared.errors import Checks, InvalidValue
from domain.shared.iso_codes import COUNTRIES, CURRENCIES
from domain.shared.text import clean_line

MAX_VENDOR_NAME_LENGTH = 120
_SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DEFAULT_CARD_MESSAGE_MAX = 200
MAX_CARD_MESSAGE_MAX = 1000


# Files the host's zoneinfo directory may hold that are not IANA zone names.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name not in _NOT_ZONES and not name.startswith(("posix/", "right/"))
    )


def check_vendor_name(raw: str, field: str = "vendor_name") -> str:
    return clean_line(raw, field, max_length=MAX_VENDOR_NAME_LENGTH)


def check_slug(raw: str, field: str = "vendor_slug") -> str:
    if not 3 <= len(raw) <= 63 or not _SLUG_RE.fullmatch(raw):
        raise InvalidValue(field, "must be 3 to 63 lower-case letters, digits and single hyphens")
    return raw


def check_timezone(raw: str, field: str = "timezone") -> str:
    if raw not in _time_zones():
        raise InvalidValue(field, "must be an IANA time zone such as Europe/Amsterdam")
    return raw


def check_currency(raw: str, field: str = "currency") -> str:
    if raw not in CURRENCIES:
        raise InvalidValue(field, "must be an ISO 4217 currency code such as EUR")
    return raw


def check_country(raw: str, field: str = "country") -> str:
    if raw not in COUNTRIES:
        raise InvalidValue(field, "must be an ISO 3166-1 alpha-2 country code such as NL")
    return raw


def check_card_message_max(value: int, field: str = "card_message_max") -> int:
    if not 1 <= value <= MAX_CARD_MESSAGE_MAX:
        raise InvalidValue(field, f"must be between 1 and {MAX_CARD_MESSAGE_MAX}")
    return value


@dataclass(frozen=True, slots=True)
class Vendor:
    id: UUID
    name: str
    slug: str
    timezone: str
    currency: str
    country: str
    settings: dict[str, Any] = field(default_factory=dict)
    active: bool = True
    created_at: datetime | None = None

    @classmethod
    def open(
        cls, *, name: str, slug: str, timezone: str, currency: str, country: str, at: datetime, id: UUID | None = None
    ) -> Vendor:
        """A new shop, every field checked (every refused one reported together, ``InvalidValues``):
        the only way sign-up, the CLI and the demo seed make one."""
        checks = Checks()
        name = checks.run(check_vendor_name, name)
        slug = checks.run(check_slug, slug)
        timezone = checks.run(check_timezone, timezone)
        currency = checks.run(check_currency, currency)
        country = checks.run(check_country, country)
        checks.raise_any()
        return cls(
            id=id or uuid4(),
            name=name,
            slug=slug,
            timezone=timezone,
            currency=currency,
            country=country,
            created_at=at,
        )

    @property
    def card_message_max(self) -> int:
        value = self.settings.get("card_message_max", DEFAULT_CARD_MESSAGE_MAX)
        return value if isinstance(value, int) else DEFAULT_CARD_MESSAGE_MAX

    def updated(
        self,
        *,
        name: str | None = None,
        timezone: str | None = None,
        card_message_max: int | None = None,
    ) -> Vendor:
        checks = Checks()  # every refused field reported together
        settings = dict(self.settings)
        if card_message_max is not None:
            settings["card_message_max"] = checks.run(check_card_message_max, card_message_max)
        if name is not None:
            name = checks.run(lambda value: check_vendor_name(value, "name"), name)
        if timezone is not None:
            timezone = checks.run(check_timezone, timezone)
        checks.raise_any()
        return replace(
            self,
            name=self.name if name is None else name,
            timezone=self.timezone if timezone is None else timezone,
            settings=settings,
        )
