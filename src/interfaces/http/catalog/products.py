"""`/api/products`: what the shop sells. Every role reads; managers and owners write."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from dishka import FromDishka
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.catalog.create_product import CreateProduct, CreateProductCommand
from application.catalog.delete_product import DeleteProduct
from application.catalog.ports import ProductFilter, ProductSort
from application.catalog.read_products import GetProduct, ListProducts
from application.catalog.update_product import UpdateProduct, UpdateProductCommand
from application.catalog.views import ProductOut
from application.shared.context import Principal
from application.shared.errors import NotFound
from application.shared.pagination import PageRequest
from domain.catalog.product import ProductKind
from domain.shared.role import Role
from interfaces.http.auth import AnyRequest, principal_of, requires
from interfaces.http.catalog.schemas import ProductIn, ProductPage, ProductPatchIn
from interfaces.http.di import inject, inject_app
from interfaces.http.pagination import Limit, Offset, envelope
from interfaces.http.patching import given
from interfaces.http.paths import path_id

SortParam = Literal["name", "-name", "created_at", "-created_at", "margin", "-margin"]
KindFilter = Annotated[ProductKind | None, Parameter(description="Only products of this kind")]
OccasionFilter = Annotated[
    str | None, Parameter(max_length=200, description="Only products with this occasion tag (any case)")
]
ActiveFilter = Annotated[bool | None, Parameter(description="Only active (true) or deactivated (false) products")]
TextFilter = Annotated[
    str | None,
    Parameter(max_length=200, description="Text in the name, the description or a variant's SKU (any case)"),
]
Sort = Annotated[
    SortParam,
    Parameter(
        description=(
            "By name, creation time or margin, `-` for descending. `margin` ranks a product by its weakest "
            "variant (lowest margin percent among variants whose cost is known); products without a known "
            "margin come last either way."
        )
    ),
]
_WRITE = [requires(Role.MANAGER, "products")]


def _product_id(raw: str) -> UUID:
    return path_id(raw, lambda: NotFound("No product with this id."))


class ProductController(Controller):
    path = "/api/products"
    tags = ["products"]  # noqa: RUF012

    @get("/", summary="The shop's products, with each variant's cost and margin")
    @inject_app
    async def list_products(
        self,
        request: AnyRequest,
        use_case: FromDishka[ListProducts],
        limit: Limit = 50,
        offset: Offset = 0,
        kind: KindFilter = None,
        occasion: OccasionFilter = None,
        active: ActiveFilter = None,
        q: TextFilter = None,
        sort: Sort = "name",
    ) -> ProductPage:
        where = ProductFilter(kind=kind, occasion=occasion, active=active, q=q, sort=ProductSort(sort))
        page = await use_case.execute(principal_of(request), PageRequest(limit=limit, offset=offset), where)
        return envelope(ProductPage, page)

    @get("/{product_id:str}", summary="One product, with each variant's cost and margin")
    @inject_app
    async def get_product(
        self, request: AnyRequest, product_id: FromPath[str], use_case: FromDishka[GetProduct]
    ) -> ProductOut:
        return await use_case.execute(principal_of(request), _product_id(product_id))

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=_WRITE,
        opt={"problems": (409, 422)},
        summary="Add a product with its variants and recipes",
    )
    @inject
    async def create_product(
        self, data: JSONBody[ProductIn], principal: FromDishka[Principal], use_case: FromDishka[CreateProduct]
    ) -> ProductOut:
        command = CreateProductCommand(
            name=data.name,
            kind=data.kind,
            description=data.description,
            occasions=tuple(data.occasions),
            variants=tuple(variant.draft() for variant in data.variants),
            active=data.active,
        )
        return await use_case.execute(principal, command)

    @patch("/{product_id:str}", guards=_WRITE, opt={"problems": (409, 422)}, summary="Change a product")
    @inject
    async def update_product(
        self,
        product_id: FromPath[str],
        data: JSONBody[ProductPatchIn],
        principal: FromDishka[Principal],
        use_case: FromDishka[UpdateProduct],
    ) -> ProductOut:
        occasions, variants = given(data.occasions), given(data.variants)
        command = UpdateProductCommand(
            product_id=_product_id(product_id),
            name=given(data.name),
            description=given(data.description),
            occasions=None if occasions is None else tuple(occasions),
            active=given(data.active),
            variants=None if variants is None else tuple(variant.draft() for variant in variants),
        )
        return await use_case.execute(principal, command)

    @delete(
        "/{product_id:str}",
        status_code=HTTP_204_NO_CONTENT,
        guards=_WRITE,
        summary="Delete a product (one that orders refer to is only deactivated)",
    )
    @inject
    async def delete_product(
        self, product_id: FromPath[str], principal: FromDishka[Principal], use_case: FromDishka[DeleteProduct]
    ) -> None:
        await use_case.execute(principal, _product_id(product_id))
