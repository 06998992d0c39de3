"""A product a shop sells, in variants (sizes) each with its SKU, price and recipe of stock items.

Every check reports its problem by the input's path (``variants[1].recipe[0].quantity``) and
``Product.create`` / ``Product.revised`` run them all, reporting every problem at once (``Checks``).
Rules that need stored state (a SKU taken by another product, a stock item of another shop, the
shop's currency) belong to the use cases."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from uuid import UUID, uuid4

from domain.shared.errors import Checks, InvalidValue
from domain.shared.money import Money
from domain.shared.text import plain_text

MAX_PRODUCT_NAME_LENGTH = 120
MAX_VARIANT_NAME_LENGTH = 80
MAX_DESCRIPTION_LENGTH = 2000
MAX_OCCASIONS = 20
MAX_OCCASION_LENGTH = 40
MAX_VARIANTS = 20
MAX_RECIPE_LINES = 50
MAX_RECIPE_QUANTITY = 10_000
MAX_SKU_LENGTH = 64
# Upper-case letters, digits and . _ / - (starting with a letter or digit): what fits on a label
# and in a spreadsheet. SKUs are upper-cased first, so "rb-s" and "RB-S" are one SKU.
_SKU_RE = re.compile(r"[A-Z0-9][A-Z0-9._/-]*")


class ProductKind(enum.StrEnum):
    ARRANGEMENT = "ARRANGEMENT"
    BOUQUET = "BOUQUET"
    PLANT = "PLANT"
    ADDON = "ADDON"


def check_kind(raw: str, field: str = "kind") -> ProductKind:
    """A kind given as the enum or its name (a seed script may pass ``"BOUQUET"``)."""
    try:
        return ProductKind(raw)
    except ValueError:
        raise InvalidValue(field, f"must be one of {', '.join(kind.value for kind in ProductKind)}") from None


def check_product_name(raw: str, field: str = "name") -> str:
    """One line of plain text (contract section 6: markup removed, entities unescaped)."""
    return plain_text(raw, field, max_length=MAX_PRODUCT_NAME_LENGTH)


def check_variant_name(raw: str, field: str = "name") -> str:
    return plain_text(raw, field, max_length=MAX_VARIANT_NAME_LENGTH)


def check_description(raw: str, field: str = "description") -> str:
    """Plain text (markup removed, entities unescaped), line breaks kept; may be empty."""
    return plain_text(raw, field, max_length=MAX_DESCRIPTION_LENGTH, multiline=True, required=False)


def check_sku(raw: str, field: str = "sku") -> str:
    sku = raw.strip().upper()
    if not sku:
        raise InvalidValue(field, "must not be empty")
    if len(sku) > MAX_SKU_LENGTH:
        raise InvalidValue(field, f"must be at most {MAX_SKU_LENGTH} characters long")
    if not _SKU_RE.fullmatch(sku):
        raise InvalidValue(field, "must be letters, digits and . _ / - only, starting with a letter or digit")
    return sku


def occasion_key(label: str) -> str:
    """What two occasion tags are compared by: case-folded (``Mother's Day`` is ``mother's day``)."""
    return label.casefold()


def check_occasion(raw: str, field: str = "occasion") -> str:
    """One tag as shown: one line of plain text, whitespace folded, at most 40 characters."""
    return plain_text(raw, field, max_length=MAX_OCCASION_LENGTH)


def check_occasions(raw: Sequence[str], field: str = "occasions") -> tuple[str, ...]:
    """Free-form tags: each cleaned; a tag repeating an earlier one (compared case-folded) is
    dropped, the first spelling kept; at most ``MAX_OCCASIONS`` distinct tags."""
    checks = Checks()
    kept: dict[str, str] = {}
    for index, tag in enumerate(raw):
        label = checks.run(partial(check_occasion, field=f"{field}[{index}]"), tag)
        kept.setdefault(occasion_key(label), label)
    checks.raise_any()
    if len(kept) > MAX_OCCASIONS:
        raise InvalidValue(field, f"must hold at most {MAX_OCCASIONS} different occasions")
    return tuple(kept.values())


def _checked_occasions(raw: Sequence[str], checks: Checks) -> tuple[str, ...]:
    return checks.attempt(lambda: check_occasions(raw)) or ()


def check_quantity(value: int, field: str = "quantity") -> int:
    if type(value) is not int or not 1 <= value <= MAX_RECIPE_QUANTITY:
        raise InvalidValue(field, f"must be a whole number from 1 to {MAX_RECIPE_QUANTITY}")
    return value


@dataclass(frozen=True, slots=True)
class RecipeLine:
    """So many units of one stock item go into one variant."""

    stock_item_id: UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class Variant:
    id: UUID
    name: str
    sku: str
    price: Money
    recipe: tuple[RecipeLine, ...] = ()


@dataclass(frozen=True, slots=True)
class VariantDraft:
    """A variant as a caller gives it (unchecked); ``id`` keeps an existing variant's id."""

    name: str
    sku: str
    price_minor: int
    currency: str
    recipe: tuple[tuple[UUID, int], ...] = ()
    id: UUID | None = None


def _variant(draft: VariantDraft, at: str, checks: Checks) -> Variant:
    name = checks.run(lambda value: check_variant_name(value, f"{at}.name"), draft.name)
    sku = checks.run(lambda value: check_sku(value, f"{at}.sku"), draft.sku)
    price = checks.attempt(lambda: Money.of(draft.price_minor, draft.currency, f"{at}.price"))
    if len(draft.recipe) > MAX_RECIPE_LINES:
        checks.add(InvalidValue(f"{at}.recipe", f"must hold at most {MAX_RECIPE_LINES} lines"))
    lines: list[RecipeLine] = []
    seen: set[UUID] = set()
    for index, (stock_item_id, raw_quantity) in enumerate(draft.recipe[:MAX_RECIPE_LINES]):
        line_at = f"{at}.recipe[{index}]"
        if stock_item_id in seen:
            checks.add(InvalidValue(f"{line_at}.stock_item_id", "appears twice in this recipe: give it once"))
        seen.add(stock_item_id)
        quantity = checks.run(partial(check_quantity, field=f"{line_at}.quantity"), raw_quantity)
        lines.append(RecipeLine(stock_item_id=stock_item_id, quantity=quantity))
    return Variant(
        id=draft.id or uuid4(),
        name=name,
        sku=sku,
        price=price if price is not None else Money(0, "EUR"),  # unused: checks raise first
        recipe=tuple(lines),
    )


def _variants(drafts: Sequence[VariantDraft], checks: Checks) -> tuple[Variant, ...]:
    if not drafts:
        checks.add(InvalidValue("variants", "must hold at least one variant"))
    if len(drafts) > MAX_VARIANTS:
        checks.add(InvalidValue("variants", f"must hold at most {MAX_VARIANTS} variants"))
    variants = tuple(_variant(draft, f"variants[{index}]", checks) for index, draft in enumerate(drafts))
    first_at: dict[str, int] = {}
    ids: set[UUID] = set()
    for index, (draft, variant) in enumerate(zip(drafts, variants, strict=True)):
        if variant.sku in first_at and not _sku_refused(variant.sku):
            checks.add(InvalidValue(f"variants[{index}].sku", f"repeats variants[{first_at[variant.sku]}].sku"))
        first_at.setdefault(variant.sku, index)
        if draft.id is not None:
            if draft.id in ids:
                checks.add(InvalidValue(f"variants[{index}].id", "appears twice in this request"))
            ids.add(draft.id)
    return variants


def _sku_refused(sku: str) -> bool:
    """Whether ``sku`` is one ``check_sku`` refuses (then it is not compared for repeats)."""
    try:
        check_sku(sku)
    except InvalidValue:
        return True
    return False


@dataclass(frozen=True, slots=True)
class Product:
    id: UUID
    vendor_id: UUID
    name: str
    kind: ProductKind
    description: str
    occasions: tuple[str, ...]
    variants: tuple[Variant, ...]
    active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # Set by ``revised``: ids of the variants the revision removed.
    removed_variant_ids: frozenset[UUID] = field(default=frozenset(), compare=False)

    @classmethod
    def create(
        cls,
        *,
        vendor_id: UUID,
        name: str,
        kind: ProductKind | str,
        description: str | None,
        occasions: Sequence[str],
        variants: Sequence[VariantDraft],
        at: datetime,
        active: bool = True,
        id: UUID | None = None,
    ) -> Product:
        """A new product, every field checked and every problem reported together (``InvalidValues``)."""
        checks = Checks()
        checked_kind = checks.run(check_kind, kind)
        name = checks.run(check_product_name, name)
        text = checks.run(check_description, description or "")
        tags = _checked_occasions(occasions, checks)
        checked = _variants(variants, checks)
        checks.raise_any()
        return cls(
            id=id or uuid4(),
            vendor_id=vendor_id,
            name=name,
            kind=ProductKind(checked_kind),
            description=text,
            occasions=tags,
            variants=checked,
            active=active,
            created_at=at,
            updated_at=at,
        )

    def revised(self, revision: ProductRevision, *, at: datetime) -> Product:
        """This product with a checked revision applied. Its ``variants`` replace the whole list:
        an entry with the id of one of this product's variants revises that variant (its id kept),
        one without an id is a new variant, and a variant left out is removed. Whether each given
        id is one of this product's is the use case's to check first (``unknown_variant_ids``)."""
        new_variants = self.variants if revision.variants is None else revision.variants
        removed = frozenset({variant.id for variant in self.variants} - {variant.id for variant in new_variants})
        return replace(
            self,
            name=self.name if revision.name is None else revision.name,
            description=self.description if revision.description is None else revision.description,
            occasions=self.occasions if revision.occasions is None else revision.occasions,
            active=self.active if revision.active is None else revision.active,
            variants=new_variants,
            updated_at=at,
            removed_variant_ids=removed,
        )

    def unknown_variant_ids(self, revision: ProductRevision) -> list[int]:
        """Positions of the revision's variants naming an id this product does not have."""
        known = {variant.id for variant in self.variants}
        given = enumerate(revision.given_variant_ids)
        return [index for index, variant_id in given if variant_id is not None and variant_id not in known]

    def deactivated(self, at: datetime) -> Product:
        return replace(self, active=False, updated_at=at)

    @property
    def stock_item_ids(self) -> frozenset[UUID]:
        return frozenset(line.stock_item_id for variant in self.variants for line in variant.recipe)


@dataclass(frozen=True, slots=True)
class ProductRevision:
    """A checked change to a product (None: unchanged), made before the product is loaded, so a
    malformed change is refused (400) whether or not the product exists."""

    name: str | None = None
    description: str | None = None
    occasions: tuple[str, ...] | None = None
    active: bool | None = None
    variants: tuple[Variant, ...] | None = None
    given_variant_ids: tuple[UUID | None, ...] = ()

    @classmethod
    def check(
        cls,
        *,
        name: str | None = None,
        description: str | None = None,
        occasions: Sequence[str] | None = None,
        active: bool | None = None,
        variants: Sequence[VariantDraft] | None = None,
    ) -> ProductRevision:
        checks = Checks()
        return_name = None if name is None else checks.run(check_product_name, name)
        text = None if description is None else checks.run(check_description, description)
        tags = None if occasions is None else _checked_occasions(occasions, checks)
        checked = None if variants is None else _variants(variants, checks)
        checks.raise_any()
        return cls(
            name=return_name,
            description=text,
            occasions=tags,
            active=active,
            variants=checked,
            given_variant_ids=tuple(draft.id for draft in variants or ()),
        )
