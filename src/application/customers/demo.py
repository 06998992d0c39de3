"""The demo shop's customers, for `flower-vendor dev` and `flower-vendor demo seed`: fifty people
with Dutch phone numbers typed the way a florist would (national format, stored as E.164), some with
marketing consent, each with one or two recipients in Amsterdam, created through CreateCustomer."""

from __future__ import annotations

from application.customers.commands import AddressData, CreateCustomer, CreateCustomerCommand
from application.customers.ports import CustomerQueries
from application.shared.context import Principal
from application.shared.pagination import PageRequest

_FIRST = ("Anna", "Bram", "Chloé", "Daan", "Eva", "Finn", "Greta", "Hugo", "Isa", "Jesse")
_LAST = ("de Vries", "Jansen", "Bakker", "Visser", "Smit")
_STREETS = ("Prinsengracht", "Herengracht", "Overtoom", "Ferdinand Bolstraat", "Haarlemmerdijk")
_POSTAL = ("1016 GV", "1017 CN", "1054 HL", "1072 RD", "1013 EP", "1074 BC", "1052 AB", "1015 DT")
DEMO_CUSTOMERS = 50


def demo_customer(index: int) -> CreateCustomerCommand:
    first, last = _FIRST[index % len(_FIRST)], _LAST[index // len(_FIRST) % len(_LAST)]
    name = f"{first} {last}"
    handle = f"{first}.{last}".lower().replace(" ", "").replace("é", "e")
    recipients = [
        AddressData(
            name=f"{_FIRST[(index + 3) % len(_FIRST)]} {_LAST[(index + 1) % len(_LAST)]}",
            line1=f"{_STREETS[index % len(_STREETS)]} {10 + index}",
            city="Amsterdam",
            postal_code=_POSTAL[index % len(_POSTAL)],
            phone=f"06 12 00 {index:02d} 99",
        )
    ]
    if index % 3 == 0:  # sends to their mother too
        recipients.append(
            AddressData(
                name=f"Mw. {last}",
                line1=f"{_STREETS[(index + 2) % len(_STREETS)]} {100 + index}",
                line2="3-hoog",
                city="Amsterdam",
                postal_code=_POSTAL[(index + 3) % len(_POSTAL)],
            )
        )
    return CreateCustomerCommand(
        full_name=name,
        email=f"{handle}{index}@example.nl",
        phone=f"06 1200 00{index:02d}",
        notes="Prefers pastel colours, no lilies (cat at home)." if index % 7 == 0 else None,
        marketing_consent=index % 2 == 0,
        addresses=tuple(recipients),
    )


class SeedDemoCustomers:
    """Fills an empty shop's customer list; a shop that has customers already is left as it is."""

    def __init__(self, create: CreateCustomer, queries: CustomerQueries) -> None:
        self._create = create
        self._queries = queries

    async def execute(self, owner: Principal) -> int:
        if (await self._queries.page(owner.vendor_id, PageRequest(limit=1), None)).total:
            return 0
        for index in range(DEMO_CUSTOMERS):
            await self._create.execute(owner, demo_customer(index))
        return DEMO_CUSTOMERS
