"""The catalog's domain: product checks (every problem at once, by path), occasion tags, SKUs,
revisions, and the recipe costing arithmetic (hypothesis where a property says more than examples)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.catalog.costing import LineStock, cost_of, costing
from domain.catalog.product import (
    MAX_OCCASIONS,
    Product,
    ProductKind,
    ProductRevision,
    VariantDraft,
    check_occasions,
    check_sku,
    occasion_key,
)
from domain.shared.errors import InvalidValue, InvalidValues

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _draft(sku: str = "RB-M", price: int = 1500, **kw: object) -> VariantDraft:
    return VariantDraft(name=str(kw.pop("name", "Medium")), sku=sku, price_minor=price, currency="EUR", **kw)  # type: ignore[arg-type]


def _product(*variants: VariantDraft, **kw: object) -> Product:
    return Product.create(
        vendor_id=uuid.uuid4(),
        name=str(kw.pop("name", "Blush Bouquet")),
        kind=ProductKind.BOUQUET,
        description=kw.pop("description", None),  # type: ignore[arg-type]
        occasions=kw.pop("occasions", ()),  # type: ignore[arg-type]
        variants=variants or (_draft(),),
        at=AT,
    )


def test_a_product_cleans_its_text() -> None:
    product = _product(
        _draft(" rb-m ", name="<i>Medium</i>"),
        name="Roses &amp; lilies <3",
        description="<p>Hand-tied</p><script>alert(1)</script><p>with care</p>",
        occasions=(" Mother's  Day ", "mother's day", "Birthday"),
    )
    assert product.name == "Roses & lilies <3"
    assert product.description == "Hand-tied\nwith care"
    assert product.occasions == ("Mother's Day", "Birthday")
    assert product.variants[0].sku == "RB-M"
    assert product.variants[0].name == "Medium"


def test_every_problem_at_once_named_by_its_path() -> None:
    stem = uuid.uuid4()
    with pytest.raises(InvalidValues) as refused:
        Product.create(
            vendor_id=uuid.uuid4(),
            name="\u200b",
            kind=ProductKind.PLANT,
            description="x" * 2001,
            occasions=("ok", "y" * 41),
            variants=(
                _draft("A", -5, recipe=((stem, 0), (stem, 2))),
                _draft("bad sku"),
                VariantDraft(name="B", sku="a", price_minor=1, currency="EURO"),
            ),
            at=AT,
        )
    assert [p.field for p in refused.value.problems] == [
        "name",
        "description",
        "occasions[1]",
        "variants[0].price.amount_minor",
        "variants[0].recipe[0].quantity",
        "variants[0].recipe[1].stock_item_id",
        "variants[1].sku",
        "variants[2].price.currency",
        "variants[2].sku",
    ]


def test_a_product_needs_a_variant_and_no_more_than_twenty() -> None:
    with pytest.raises(InvalidValue) as none:
        Product.create(
            vendor_id=uuid.uuid4(), name="X", kind=ProductKind.ADDON, description=None, occasions=(), variants=(), at=AT
        )
    assert none.value.field == "variants"
    with pytest.raises(InvalidValue) as many:
        _product(*(_draft(f"S-{n}") for n in range(21)))
    assert "variants" in {p.field for p in getattr(many.value, "problems", (many.value,))}


@given(st.lists(st.text(min_size=0, max_size=12), max_size=30))
def test_occasions_are_deduplicated_case_insensitively_and_bounded(raw: list[str]) -> None:
    try:
        tags = check_occasions(raw)
    except InvalidValue:
        return
    keys = [occasion_key(tag) for tag in tags]
    assert len(keys) == len(set(keys)) <= MAX_OCCASIONS
    assert all(tag == tag.strip() and tag for tag in tags)
    assert check_occasions(tags) == tags  # cleaning twice changes nothing


@given(st.text(alphabet="abcXYZ019._/- ", min_size=1, max_size=70))
def test_skus_are_upper_case_and_stable(raw: str) -> None:
    try:
        sku = check_sku(raw)
    except InvalidValue:
        return
    assert sku == sku.upper() == sku.strip()
    assert 1 <= len(sku) <= 64
    assert check_sku(sku.lower()) == sku


def test_a_revision_keeps_given_ids_and_reports_unknown_ones() -> None:
    product = _product(_draft("A"), _draft("B"))
    first, second = product.variants
    stranger = uuid.uuid4()
    revision = ProductRevision.check(
        name="New", variants=(_draft("B2", id=second.id), _draft("C"), _draft("D", id=stranger))
    )
    assert product.unknown_variant_ids(revision) == [2]
    revised = product.revised(revision, at=AT)
    assert revised.name == "New"
    assert revised.variants[0].id == second.id
    assert revised.removed_variant_ids == {first.id}
    assert revised.description == product.description
    unchanged = product.revised(ProductRevision.check(), at=AT)
    assert unchanged.variants == product.variants
    with pytest.raises(InvalidValues):
        ProductRevision.check(variants=(_draft("X", id=first.id), _draft("Y", id=first.id)), name="")


def test_costing_by_hand() -> None:
    # 3 x (1950 / 15) + 2 x (397 / 4) = 390 + 198.5 = 588.5: half up to 589.
    lines = [LineStock(3, 15, 1950), LineStock(2, 4, 397)]
    result = costing(1500, lines)
    assert (result.cost_minor, result.complete, result.margin_minor, result.margin_percent) == (589, True, 911, 60.8)
    assert costing(1500, [LineStock(1, 0, 0), *lines]) == costing(0, [LineStock(1, 0, 0)])
    assert costing(1500, [LineStock(1, 0, 0)]).complete is False
    assert costing(0, []).margin_percent is None
    loss = costing(100, [LineStock(1, 1, 150)])
    assert (loss.margin_minor, loss.margin_percent) == (-50, -50.0)


line_stock = st.builds(
    LineStock,
    quantity=st.integers(1, 10_000),
    units_on_hand=st.integers(1, 100_000),
    value_on_hand_minor=st.integers(0, 10**9),
)


@given(st.lists(line_stock, max_size=8), st.integers(0, 10**9))
def test_cost_is_the_exact_sum_rounded_once(lines: list[LineStock], price: int) -> None:
    result = costing(price, lines)
    exact = sum((Fraction(line.quantity * line.value_on_hand_minor, line.units_on_hand) for line in lines), Fraction(0))
    assert result.cost_minor is not None
    assert abs(result.cost_minor - exact) <= Fraction(1, 2)
    assert result.margin_minor == price - result.cost_minor
    assert cost_of(lines) == exact
    if price:
        assert result.margin_percent is not None
        assert abs(Fraction(result.margin_percent) - (price - exact) * 100 / price) <= Fraction(1, 20)


def _reference_costing(price: int, lines: list[LineStock]) -> tuple[int, int, float | None]:
    """The costing rules spelled with Fraction, as the first version computed them."""
    exact = sum((Fraction(line.quantity * line.value_on_hand_minor, line.units_on_hand) for line in lines), Fraction(0))
    cost = int((exact + Fraction(1, 2)) // 1)
    percent = None
    if price > 0:
        tenths = (Fraction(price) - exact) * 1000 / price
        percent = float(Fraction(int((tenths + Fraction(1, 2)) // 1), 10))
    return cost, price - cost, percent


@given(st.lists(line_stock, max_size=8), st.integers(0, 10**9))
def test_integer_costing_is_exactly_the_fraction_rules(lines: list[LineStock], price: int) -> None:
    result = costing(price, lines)
    assert (result.cost_minor, result.margin_minor, result.margin_percent) == _reference_costing(price, lines)


def test_a_kind_by_name_for_seed_scripts() -> None:
    product = Product.create(
        vendor_id=uuid.uuid4(), name="Fern", kind="PLANT", description=None, occasions=(), variants=(_draft(),), at=AT
    )
    assert product.kind is ProductKind.PLANT
    with pytest.raises(InvalidValue) as refused:
        Product.create(
            vendor_id=uuid.uuid4(),
            name="Fern",
            kind="TREE",
            description=None,
            occasions=(),
            variants=(_draft(),),
            at=AT,
        )
    assert refused.value.field == "kind"
