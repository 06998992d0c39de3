"""The catalog against real PostgreSQL: the repository through the use cases, the query service's
one statement per read, recipe costing checked against numbers computed by hand, the margin sort
across pages, the text search, and every refusal that needs stored state."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncEngine

from application.catalog.create_product import CreateProduct, CreateProductCommand
from application.catalog.delete_product import DeleteProduct
from application.catalog.errors import ProductRefused, SkuTaken
from application.catalog.ports import ProductFilter, ProductQueries, ProductRepository, ProductSort
from application.catalog.update_product import UpdateProduct, UpdateProductCommand
from application.catalog.views import ProductOut
from application.shared.context import Principal
from application.shared.errors import NotFound, PermissionDenied
from application.shared.pagination import PageRequest
from domain.catalog.product import Product, ProductKind, VariantDraft
from domain.shared.errors import InvalidValues
from domain.shared.role import Role
from tests.catalog_stock import stock_item
from tests.integration import test_query_services as reads
from tests.integration.test_query_services import Statements, _shop

# The read-pattern tests' fixtures: a container on the run's database, and the statement counter.
container = reads.container
statements = reads.statements


def _variant(sku: str, price: int, recipe: Sequence[tuple[uuid.UUID, int]] = (), **kw: object) -> VariantDraft:
    return VariantDraft(
        name=kw.pop("name", sku), sku=sku, price_minor=price, currency="EUR", recipe=tuple(recipe), **kw
    )  # type: ignore[arg-type]


async def _create(container: AsyncContainer, who: Principal, command: CreateProductCommand) -> ProductOut:
    async with container() as scope:
        return await (await scope.get(CreateProduct)).execute(who, command)


async def _update(container: AsyncContainer, who: Principal, command: UpdateProductCommand) -> ProductOut:
    async with container() as scope:
        return await (await scope.get(UpdateProduct)).execute(who, command)


async def _delete(container: AsyncContainer, who: Principal, product_id: uuid.UUID) -> bool:
    async with container() as scope:
        return await (await scope.get(DeleteProduct)).execute(who, product_id)


def _slug(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_costing_from_the_lots_on_hand_by_hand(container: AsyncContainer, statements: Statements) -> None:
    _, owner = await _shop(container, _slug("cost"))
    engine = await container.get(AsyncEngine)
    # Roses: 10 at 1.20 and 5 at 1.50 on hand, plus a used-up lot that must not count: 1950 / 15 = 130.
    roses = await stock_item(engine, owner.vendor_id, "Rose", [(10, 120), (5, 150)], spent=20)
    # Eucalyptus: 3 at 0.99 and 1 at 1.00: 397 / 4 = 99.25 a stem.
    eucalyptus = await stock_item(engine, owner.vendor_id, "Eucalyptus", [(3, 99), (1, 100)])
    ribbon = await stock_item(engine, owner.vendor_id, "Ribbon", [])  # nothing on hand
    created = await _create(
        container,
        owner,
        CreateProductCommand(
            name="Blush <b>Bouquet</b>",
            kind=ProductKind.BOUQUET,
            description="Roses &amp; eucalyptus <3",
            occasions=("Birthday", " birthday ", "Mother's Day"),
            variants=(
                _variant("bb-m", 1500, [(roses, 3), (eucalyptus, 2)], name="Medium"),
                _variant("BB-L", 2500, [(roses, 7), (eucalyptus, 2), (ribbon, 1)], name="Large"),
                _variant("BB-CARD", 0, [], name="Card only"),
            ),
        ),
    )
    assert created.name == "Blush Bouquet"
    assert created.description == "Roses & eucalyptus <3"
    assert created.occasions == ["Birthday", "Mother's Day"]
    medium, large, card = created.variants
    assert medium.sku == "BB-M"
    # 3 x 130 + 2 x 99.25 = 588.5, rounded half up once: 589; margin 1500 - 589 = 911;
    # percent from the exact cost: (1500 - 588.5) / 1500 = 60.766..% -> 60.8.
    assert (medium.cost and medium.cost.amount_minor, medium.cost_complete) == (589, True)
    assert medium.margin is not None
    assert medium.margin.amount_minor == 911
    assert medium.margin_percent == 60.8
    assert [(line.stock_item_id, line.quantity) for line in medium.recipe] == [(roses, 3), (eucalyptus, 2)]
    # The ribbon has nothing on hand: the large one's cost is unknown, not a guess.
    assert (large.cost, large.cost_complete, large.margin, large.margin_percent) == (None, False, None, None)
    # No recipe: nothing from stock; a zero price has no margin percent.
    assert (card.cost and card.cost.amount_minor, card.cost_complete, card.margin_percent) == (0, True, None)

    products = await container.get(ProductQueries)
    async with statements.counting():
        again = await products.get(owner.vendor_id, created.id)
    assert len(statements.sent) == 1
    assert statements.transactions == 0
    assert again == created
    async with statements.counting():
        page = await products.page(owner.vendor_id, PageRequest(limit=10, offset=0))
    assert len(statements.sent) == 1
    assert statements.transactions == 0
    assert page.total == 1
    assert page.items == [created]


async def test_margin_sort_pages_through_the_weakest_variant(container: AsyncContainer, statements: Statements) -> None:
    _, owner = await _shop(container, _slug("margin"))
    engine = await container.get(AsyncEngine)
    stem = await stock_item(engine, owner.vendor_id, "Stem", [(100, 100)])  # 1.00 a stem
    empty = await stock_item(engine, owner.vendor_id, "Empty", [])
    # Each product's weakest variant margin: A 50 % (its other variant 90 %), B 20 %, C 75 %,
    # D 60 %, E unknown (its only variant lacks stock): ascending C? no: B, A, D, C, then E.
    specs = {
        "A": [("A-1", 1000, 5), ("A-2", 1000, 1)],
        "B": [("B-1", 500, 4)],
        "C": [("C-1", 400, 1)],
        "D": [("D-1", 1000, 4)],
    }
    ids: dict[str, uuid.UUID] = {}
    for name, variants in specs.items():
        made = await _create(
            container,
            owner,
            CreateProductCommand(
                name=name,
                kind=ProductKind.ARRANGEMENT,
                variants=tuple(_variant(sku, price, [(stem, units)]) for sku, price, units in variants),
            ),
        )
        ids[name] = made.id
    made = await _create(
        container,
        owner,
        CreateProductCommand(name="E", kind=ProductKind.PLANT, variants=(_variant("E-1", 900, [(empty, 1)]),)),
    )
    ids["E"] = made.id

    products = await container.get(ProductQueries)

    async def walk(sort: ProductSort) -> list[str]:
        seen: list[str] = []
        for offset in (0, 2, 4):
            async with statements.counting():
                page = await products.page(
                    owner.vendor_id, PageRequest(limit=2, offset=offset), ProductFilter(sort=sort)
                )
            assert len(statements.sent) == 1
            assert page.total == 5
            seen.extend(item.name for item in page.items)
        return seen

    assert await walk(ProductSort.MARGIN) == ["B", "A", "D", "C", "E"]
    assert await walk(ProductSort.MARGIN_DESC) == ["C", "D", "A", "B", "E"]
    assert await walk(ProductSort.NAME_DESC) == ["E", "D", "C", "B", "A"]
    b = await products.get(owner.vendor_id, ids["B"])
    assert b is not None
    assert b.variants[0].margin_percent == 20.0


async def test_filters_search_and_tenancy(container: AsyncContainer) -> None:
    _, owner = await _shop(container, _slug("filter"))
    _, other = await _shop(container, _slug("other"))
    await _create(
        container,
        owner,
        CreateProductCommand(
            name="Summer Sunflowers",
            kind=ProductKind.BOUQUET,
            description="Bright and 100% cheerful!",
            occasions=("Birthday",),
            variants=(_variant("SUN-S", 2000),),
        ),
    )
    await _create(
        container,
        owner,
        CreateProductCommand(
            name="Peace Lily",
            kind=ProductKind.PLANT,
            occasions=("Sympathy", "get well"),
            active=False,
            variants=(_variant("PLANT_LILY", 3000),),
        ),
    )
    await _create(
        container, other, CreateProductCommand(name="Sunny", kind=ProductKind.BOUQUET, variants=(_variant("SUN-S", 1),))
    )
    products = await container.get(ProductQueries)
    page = PageRequest(limit=50, offset=0)

    async def names(**where: object) -> list[str]:
        found = await products.page(owner.vendor_id, page, ProductFilter(**where))  # type: ignore[arg-type]
        assert found.total == len(found.items)
        return [item.name for item in found.items]

    assert await names() == ["Peace Lily", "Summer Sunflowers"]  # never the other shop's
    assert await names(kind=ProductKind.PLANT) == ["Peace Lily"]
    assert await names(active=True) == ["Summer Sunflowers"]
    assert await names(occasion="get well") == ["Peace Lily"]
    assert await names(q="sunflow") == ["Summer Sunflowers"]
    assert await names(q="sun-s") == ["Summer Sunflowers"]  # a SKU
    assert await names(q="cheerful") == ["Summer Sunflowers"]  # the description
    assert await names(q="100%") == ["Summer Sunflowers"]  # % is literal
    assert await names(q="cheerful!") == ["Summer Sunflowers"]  # so is the escape character
    assert await names(q="!!") == []
    assert await names(q="e_l") == []  # so is _ ("peace lily" would match it as a wildcard)
    assert await names(q="plant_l") == ["Peace Lily"]
    assert await names(kind=ProductKind.BOUQUET, q="lily") == []


async def test_refusals_that_need_the_shop(container: AsyncContainer) -> None:
    _, owner = await _shop(container, _slug("refuse"))
    _, other = await _shop(container, _slug("elsewhere"))
    engine = await container.get(AsyncEngine)
    mine = await stock_item(engine, owner.vendor_id, "Rose", [(5, 100)])
    theirs = await stock_item(engine, other.vendor_id, "Tulip", [(5, 100)])
    first = await _create(
        container, owner, CreateProductCommand(name="One", kind=ProductKind.BOUQUET, variants=(_variant("ONE", 100),))
    )

    with pytest.raises(SkuTaken) as taken:
        await _create(
            container,
            owner,
            CreateProductCommand(name="Two", kind=ProductKind.BOUQUET, variants=(_variant("one", 100),)),
        )
    assert taken.value.code == "SKU_TAKEN"
    # Another shop may use the same SKU.
    await _create(
        container, other, CreateProductCommand(name="One", kind=ProductKind.BOUQUET, variants=(_variant("ONE", 1),))
    )

    with pytest.raises(ProductRefused) as refused:
        await _create(
            container,
            owner,
            CreateProductCommand(
                name="Three",
                kind=ProductKind.BOUQUET,
                variants=(
                    _variant("T-1", 100, [(mine, 1), (theirs, 2)]),
                    VariantDraft(name="x", sku="T-2", price_minor=5, currency="USD", recipe=((uuid.uuid4(), 1),)),
                ),
            ),
        )
    assert refused.value.problems == (
        ("variants[0].recipe[1].stock_item_id", "is not a stock item of this shop"),
        ("variants[1].price.currency", "must be the shop's currency, EUR"),
        ("variants[1].recipe[0].stock_item_id", "is not a stock item of this shop"),
    )

    with pytest.raises(InvalidValues) as invalid:
        await _create(
            container,
            owner,
            CreateProductCommand(
                name=" ",
                kind=ProductKind.BOUQUET,
                variants=(_variant("DUP", 100, [(mine, 0)]), _variant("dup", 100)),
            ),
        )
    assert {problem.field for problem in invalid.value.problems} == {
        "name",
        "variants[0].recipe[0].quantity",
        "variants[1].sku",
    }

    with pytest.raises(NotFound):  # another shop's product is a product nobody has
        await _update(container, other, UpdateProductCommand(product_id=first.id, name="Mine now"))
    with pytest.raises(NotFound):
        await _delete(container, other, first.id)
    staff = Principal(user_id=uuid.uuid4(), vendor_id=owner.vendor_id, role=Role.STAFF, session_id=uuid.uuid4())
    with pytest.raises(PermissionDenied):
        await _delete(container, staff, first.id)
    products = await container.get(ProductQueries)
    assert await products.get(owner.vendor_id, first.id) is not None


async def test_update_replaces_variants_keeping_ids_and_delete_removes(container: AsyncContainer) -> None:
    _, owner = await _shop(container, _slug("patch"))
    engine = await container.get(AsyncEngine)
    rose = await stock_item(engine, owner.vendor_id, "Rose", [(10, 100)])
    made = await _create(
        container,
        owner,
        CreateProductCommand(
            name="Roses",
            kind=ProductKind.BOUQUET,
            variants=(_variant("R-S", 1000, [(rose, 3)]), _variant("R-L", 2000, [(rose, 9)])),
        ),
    )
    small, large = made.variants
    # Swap the SKUs of the two variants, drop nothing, add one: one consistent change.
    changed = await _update(
        container,
        owner,
        UpdateProductCommand(
            product_id=made.id,
            name="Red Roses",
            occasions=("Valentine",),
            variants=(
                _variant("R-L", 1100, [(rose, 4)], id=small.id),
                _variant("R-S", 2100, [(rose, 8)], id=large.id),
                _variant("R-XL", 4000, [(rose, 20)]),
            ),
        ),
    )
    assert changed.name == "Red Roses"
    assert changed.occasions == ["Valentine"]
    assert [(v.id, v.sku, v.price.amount_minor) for v in changed.variants[:2]] == [
        (small.id, "R-L", 1100),
        (large.id, "R-S", 2100),
    ]
    assert changed.variants[0].cost is not None
    assert changed.variants[0].cost.amount_minor == 400
    # Removing a variant: leave it out.
    fewer = await _update(
        container,
        owner,
        UpdateProductCommand(product_id=made.id, variants=(_variant("R-L", 1100, [], id=small.id),)),
    )
    assert [v.id for v in fewer.variants] == [small.id]
    with pytest.raises(ProductRefused) as refused:
        await _update(
            container,
            owner,
            UpdateProductCommand(product_id=made.id, variants=(_variant("R-Z", 1, id=uuid.uuid4()),)),
        )
    assert refused.value.problems == (("variants[0].id", "is not a variant of this product"),)

    assert await _delete(container, owner, made.id) is True
    products = await container.get(ProductQueries)
    assert await products.get(owner.vendor_id, made.id) is None
    # Its SKUs are free again.
    await _create(
        container, owner, CreateProductCommand(name="Again", kind=ProductKind.BOUQUET, variants=(_variant("R-L", 5),))
    )


async def test_two_products_racing_for_one_sku_one_wins_the_other_is_told(container: AsyncContainer) -> None:
    _, owner = await _shop(container, _slug("race"))

    async def attempt(name: str) -> ProductOut | SkuTaken:
        try:
            return await _create(
                container,
                owner,
                CreateProductCommand(name=name, kind=ProductKind.BOUQUET, variants=(_variant("RACE", 100),)),
            )
        except SkuTaken as taken:
            return taken

    outcomes = await asyncio.gather(*(attempt(f"Racer {n}") for n in range(6)))
    assert sum(isinstance(outcome, ProductOut) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, SkuTaken) for outcome in outcomes) == 5
    products = await container.get(ProductQueries)
    assert (await products.page(owner.vendor_id, PageRequest())).total == 1


async def test_the_database_refuses_a_recipe_of_a_stock_item_that_is_gone(container: AsyncContainer) -> None:
    """The use case checks stock items through the view first; the foreign key is what holds when
    an item disappears in between: a clear 422, never a 500."""
    _, owner = await _shop(container, _slug("gone"))
    product = Product.create(
        vendor_id=owner.vendor_id,
        name="Ghost",
        kind=ProductKind.BOUQUET,
        description=None,
        occasions=(),
        variants=(_variant("GHOST", 100, [(uuid.uuid4(), 1)]),),
        at=datetime.now(UTC),
    )
    async with container() as scope:
        with pytest.raises(ProductRefused):
            await (await scope.get(ProductRepository)).add(product)
    assert await (await container.get(ProductQueries)).get(owner.vendor_id, product.id) is None
