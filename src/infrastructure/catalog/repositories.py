"""The product repository: domain entities in and out, rows in the request's session (the writes'
unit of work). Reads go through the query service (``queries.py``).

A product is stored as its row, its occasion keys, its variants and their recipe lines. Saving a
revised product rewrites the children (deleted, then inserted again with the same ids), so any
reordering or SKU swap between two variants is one consistent change."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from application.catalog.errors import ProductRefused, SkuTaken
from domain.catalog.product import Product, ProductKind, RecipeLine, Variant, occasion_key
from domain.shared.money import Money
from infrastructure.catalog.models import ProductModel, ProductOccasionModel, RecipeLineModel, VariantModel
from infrastructure.db.errors import application_errors


def search_text(product: Product) -> str:
    """What ``q`` searches, case-folded: the name, the description and every SKU."""
    return "\n".join([product.name, product.description, *(variant.sku for variant in product.variants)]).casefold()


def _product_row(product: Product, row: ProductModel | None = None) -> ProductModel:
    row = row or ProductModel(id=product.id, vendor_id=product.vendor_id)
    row.name = product.name
    row.kind = product.kind.value
    row.description = product.description
    row.occasions = list(product.occasions)
    row.active = product.active
    row.search_text = search_text(product)
    if product.created_at is not None and row.created_at is None:
        row.created_at = product.created_at
    if product.updated_at is not None:
        row.updated_at = product.updated_at
    return row


def _children(product: Product) -> tuple[list[object], list[object]]:
    """The rows under a product, in two rounds: occasions and variants, then the recipe lines that
    point at the variants (no ORM relationship tells the session that order)."""
    first: list[object] = [
        ProductOccasionModel(vendor_id=product.vendor_id, product_id=product.id, key=occasion_key(label))
        for label in product.occasions
    ]
    first.extend(
        VariantModel(
            id=variant.id,
            vendor_id=product.vendor_id,
            product_id=product.id,
            position=position,
            name=variant.name,
            sku=variant.sku,
            price_minor=variant.price.amount_minor,
            currency=variant.price.currency,
        )
        for position, variant in enumerate(product.variants)
    )
    lines: list[object] = [
        RecipeLineModel(
            vendor_id=product.vendor_id,
            product_id=product.id,
            variant_id=variant.id,
            position=position,
            stock_item_id=line.stock_item_id,
            quantity=line.quantity,
        )
        for variant in product.variants
        for position, line in enumerate(variant.recipe)
    ]
    return first, lines


def _is_sku_conflict(error: IntegrityError) -> bool:
    name = getattr(error.orig, "constraint_name", None) or str(error.orig)
    return "uq_product_variants_vendor_sku" in str(name) or "product_variants.vendor_id, product_variants.sku" in str(
        name
    )


class SqlProductRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _refuse_taken_skus(self, product: Product) -> None:
        """A SKU another product of the shop uses: 409 naming it (the unique constraint is what
        decides under concurrency; this only names the SKU in the common case)."""
        skus = [variant.sku for variant in product.variants]
        if not skus:
            return
        with application_errors():
            taken = await self._session.scalar(
                select(VariantModel.sku)
                .where(
                    VariantModel.vendor_id == product.vendor_id,
                    VariantModel.sku.in_(skus),
                    VariantModel.product_id != product.id,
                )
                .limit(1)
            )
        if taken is not None:
            raise SkuTaken(taken)

    async def _insert_children(self, product: Product) -> None:
        for rows in _children(product):
            self._session.add_all(rows)
            try:
                with application_errors():
                    await self._session.flush()
            except IntegrityError as error:
                if _is_sku_conflict(error):
                    raise SkuTaken from None
                if "fk_recipe_lines_stock_item" in str(error.orig):
                    # Checked just before through the stock view; gone since (deleted meanwhile).
                    raise ProductRefused(
                        [("variants", "a recipe's stock item no longer exists; reload and retry")]
                    ) from None
                raise

    async def add(self, product: Product) -> None:
        await self._refuse_taken_skus(product)
        self._session.add(_product_row(product))
        try:
            with application_errors():
                await self._session.flush()  # the parent first: children point at it
        except IntegrityError as error:
            if _is_sku_conflict(error):
                raise SkuTaken from None
            raise
        await self._insert_children(product)

    async def get(self, vendor_id: UUID, product_id: UUID, *, lock: bool = False) -> Product | None:
        statement = select(ProductModel).where(ProductModel.vendor_id == vendor_id, ProductModel.id == product_id)
        if lock:
            statement = statement.with_for_update()
        with application_errors():
            row = (await self._session.execute(statement)).scalar_one_or_none()
            if row is None:
                return None
            variants = (
                await self._session.scalars(
                    select(VariantModel)
                    .where(VariantModel.vendor_id == vendor_id, VariantModel.product_id == product_id)
                    .order_by(VariantModel.position)
                )
            ).all()
            lines = (
                await self._session.scalars(
                    select(RecipeLineModel)
                    .where(RecipeLineModel.vendor_id == vendor_id, RecipeLineModel.product_id == product_id)
                    .order_by(RecipeLineModel.variant_id, RecipeLineModel.position)
                )
            ).all()
        return _product(row, variants, lines)

    async def update(self, product: Product) -> None:
        await self._refuse_taken_skus(product)
        with application_errors():
            row = await self._session.get(ProductModel, product.id)
        if row is None or row.vendor_id != product.vendor_id:
            return
        _product_row(product, row)
        await self._delete_children(product)
        await self._insert_children(product)

    async def delete(self, product: Product) -> None:
        await self._delete_children(product)
        with application_errors():
            await self._session.execute(
                delete(ProductModel).where(ProductModel.vendor_id == product.vendor_id, ProductModel.id == product.id)
            )

    async def _delete_children(self, product: Product) -> None:
        with application_errors():
            await self._session.flush()
            for model in (RecipeLineModel, VariantModel, ProductOccasionModel):
                await self._session.execute(
                    delete(model).where(model.vendor_id == product.vendor_id, model.product_id == product.id)
                )
        # The rows just deleted must not linger in the session under the ids about to be inserted.
        for stale in [
            obj
            for obj in self._session.identity_map.values()
            if isinstance(obj, VariantModel | RecipeLineModel | ProductOccasionModel) and obj.product_id == product.id
        ]:
            self._session.expunge(stale)


def _product(row: ProductModel, variants: Sequence[VariantModel], lines: Sequence[RecipeLineModel]) -> Product:
    recipes: dict[UUID, list[RecipeLine]] = {}
    for line in lines:
        recipes.setdefault(line.variant_id, []).append(
            RecipeLine(stock_item_id=line.stock_item_id, quantity=line.quantity)
        )
    return Product(
        id=row.id,
        vendor_id=row.vendor_id,
        name=row.name,
        kind=ProductKind(row.kind),
        description=row.description,
        occasions=tuple(str(tag) for tag in row.occasions or ()),
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
        variants=tuple(
            Variant(
                id=variant.id,
                name=variant.name,
                sku=variant.sku,
                price=Money(variant.price_minor, variant.currency),
                recipe=tuple(recipes.get(variant.id, ())),
            )
            for variant in variants
        ),
    )
