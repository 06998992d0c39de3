"""In-memory fakes of the catalog's ports, and the use cases built over them."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from application.catalog.create_product import CreateProduct
from application.catalog.delete_product import DeleteProduct
from application.catalog.errors import SkuTaken
from application.catalog.ports import ProductFilter, ProductSort
from application.catalog.read_products import GetProduct, ListProducts
from application.catalog.shop_rules import ShopRules
from application.catalog.update_product import UpdateProduct
from application.catalog.views import CatalogMoneyOut, ProductOut, RecipeLineOut, VariantOut
from application.shared.audit import SecurityRecorder
from application.shared.authorizer import Authorizer
from application.shared.context import Principal, RequestMeta
from application.shared.pagination import Page, PageRequest
from domain.catalog.costing import LineStock, costing
from domain.catalog.product import Product, Variant, occasion_key
from domain.shared.role import Role
from tests.fakes import FakeClock, FakeSecurityEventLog, FakeUnitOfWork


class FakeProducts:
    """``ProductRepository``: SKUs unique per shop; what is not committed is rolled back."""

    def __init__(self) -> None:
        self.products: dict[uuid.UUID, Product] = {}
        self._committed: dict[uuid.UUID, Product] = {}

    def _checkpoint(self) -> None:
        self._committed = dict(self.products)

    def _restore(self) -> None:
        self.products = dict(self._committed)

    def _refuse_taken(self, product: Product) -> None:
        for other in self.products.values():
            if other.vendor_id == product.vendor_id and other.id != product.id:
                for variant in product.variants:
                    if variant.sku in {v.sku for v in other.variants}:
                        raise SkuTaken(variant.sku)

    async def add(self, product: Product) -> None:
        self._refuse_taken(product)
        self.products[product.id] = product

    async def get(self, vendor_id: uuid.UUID, product_id: uuid.UUID, *, lock: bool = False) -> Product | None:
        product = self.products.get(product_id)
        return product if product is not None and product.vendor_id == vendor_id else None

    async def update(self, product: Product) -> None:
        self._refuse_taken(product)
        self.products[product.id] = replace(product, removed_variant_ids=frozenset())

    async def delete(self, product: Product) -> None:
        self.products.pop(product.id, None)


@dataclass
class FakeStock:
    """``StockItems``, and what each item has on hand: (units, value in minor units)."""

    items: dict[uuid.UUID, tuple[uuid.UUID, int, int]] = field(default_factory=dict)  # id -> (vendor, units, value)

    def add(self, vendor_id: uuid.UUID, units: int = 0, value: int = 0) -> uuid.UUID:
        item = uuid.uuid4()
        self.items[item] = (vendor_id, units, value)
        return item

    async def known(self, vendor_id: uuid.UUID, stock_item_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        return {item for item in stock_item_ids if item in self.items and self.items[item][0] == vendor_id}


@dataclass
class FakeShopCurrency:
    currencies: dict[uuid.UUID, str] = field(default_factory=dict)

    async def of(self, vendor_id: uuid.UUID) -> str | None:
        return self.currencies.get(vendor_id)


@dataclass
class FakeUsage:
    ordered: set[uuid.UUID] = field(default_factory=set)

    async def is_ordered(self, vendor_id: uuid.UUID, product_id: uuid.UUID) -> bool:
        return product_id in self.ordered


class FakeProductQueries:
    """``ProductQueries`` over the fake repository and stock (the same domain costing as SQL)."""

    def __init__(self, products: FakeProducts, stock: FakeStock) -> None:
        self._products = products
        self._stock = stock

    def _variant(self, variant: Variant) -> VariantOut:
        lines = [
            LineStock(line.quantity, self._stock.items[line.stock_item_id][1], self._stock.items[line.stock_item_id][2])
            for line in variant.recipe
        ]
        costs = costing(variant.price.amount_minor, lines)
        currency = variant.price.currency
        return VariantOut(
            id=variant.id,
            name=variant.name,
            sku=variant.sku,
            price=CatalogMoneyOut(variant.price.amount_minor, currency),
            recipe=[RecipeLineOut(line.stock_item_id, line.quantity) for line in variant.recipe],
            cost=None if costs.cost_minor is None else CatalogMoneyOut(costs.cost_minor, currency),
            cost_complete=costs.complete,
            margin=None if costs.margin_minor is None else CatalogMoneyOut(costs.margin_minor, currency),
            margin_percent=costs.margin_percent,
        )

    def _out(self, product: Product) -> ProductOut:
        return ProductOut(
            id=product.id,
            name=product.name,
            kind=product.kind,
            description=product.description,
            occasions=list(product.occasions),
            active=product.active,
            variants=[self._variant(variant) for variant in product.variants],
            created_at=product.created_at,
            updated_at=product.updated_at,
        )

    async def get(self, vendor_id: uuid.UUID, product_id: uuid.UUID) -> ProductOut | None:
        product = await self._products.get(vendor_id, product_id)
        return None if product is None else self._out(product)

    async def page(
        self, vendor_id: uuid.UUID, page: PageRequest, where: ProductFilter | None = None
    ) -> Page[ProductOut]:
        where = where or ProductFilter()
        found = [
            product
            for product in self._products.products.values()
            if product.vendor_id == vendor_id
            and (where.kind is None or product.kind is where.kind)
            and (where.active is None or product.active is where.active)
            and (where.occasion is None or where.occasion in {occasion_key(tag) for tag in product.occasions})
            and (
                where.q is None
                or where.q
                in "\n".join([product.name, product.description, *(v.sku for v in product.variants)]).casefold()
            )
        ]
        assert where.sort in (ProductSort.NAME, ProductSort.NAME_DESC), "the fake sorts by name only"
        found.sort(key=lambda product: (product.name.lower(), product.id), reverse=where.sort is ProductSort.NAME_DESC)
        items = [self._out(product) for product in found[page.offset : page.offset + page.limit]]
        return Page(items=items, total=len(found), limit=page.limit, offset=page.offset)


@dataclass
class Catalog:
    """The catalog's use cases over fakes, one shop (EUR) ready."""

    clock: FakeClock = field(default_factory=FakeClock)
    uow: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    events: FakeSecurityEventLog = field(default_factory=FakeSecurityEventLog)
    products: FakeProducts = field(default_factory=FakeProducts)
    stock: FakeStock = field(default_factory=FakeStock)
    currency: FakeShopCurrency = field(default_factory=FakeShopCurrency)
    usage: FakeUsage = field(default_factory=FakeUsage)

    def __post_init__(self) -> None:
        self.uow.enlist(self.products)
        self.uow.enlist(self.events)
        self.queries = FakeProductQueries(self.products, self.stock)
        self.vendor_id = uuid.uuid4()
        self.currency.currencies[self.vendor_id] = "EUR"

    def principal(self, role: Role = Role.MANAGER, vendor_id: uuid.UUID | None = None) -> Principal:
        return Principal(
            user_id=uuid.uuid4(), vendor_id=vendor_id or self.vendor_id, role=role, session_id=uuid.uuid4()
        )

    def _authorizer(self) -> Authorizer:
        recorder = SecurityRecorder(self.events, self.clock, RequestMeta(client_ip="192.0.2.1", request_id="req"))
        return Authorizer(recorder, self.uow)

    def create(self) -> CreateProduct:
        rules = ShopRules(self.stock, self.currency)
        return CreateProduct(self.products, rules, self.queries, self._authorizer(), self.uow, self.clock)

    def update(self) -> UpdateProduct:
        rules = ShopRules(self.stock, self.currency)
        return UpdateProduct(self.products, rules, self.queries, self._authorizer(), self.uow, self.clock)

    def delete(self) -> DeleteProduct:
        return DeleteProduct(self.products, self.usage, self._authorizer(), self.uow, self.clock)

    def get(self) -> GetProduct:
        return GetProduct(self.queries)

    def list(self) -> ListProducts:
        return ListProducts(self.queries)
