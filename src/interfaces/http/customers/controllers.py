"""`/api/customers`: customers and their address books. Every role reads; STAFF and up write."""

from __future__ import annotations

from typing import Annotated

from dishka import FromDishka
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.customers.commands import (
    AddAddress,
    AddAddressCommand,
    AddressData,
    CreateCustomer,
    CreateCustomerCommand,
    RemoveAddress,
    UpdateAddress,
    UpdateAddressCommand,
    UpdateCustomer,
    UpdateCustomerCommand,
)
from application.customers.errors import AddressNotFound, CustomerNotFound
from application.customers.ports import SEARCH_WINDOW
from application.customers.reads import MAX_QUERY_LENGTH, GetCustomer, ListCustomers
from application.customers.views import CustomerAddressOut, CustomerOut
from application.shared.context import Principal
from application.shared.pagination import PageRequest
from domain.shared.role import Role
from interfaces.http.auth import AnyRequest, principal_of, requires
from interfaces.http.customers.schemas import AddressIn, AddressPatchIn, CustomerIn, CustomerPage, CustomerPatchIn
from interfaces.http.di import inject, inject_app
from interfaces.http.pagination import Limit, Offset
from interfaces.http.patching import change, given
from interfaces.http.paths import path_id

_WRITE = requires(Role.STAFF, "customers")
Query = Annotated[
    str | None,
    Parameter(max_length=MAX_QUERY_LENGTH, description="Part of the name, email or phone (national format too)"),
]


def _address(data: AddressIn) -> AddressData:
    return AddressData(
        name=data.name,
        line1=data.line1,
        line2=data.line2,
        city=data.city,
        postal_code=data.postal_code,
        country=data.country,
        phone=data.phone,
    )


class CustomerController(Controller):
    path = "/api/customers"
    tags = ["customers"]  # noqa: RUF012

    @get(
        "/",
        summary="The shop's customers by name; `q` searches name, email and phone",
        description=(
            "`q` of three characters or more matches anywhere in the name, email or phone and answers its "
            f"first {SEARCH_WINDOW:,} matches in list order (`total` counts those; `truncated` is true "
            "when more matched); "
            "one or two characters match the start of the name; a whole phone number, in E.164 or as dialled "
            "in the shop's country, finds that number."
        ),
    )
    @inject_app
    async def list_customers(
        self,
        request: AnyRequest,
        use_case: FromDishka[ListCustomers],
        limit: Limit = 50,
        offset: Offset = 0,
        q: Query = None,
    ) -> CustomerPage:
        page = await use_case.execute(principal_of(request), PageRequest(limit=limit, offset=offset), q)
        return CustomerPage(list(page.items), page.total, page.limit, page.offset, truncated=page.truncated)

    @get("/{customer_id:str}", summary="One customer with their address book")
    @inject_app
    async def get_customer(
        self, request: AnyRequest, customer_id: FromPath[str], use_case: FromDishka[GetCustomer]
    ) -> CustomerOut:
        return await use_case.execute(principal_of(request), path_id(customer_id, CustomerNotFound))

    @post("/", status_code=HTTP_201_CREATED, guards=[_WRITE], summary="Add a customer")
    @inject
    async def create_customer(
        self, data: JSONBody[CustomerIn], principal: FromDishka[Principal], use_case: FromDishka[CreateCustomer]
    ) -> CustomerOut:
        command = CreateCustomerCommand(
            full_name=data.full_name,
            email=data.email,
            phone=data.phone,
            notes=data.notes,
            marketing_consent=data.marketing_consent,
            addresses=tuple(_address(address) for address in data.addresses),
        )
        return await use_case.execute(principal, command)

    @patch("/{customer_id:str}", guards=[_WRITE], summary="Change a customer's details or marketing consent")
    @inject
    async def update_customer(
        self,
        customer_id: FromPath[str],
        data: JSONBody[CustomerPatchIn],
        principal: FromDishka[Principal],
        use_case: FromDishka[UpdateCustomer],
    ) -> CustomerOut:
        email, clear_email = change(data.email)
        phone, clear_phone = change(data.phone)
        command = UpdateCustomerCommand(
            customer_id=path_id(customer_id, CustomerNotFound),
            full_name=given(data.full_name),
            email=email,
            clear_email=clear_email,
            phone=phone,
            clear_phone=clear_phone,
            notes=given(data.notes),
            marketing_consent=given(data.marketing_consent),
        )
        return await use_case.execute(principal, command)

    @post(
        "/{customer_id:str}/addresses",
        status_code=HTTP_201_CREATED,
        guards=[_WRITE],
        summary="Add a recipient to a customer's address book",
    )
    @inject
    async def add_customer_address(
        self,
        customer_id: FromPath[str],
        data: JSONBody[AddressIn],
        principal: FromDishka[Principal],
        use_case: FromDishka[AddAddress],
    ) -> CustomerAddressOut:
        command = AddAddressCommand(customer_id=path_id(customer_id, CustomerNotFound), address=_address(data))
        return await use_case.execute(principal, command)

    @patch("/{customer_id:str}/addresses/{address_id:str}", guards=[_WRITE], summary="Change a recipient")
    @inject
    async def update_customer_address(
        self,
        customer_id: FromPath[str],
        address_id: FromPath[str],
        data: JSONBody[AddressPatchIn],
        principal: FromDishka[Principal],
        use_case: FromDishka[UpdateAddress],
    ) -> CustomerAddressOut:
        phone, clear_phone = change(data.phone)
        command = UpdateAddressCommand(
            customer_id=path_id(customer_id, CustomerNotFound),
            address_id=path_id(address_id, AddressNotFound),
            name=given(data.name),
            phone=phone,
            clear_phone=clear_phone,
            line1=given(data.line1),
            line2=given(data.line2),
            city=given(data.city),
            postal_code=given(data.postal_code),
            country=given(data.country),
        )
        return await use_case.execute(principal, command)

    @delete(
        "/{customer_id:str}/addresses/{address_id:str}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[_WRITE],
        summary="Remove a recipient from the address book",
    )
    @inject
    async def remove_customer_address(
        self,
        customer_id: FromPath[str],
        address_id: FromPath[str],
        principal: FromDishka[Principal],
        use_case: FromDishka[RemoveAddress],
    ) -> None:
        await use_case.execute(principal, path_id(customer_id, CustomerNotFound), path_id(address_id, AddressNotFound))
