"""The customers context's dishka provider: its repository and write use cases per request, its
query services and reads per process."""

from __future__ import annotations

from dishka import Provider, Scope, provide, provide_all

from application.customers.commands import AddAddress, CreateCustomer, RemoveAddress, UpdateAddress, UpdateCustomer
from application.customers.demo import SeedDemoCustomers
from application.customers.ports import CustomerQueries, CustomerRepository, CustomerShops
from application.customers.reads import GetCustomer, ListCustomers
from infrastructure.customers.queries import SqlCustomerQueries
from infrastructure.customers.repositories import SqlCustomerRepository
from infrastructure.customers.shops import SqlCustomerShops


class CustomerUseCases(Provider):
    scope = Scope.REQUEST

    customers = provide(SqlCustomerRepository, provides=CustomerRepository)
    use_cases = provide_all(CreateCustomer, UpdateCustomer, AddAddress, UpdateAddress, RemoveAddress, SeedDemoCustomers)


class CustomerReads(Provider):
    scope = Scope.APP

    queries = provide(SqlCustomerQueries, provides=CustomerQueries)
    shops = provide(SqlCustomerShops, provides=CustomerShops)
    use_cases = provide_all(GetCustomer, ListCustomers)


def customers_providers() -> list[Provider]:
    return [CustomerUseCases(), CustomerReads()]
