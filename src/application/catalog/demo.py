"""The demo shop's catalog, for `flower-vendor dev` and `flower-vendor demo seed`: fifteen products
a florist sells, each in sizes whose recipes draw on the demo stock, created through the same use
case a manager uses so their costs and margins show at once. Stock items are named, and the
caller (the demo seed, which runs the stock context's first) hands over their ids by name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from application.catalog.create_product import CreateProduct, CreateProductCommand
from application.catalog.ports import ProductQueries
from application.shared.context import Principal
from application.shared.pagination import PageRequest
from domain.catalog.product import VariantDraft

Recipe = tuple[tuple[str, int], ...]  # (stock item name, stems)


@dataclass(frozen=True, slots=True)
class DemoVariant:
    name: str
    sku: str
    price_minor: int
    recipe: Recipe


@dataclass(frozen=True, slots=True)
class DemoProduct:
    name: str
    kind: str
    description: str
    occasions: tuple[str, ...]
    variants: tuple[DemoVariant, ...]


RED = "Red rose 'Freedom' 60 cm"
WHITE = "White rose 'Avalanche' 50 cm"
SPRAY = "Spray rose 'Lydia'"
PEONY = "Peony 'Sarah Bernhardt'"
RANUNCULUS = "Ranunculus 'Hanoi'"
TULIP = "Tulip 'Strong Gold'"
LISIANTHUS = "Lisianthus white"
HYDRANGEA = "Hydrangea 'Magical Jade'"
CHRYSANT = "Chrysanthemum spray 'Pina Colada'"
GERBERA = "Gerbera mix"
SUNFLOWER = "Sunflower 'Sunrich Orange'"
LILY = "Stargazer lily"
ALSTRO = "Alstroemeria 'Virginia'"
GYPSO = "Gypsophila 'Xlence'"
EUCALYPTUS = "Eucalyptus cinerea"
RUSCUS = "Italian ruscus"
PITTO = "Pittosporum"
WRAP = "Kraft paper wrap"
RIBBON = "Satin ribbon, blush"
FOOD = "Flower food sachet"
VASE = "Glass vase 20 cm"
POT = "Ceramic pot 12 cm"


def _sizes(code: str, base: Recipe, prices: tuple[int, int, int], extra: Recipe = ()) -> tuple[DemoVariant, ...]:
    """Small, medium and large: the base recipe once, one and a half times, twice (plus extras)."""
    small = (*base, (WRAP, 1), (FOOD, 1))
    medium = (*((name, q + q // 2) for name, q in base), (WRAP, 1), (FOOD, 1), *extra)
    large = (*((name, 2 * q) for name, q in base), (WRAP, 2), (FOOD, 1), (RIBBON, 1), *extra)
    return (
        DemoVariant("Small", f"{code}-S", prices[0], small),
        DemoVariant("Medium", f"{code}-M", prices[1], medium),
        DemoVariant("Large", f"{code}-L", prices[2], large),
    )


DEMO_CATALOG: tuple[DemoProduct, ...] = (
    DemoProduct(
        "Classic red roses",
        "BOUQUET",
        "Long-stemmed red roses with eucalyptus, hand-tied.",
        ("anniversary", "valentine", "love"),
        _sizes("ROSE-RED", ((RED, 6), (EUCALYPTUS, 2)), (2950, 4450, 6950)),
    ),
    DemoProduct(
        "Peonies & lilies <3",
        "BOUQUET",
        "<p>Peonies and a <b>Stargazer</b> lily &amp; ruscus: the florist's favourite in May.</p>",
        ("birthday", "mother's day"),
        _sizes("PEONY", ((PEONY, 3), (LILY, 1), (RUSCUS, 2)), (3950, 5450, 7950)),
    ),
    DemoProduct(
        "Spring tulips",
        "BOUQUET",
        "Golden tulips tied with ruscus.",
        ("spring", "thank you"),
        _sizes("TULIP", ((TULIP, 10), (RUSCUS, 2)), (1950, 2750, 3650)),
    ),
    DemoProduct(
        "White elegance",
        "ARRANGEMENT",
        "White roses, lisianthus and gypsophila in a glass vase.",
        ("wedding", "sympathy"),
        (
            DemoVariant("Standard", "WHITE-STD", 5950, ((WHITE, 7), (LISIANTHUS, 3), (GYPSO, 2), (VASE, 1))),
            DemoVariant("Deluxe", "WHITE-DLX", 8950, ((WHITE, 12), (LISIANTHUS, 5), (GYPSO, 3), (VASE, 1))),
        ),
    ),
    DemoProduct(
        "Sunshine",
        "BOUQUET",
        "Sunflowers and gerberas to brighten a day.",
        ("get well", "birthday"),
        _sizes("SUN", ((SUNFLOWER, 3), (GERBERA, 4), (EUCALYPTUS, 1)), (2450, 3450, 4950)),
    ),
    DemoProduct(
        "Ranunculus dream",
        "BOUQUET",
        "Ranunculus and spray roses, soft and round.",
        ("birthday", "new baby"),
        _sizes("RANUN", ((RANUNCULUS, 7), (SPRAY, 3)), (3450, 4950, 6950)),
    ),
    DemoProduct(
        "Hydrangea cloud",
        "ARRANGEMENT",
        "A hydrangea head with pittosporum in a ceramic pot.",
        ("thank you",),
        (DemoVariant("One size", "HYDR-1", 4250, ((HYDRANGEA, 2), (PITTO, 2), (POT, 1))),),
    ),
    DemoProduct(
        "Florist's choice",
        "BOUQUET",
        "Whatever is freshest today, chosen by us.",
        ("birthday", "thank you", "just because"),
        _sizes("CHOICE", ((ALSTRO, 4), (CHRYSANT, 2), (SPRAY, 2), (RUSCUS, 1)), (2500, 3500, 5000)),
    ),
    DemoProduct(
        "Sympathy wreath",
        "ARRANGEMENT",
        "White lilies and chrysanthemums with ruscus, for a last farewell.",
        ("sympathy", "funeral"),
        (
            DemoVariant("40 cm", "WREATH-40", 7950, ((LILY, 3), (CHRYSANT, 6), (RUSCUS, 8))),
            DemoVariant("60 cm", "WREATH-60", 11950, ((LILY, 5), (CHRYSANT, 10), (RUSCUS, 14))),
        ),
    ),
    DemoProduct(
        "Alstroemeria bunch",
        "BOUQUET",
        "Long-lasting alstroemeria, good for two weeks.",
        ("thank you", "office"),
        _sizes("ALSTRO", ((ALSTRO, 8),), (1450, 1950, 2750)),
    ),
    DemoProduct(
        "Mixed roses",
        "BOUQUET",
        "Red and white roses with gypsophila.",
        ("anniversary", "wedding"),
        _sizes("ROSE-MIX", ((RED, 4), (WHITE, 4), (GYPSO, 1)), (3450, 4950, 7450)),
    ),
    DemoProduct(
        "Gerbera smile",
        "BOUQUET",
        "Cheerful gerberas in every colour.",
        ("get well", "kids"),
        _sizes("GERB", ((GERBERA, 6),), (1650, 2350, 3250)),
    ),
    DemoProduct(
        "Orchid in a pot",
        "PLANT",
        "A potted plant that lasts for months (bought in, not from stock).",
        ("housewarming", "office"),
        (DemoVariant("One size", "PLANT-ORCHID", 3495, ((POT, 1),)),),
    ),
    DemoProduct(
        "Glass vase",
        "ADDON",
        "Add a vase so the flowers are ready to stand.",
        ("add-on",),
        (DemoVariant("20 cm", "ADD-VASE", 995, ((VASE, 1),)),),
    ),
    DemoProduct(
        "Greeting card",
        "ADDON",
        "A card with your handwritten-style message.",
        ("add-on",),
        (DemoVariant("Card", "ADD-CARD", 350, ()),),
    ),
)


class SeedDemoCatalog:
    """Fills an empty shop's catalog with ``DEMO_CATALOG``; a shop that has products already is
    left as it is. ``stock`` maps the shop's stock item names to their ids."""

    def __init__(self, create: CreateProduct, queries: ProductQueries) -> None:
        self._create = create
        self._queries = queries

    async def execute(self, owner: Principal, stock: Mapping[str, UUID], currency: str) -> int:
        if (await self._queries.page(owner.vendor_id, PageRequest(limit=1))).total:
            return 0
        for product in DEMO_CATALOG:
            await self._create.execute(
                owner,
                CreateProductCommand(
                    name=product.name,
                    kind=product.kind,
                    description=product.description,
                    occasions=product.occasions,
                    variants=tuple(
                        VariantDraft(
                            name=variant.name,
                            sku=variant.sku,
                            price_minor=variant.price_minor,
                            currency=currency,
                            recipe=tuple((stock[name], quantity) for name, quantity in variant.recipe if name in stock),
                        )
                        for variant in product.variants
                    ),
                ),
            )
        return len(DEMO_CATALOG)
