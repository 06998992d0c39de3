"""In-memory fakes of the customers context's ports, taking part in ``FakeUnitOfWork`` like the
accounts fakes: a rollback restores what the last commit saw."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from application.customers.commands import AddAddress, CreateCustomer, RemoveAddress, UpdateAddress, UpdateCustomer
from application.customers.reads import ListCustomers
from application.customers.views import CustomerOut, CustomerRowOut
from application.shared.audit import SecurityRecorder
from application.shared.authorizer import Authorizer
from application.shared.context import Principal, RequestMeta
from application.shared.pagination import Page, PageRequest
from domain.customers.customer import Customer
from domain.shared.role import Role
from tests.fakes import FakeClock, FakeSecurityEventLog, FakeUnitOfWork


class FakeCustomerRepository:
    def __init__(self) -> None:
        self.customers: dict[uuid.UUID, Customer] = {}
        self._committed: dict[uuid.UUID, Customer] = {}

    def _checkpoint(self) -> None:
        self._committed = dict(self.customers)

    def _restore(self) -> None:
        self.customers = dict(self._committed)

    async def add(self, customer: Customer) -> None:
        self.customers[customer.id] = customer

    async def get(self, vendor_id: uuid.UUID, customer_id: uuid.UUID, *, lock: bool = False) -> Customer | None:
        customer = self.customers.get(customer_id)
        return customer if customer is not None and customer.vendor_id == vendor_id else None

    async def update(self, before: Customer, after: Customer) -> None:
        assert self.customers[before.id] == before
        self.customers[after.id] = after


class FakeCustomerQueries:
    """Reads over the repository's committed state, searching as the SQL does (contains)."""

    def __init__(self, repo: FakeCustomerRepository) -> None:
        self._repo = repo
        self.needles: list[str | None] = []
        self.whole_phones: list[bool] = []

    async def get(self, vendor_id: uuid.UUID, customer_id: uuid.UUID) -> CustomerOut | None:
        customer = await self._repo.get(vendor_id, customer_id)
        return None if customer is None else CustomerOut.of(customer)

    async def page(
        self, vendor_id: uuid.UUID, page: PageRequest, needle: str | None, *, whole_phone: bool = False
    ) -> Page[CustomerRowOut]:
        self.needles.append(needle)
        self.whole_phones.append(whole_phone)
        found = sorted(
            (
                c
                for c in self._repo.customers.values()
                if c.vendor_id == vendor_id
                and (not needle or (c.phone == needle if whole_phone else needle in c.search_text))
            ),
            key=lambda c: (c.search_text, c.id),
        )
        rows = [
            CustomerRowOut(c.id, c.full_name, c.email, c.phone, c.marketing_consent, c.created_at)  # type: ignore[arg-type]
            for c in found[page.offset : page.offset + page.limit]
        ]
        return Page(items=rows, total=len(found), limit=page.limit, offset=page.offset)


class FakeCustomerShops:
    def __init__(self) -> None:
        self.countries: dict[uuid.UUID, str] = {}

    async def country(self, vendor_id: uuid.UUID) -> str | None:
        return self.countries.get(vendor_id)


@dataclass
class CustomerWorld:
    clock: FakeClock = field(default_factory=FakeClock)
    uow: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    repo: FakeCustomerRepository = field(default_factory=FakeCustomerRepository)
    events: FakeSecurityEventLog = field(default_factory=FakeSecurityEventLog)
    shops: FakeCustomerShops = field(default_factory=FakeCustomerShops)

    def __post_init__(self) -> None:
        self.uow.enlist(self.repo)
        self.uow.enlist(self.events)
        recorder = SecurityRecorder(self.events, self.clock, RequestMeta(client_ip="203.0.113.7", request_id="r1"))
        authorizer = Authorizer(recorder, self.uow)
        writes = (self.repo, self.shops, authorizer, self.uow, self.clock)
        self.create = CreateCustomer(*writes)
        self.update = UpdateCustomer(*writes)
        self.add_address = AddAddress(*writes)
        self.update_address = UpdateAddress(*writes)
        self.remove_address = RemoveAddress(*writes)
        self.queries = FakeCustomerQueries(self.repo)
        self.list = ListCustomers(self.queries, self.shops)

    def shop(self, role: Role = Role.STAFF, country: str = "NL") -> Principal:
        vendor_id = uuid.uuid4()
        self.shops.countries[vendor_id] = country
        return Principal(user_id=uuid.uuid4(), vendor_id=vendor_id, role=role, session_id=uuid.uuid4())
