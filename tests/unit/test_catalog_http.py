"""The catalog's HTTP side without a server: its schemas name the domain's checks (a body refused
for its shape also lists what they refuse, nested paths included), and the OpenAPI document says
what each products operation can answer, with examples on every field."""

from __future__ import annotations

import json
import uuid
from typing import Any

import msgspec
import pytest

from infrastructure.config import load_settings
from infrastructure.di.container import make_container
from interfaces.http.app import build_litestar
from interfaces.http.catalog.schemas import ProductIn, ProductPatchIn
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
