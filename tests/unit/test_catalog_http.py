"""The catalog's HTTP side without a server: its schemas name the domain's checks (a body refused
for its shape also lists what they refuse, nested paths included), and the OpenAPI document says
what each products operation can answer, with examples on every field, whole bodies that cost
what the domain's costing says, and each operation's own refusals."""

from __future__ import annotations

import json
import uuid
from typing import Any

import msgspec
import pytest

from application.catalog.views import EXAMPLE_STOCK_ON_HAND, ProductOut
from domain.catalog.costing import LineStock, costing
from infrastructure.config import load_settings
from infrastructure.di.container import make_container
from interfaces.http.app import build_litestar
from interfaces.http.catalog.schemas import ProductIn, ProductPage, ProductPatchIn
from interfaces.http.di import http_providers
from interfaces.http.field_errors import body_problems


def _problems(body: dict[str, Any], schema: type) -> dict[str, str]:
    raw = json.dumps(body).encode()
    try:
        msgspec.json.decode(raw, type=schema, strict=True)
    except msgspec.ValidationError as error:
        return dict(body_problems(raw, schema, error))
    return dict(body_problems(raw, schema))


def test_a_product_body_lists_shape_and_rule_problems_by_nested_path() -> None:
    problems = _problems(
        {
            "name": "<b></b>",
            "kind": "BOUQUET",
            "occasions": ["ok", "x" * 41],
            "variants": [
                {
                    "name": "Small",
                    "sku": "no spaces",
                    "price": {"amount_minor": -1, "currency": "EUR"},
                    "recipe": [{"stock_item_id": str(uuid.uuid4()), "quantity": 0}],
                }
            ],
        },
        ProductIn,
    )
    assert set(problems) == {
        "name",  # markup only: empty once it is plain text (the domain's rule)
        "occasions[1]",
        "variants[0].sku",
        "variants[0].price.amount_minor",
        "variants[0].recipe[0].quantity",
    }


def test_a_patch_body_is_checked_the_same_way() -> None:
    problems = _problems({"description": "x" * 2001, "variants": [{"id": "nope"}]}, ProductPatchIn)
    assert {"description", "variants[0].id", "variants[0].name", "variants[0].sku", "variants[0].price"} <= set(
        problems
    )


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    settings = load_settings({"ENVIRONMENT": "development", "DATABASE_URL": "sqlite+aiosqlite:///:memory:"})
    return build_litestar(settings, make_container(settings, *http_providers())).openapi_schema.to_schema()


def test_each_products_operation_documents_what_it_can_answer(document: dict[str, Any]) -> None:
    paths = document["paths"]
    create, listing = paths["/api/products"]["post"], paths["/api/products"]["get"]
    one = paths["/api/products/{product_id}"]
    assert {"201", "400", "401", "403", "409", "422"} <= set(create["responses"])
    assert {"200", "400", "401"} <= set(listing["responses"])
    assert "403" not in listing["responses"]  # every role reads the catalog
    assert "403" not in one["get"]["responses"]
    assert {"200", "403", "404", "409", "422"} <= set(one["patch"]["responses"])
    assert {"204", "403", "404"} <= set(one["delete"]["responses"])
    sort = next(p for p in listing["parameters"] if p["name"] == "sort")
    assert set(sort["schema"]["enum"]) == {"name", "-name", "created_at", "-created_at", "margin", "-margin"}


@pytest.mark.parametrize(
    "schema",
    [
        "ProductIn",
        "ProductPatchIn",
        "VariantIn",
        "VariantPatchIn",
        "PriceIn",
        "RecipeLineIn",
        "ProductOut",
        "VariantOut",
    ],
)
def test_every_catalog_field_carries_an_example(document: dict[str, Any], schema: str) -> None:
    for name, definition in document["components"]["schemas"][schema]["properties"].items():
        examples = definition.get("examples") or [
            example for option in definition.get("oneOf", []) for example in option.get("examples", [])
        ]
        assert examples, (schema, name)


def _example_variants() -> list[dict[str, Any]]:
    page = msgspec.convert(ProductPage.EXAMPLE, ProductPage, strict=False)  # ids and times from strings
    return [msgspec.to_builtins(variant) for product in page.items for variant in product.variants]


def test_the_example_variants_cost_what_their_recipes_cost_from_the_stock_on_hand() -> None:
    variants = _example_variants()
    assert len(variants) == 3
    for variant in variants:
        lines = [
            LineStock(line["quantity"], *EXAMPLE_STOCK_ON_HAND[line["stock_item_id"]]) for line in variant["recipe"]
        ]
        expected = costing(variant["price"]["amount_minor"], lines)
        assert expected.complete, variant["sku"]
        assert variant["cost_complete"], variant["sku"]
        assert variant["cost"] == {"amount_minor": expected.cost_minor, "currency": "EUR"}, variant["sku"]
        assert variant["margin"] == {"amount_minor": expected.margin_minor, "currency": "EUR"}, variant["sku"]
        assert variant["margin_percent"] == expected.margin_percent, variant["sku"]
        assert variant["price"]["currency"] == "EUR"


def test_the_catalog_examples_tell_one_story(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    page = schemas["ProductPage"]["examples"][0]
    product = schemas["ProductOut"]["examples"][0]
    assert product == ProductOut.EXAMPLE
    assert product in page["items"]
    assert [item["name"] for item in page["items"]] == sorted(item["name"] for item in page["items"])  # by name
    assert page["total"] == len(page["items"]) <= page["limit"]
    assert schemas["VariantOut"]["examples"][0] == product["variants"][0]
    skus = [variant["sku"] for item in page["items"] for variant in item["variants"]]
    assert len(skus) == len(set(skus))  # unique in the shop
    for item in page["items"]:
        assert item["created_at"] <= item["updated_at"]
    # The request bodies' examples are the same shop's: the Medium as it is created, and revised.
    variant_in = schemas["ProductIn"]["properties"]["variants"]["examples"][0][0]
    medium = product["variants"][0]
    assert {key: medium[key] for key in ("name", "sku", "price", "recipe")} == variant_in
    stock_items = {line["stock_item_id"] for sku in _example_variants() for line in sku["recipe"]}
    assert stock_items <= set(EXAMPLE_STOCK_ON_HAND)


def _shown(document: dict[str, Any], path: str, method: str) -> dict[str, dict[str, dict[str, Any]]]:
    """status -> example name -> problem JSON, of one operation."""
    responses = document["paths"][path][method]["responses"]
    return {
        status: {name: example["value"] for name, example in media["examples"].items()}
        for status, response in responses.items()
        if (media := response.get("content", {}).get("application/problem+json"))
    }


def _codes(shown: dict[str, dict[str, dict[str, Any]]], status: str) -> set[str]:
    return {problem["code"] for problem in shown[status].values()}


def test_each_products_operation_shows_its_own_refusals(document: dict[str, Any]) -> None:
    listing = _shown(document, "/api/products", "get")
    create = _shown(document, "/api/products", "post")
    one = "/api/products/{product_id}"
    read, update, remove = _shown(document, one, "get"), _shown(document, one, "patch"), _shown(document, one, "delete")
    for writing in (create, update, remove):
        assert _codes(writing, "403") == {"FORBIDDEN"}
    for addressed in (read, update, remove):
        assert _codes(addressed, "404") == {"NOT_FOUND"}
    for changing in (create, update):
        assert _codes(changing, "409") == {"SKU_TAKEN"}
        assert _codes(changing, "422") == {"UNPROCESSABLE_CONTENT"}
        assert _codes(changing, "400") == {"VALIDATION_ERROR", "BAD_REQUEST"}  # shape or rules, and not JSON
        assert len(changing["400"]) == 3  # the edge's shape refusal, the use case's rules, not JSON
    assert {e["field"] for e in create["422"]["UNPROCESSABLE_CONTENT"]["errors"]} == {
        "variants[0].price.currency",
        "variants[0].recipe[1].stock_item_id",
    }
    assert "variants[1].id" in {e["field"] for e in update["422"]["UNPROCESSABLE_CONTENT"]["errors"]}
    assert {e["field"] for e in create["400"]["VALIDATION_ERROR_2"]["errors"]} == {
        "variants[1].sku",  # "rb-m" repeats RB-M once upper-cased
        "variants[0].recipe[2].stock_item_id",
    }
    assert {e["field"] for e in update["400"]["VALIDATION_ERROR_2"]["errors"]} == {"name", "variants[1].id"}
    rules = [p for p in listing["400"].values() if p["errors"][0]["field"].startswith("query.occasion")]
    assert rules, listing["400"]
