"""The catalog's use cases over fakes: what is checked in which order (403, 400, 404, 422, 409),
what is written and committed, and what delete does with a product that orders refer to."""

from __future__ import annotations

import uuid

import pytest

from application.catalog.create_product import CreateProductCommand
from application.catalog.errors import ProductRefused, SkuTaken
from application.catalog.ports import ProductFilter
from application.catalog.update_product import UpdateProductCommand
from application.catalog.views import ProductOut
from application.shared.errors import NotFound, PermissionDenied
from application.shared.pagination import PageRequest
from application.shared.security_events import SecurityEventKind
from domain.catalog.product import ProductKind, VariantDraft
from domain.shared.errors import InvalidValue, InvalidValues
from domain.shared.role import Role
from tests.unit.catalog_fakes import Catalog


def _variant(sku: str, price: int = 1000, recipe: tuple[tuple[uuid.UUID, int], ...] = (), **kw: object) -> VariantDraft:
    return VariantDraft(
        name=f"Size {sku}",
        sku=sku,
        price_minor=price,
        currency=str(kw.get("currency", "EUR")),
        recipe=recipe,
        id=kw.get("id"),
    )  # type: ignore[arg-type]


def _command(*variants: VariantDraft, name: str = "Roses", **kw: object) -> CreateProductCommand:
    return CreateProductCommand(name=name, kind=ProductKind.BOUQUET, variants=variants, **kw)  # type: ignore[arg-type]


async def _made(catalog: Catalog, *variants: VariantDraft, name: str = "Roses") -> ProductOut:
    return await catalog.create().execute(catalog.principal(), _command(*variants, name=name))


async def test_create_answers_with_variant_ids_and_costs_and_commits_once() -> None:
    catalog = Catalog()
    rose = catalog.stock.add(catalog.vendor_id, units=4, value=500)  # 1.25 a stem
    made = await _made(catalog, _variant("R-1", 1000, ((rose, 3),)))
    assert catalog.uow.commits == 1
    (variant,) = made.variants
    assert variant.id == catalog.products.products[made.id].variants[0].id
    assert (variant.cost and variant.cost.amount_minor, variant.margin_percent) == (375, 62.5)


@pytest.mark.parametrize("role", [Role.STAFF, Role.DRIVER])
async def test_staff_and_drivers_may_not_write_and_the_refusal_is_recorded(role: Role) -> None:
    catalog = Catalog()
    made = await _made(catalog, _variant("R-1"))
    who = catalog.principal(role)
    with pytest.raises(PermissionDenied):
        await catalog.create().execute(who, _command(_variant("R-2")))
    with pytest.raises(PermissionDenied):
        await catalog.update().execute(who, UpdateProductCommand(product_id=made.id, name="Mine"))
    with pytest.raises(PermissionDenied):
        await catalog.delete().execute(who, made.id)
    assert [event.kind for event in catalog.events.events].count(SecurityEventKind.PERMISSION_DENIED) == 3
    assert list(catalog.products.products) == [made.id]
    assert (await catalog.get().execute(who, made.id)).name == "Roses"  # reading is for everyone


async def test_every_malformed_field_before_any_stored_rule() -> None:
    catalog = Catalog()
    with pytest.raises(InvalidValues) as refused:
        await catalog.create().execute(
            catalog.principal(),
            _command(
                _variant("A", -1, ((uuid.uuid4(), 0),)),  # also a stock item nobody has: only 400s are listed
                _variant("a"),
                name="",
                occasions=("",),
            ),
        )
    assert {problem.field for problem in refused.value.problems} == {
        "name",
        "occasions[0]",
        "variants[0].price.amount_minor",
        "variants[0].recipe[0].quantity",
        "variants[1].sku",
    }
    assert catalog.products.products == {}
    assert catalog.uow.commits == 0


async def test_stored_rules_are_422_with_every_path() -> None:
    catalog = Catalog()
    mine = catalog.stock.add(catalog.vendor_id, 1, 1)
    elsewhere = catalog.stock.add(uuid.uuid4(), 1, 1)
    with pytest.raises(ProductRefused) as refused:
        await catalog.create().execute(
            catalog.principal(),
            _command(_variant("A", recipe=((mine, 1), (elsewhere, 1))), _variant("B", currency="GBP")),
        )
    assert [field for field, _ in refused.value.problems] == [
        "variants[0].recipe[1].stock_item_id",
        "variants[1].price.currency",
    ]
    assert refused.value.field == "variants[0].recipe[1].stock_item_id"


async def test_sku_taken_is_a_conflict_and_nothing_is_committed() -> None:
    catalog = Catalog()
    await _made(catalog, _variant("R-1"))
    with pytest.raises(SkuTaken) as taken:
        await _made(catalog, _variant("r-1"), name="Copy")
    assert taken.value.sku == "R-1"
    assert len(catalog.products.products) == 1
    # Another shop may use it.
    other = uuid.uuid4()
    catalog.currency.currencies[other] = "EUR"
    await catalog.create().execute(catalog.principal(vendor_id=other), _command(_variant("R-1")))


async def test_update_checks_shape_before_existence_and_keeps_variant_ids() -> None:
    catalog = Catalog()
    made = await _made(catalog, _variant("R-1"), _variant("R-2"))
    with pytest.raises(InvalidValue):
        await catalog.update().execute(catalog.principal(), UpdateProductCommand(product_id=uuid.uuid4(), name=" "))
    with pytest.raises(NotFound):
        await catalog.update().execute(catalog.principal(), UpdateProductCommand(product_id=uuid.uuid4(), name="X"))
    with pytest.raises(NotFound):  # another shop's product is one nobody has
        await catalog.update().execute(
            catalog.principal(vendor_id=uuid.uuid4()), UpdateProductCommand(product_id=made.id, name="X")
        )
    first, second = made.variants
    changed = await catalog.update().execute(
        catalog.principal(),
        UpdateProductCommand(
            product_id=made.id,
            occasions=("Wedding", "wedding"),
            variants=(_variant("R-2B", id=second.id), _variant("R-3")),
        ),
    )
    assert changed.occasions == ["Wedding"]
    assert changed.variants[0].id == second.id
    assert first.id not in {v.id for v in changed.variants}
    with pytest.raises(ProductRefused) as refused:
        await catalog.update().execute(
            catalog.principal(), UpdateProductCommand(product_id=made.id, variants=(_variant("Z", id=first.id),))
        )
    assert refused.value.problems == (("variants[0].id", "is not a variant of this product"),)


async def test_delete_deletes_unless_ordered_then_deactivates() -> None:
    catalog = Catalog()
    kept = await _made(catalog, _variant("K-1"), name="Kept")
    gone = await _made(catalog, _variant("G-1"), name="Gone")
    catalog.usage.ordered.add(kept.id)
    assert await catalog.delete().execute(catalog.principal(), gone.id) is True
    assert await catalog.delete().execute(catalog.principal(), kept.id) is False
    assert gone.id not in catalog.products.products
    assert catalog.products.products[kept.id].active is False
    with pytest.raises(NotFound):
        await catalog.delete().execute(catalog.principal(), gone.id)


async def test_list_normalises_its_filters_and_names_bad_ones() -> None:
    catalog = Catalog()
    await catalog.create().execute(
        catalog.principal(), _command(_variant("S-1"), name="Sunny", occasions=("Birthday",))
    )
    await _made(catalog, _variant("L-1"), name="Lily")
    listing = catalog.list()
    page = PageRequest()
    assert [p.name for p in (await listing.execute(catalog.principal(Role.DRIVER), page)).items] == ["Lily", "Sunny"]
    found = await listing.execute(catalog.principal(), page, ProductFilter(occasion="  BIRTHDAY ", q=" SUN "))
    assert [p.name for p in found.items] == ["Sunny"]
    with pytest.raises(InvalidValues) as refused:
        await listing.execute(catalog.principal(), page, ProductFilter(occasion="\u200b", q="x" * 101))
    assert {problem.field for problem in refused.value.problems} == {"query.occasion", "query.q"}
