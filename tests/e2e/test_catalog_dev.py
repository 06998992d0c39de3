"""The catalog under `flower-vendor dev` (SQLite): a walk through every `/api/products` call, the
costing, the text search's LIKE fallback, the occasion filter and the margin sort."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.catalog_stock import stock_item_at
from tests.e2e.api_helpers import bearer, login, signup
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e


def test_a_walk_through_the_catalog_on_sqlite(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> None:
    server = server_factory(["dev"], {}, cwd=tmp_path)
    client = server.client
    shop = signup(client)
    owner = bearer(login(client, shop.email)["access_token"])
    database = f"sqlite:///{tmp_path / '.data' / 'flower-vendor.db'}"
    roses = stock_item_at(database, shop.vendor["id"], "Rose", [(10, 120), (5, 150)])  # 130 on average
    ferns = stock_item_at(database, shop.vendor["id"], "Fern", [(3, 99), (1, 100)])  # 99.25 on average

    def create(name: str, sku: str, price: int, recipe: list[tuple[str, int]], occasions: list[str]) -> dict:  # type: ignore[type-arg]
        body = {
            "name": name,
            "kind": "BOUQUET",
            "occasions": occasions,
            "variants": [
                {
                    "name": "Standard",
                    "sku": sku,
                    "price": {"amount_minor": price, "currency": "EUR"},
                    "recipe": [{"stock_item_id": item, "quantity": units} for item, units in recipe],
                }
            ],
        }
        response = client.post("/api/products", json=body, headers=owner)
        assert response.status_code == 201, response.text
        return dict(response.json())

    blush = create("Blush & Fern", "BF-1", 1500, [(roses, 3), (ferns, 2)], ["Birthday"])
    (variant,) = blush["variants"]
    assert (variant["cost"]["amount_minor"], variant["margin"]["amount_minor"], variant["margin_percent"]) == (
        589,
        911,
        60.8,
    )
    create("Rose Dozen", "RD-12", 2000, [(roses, 12)], ["Valentine", "Anniversary"])  # 1560: 22 %
    create("Fern Bunch", "FB-5", 1000, [(ferns, 5)], ["Sympathy"])  # 496.25: 50.4 %

    def names(**params: object) -> list[str]:
        response = client.get("/api/products", params=params, headers=owner)  # type: ignore[arg-type]
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert names() == ["Blush & Fern", "Fern Bunch", "Rose Dozen"]
    assert names(q="FERN") == ["Blush & Fern", "Fern Bunch"]
    assert names(q="rd-1") == ["Rose Dozen"]
    assert names(occasion="valentine") == ["Rose Dozen"]
    assert names(sort="margin", limit=2) == ["Rose Dozen", "Fern Bunch"]
    assert names(sort="margin", limit=2, offset=2) == ["Blush & Fern"]
    assert names(sort="-margin") == ["Blush & Fern", "Fern Bunch", "Rose Dozen"]

    taken = client.post(
        "/api/products",
        json={
            "name": "Copy",
            "kind": "PLANT",
            "variants": [{"name": "x", "sku": "bf-1", "price": {"amount_minor": 1, "currency": "EUR"}}],
        },
        headers=owner,
    )
    assert taken.status_code == 409
    assert taken.json()["code"] == "SKU_TAKEN"

    path = f"/api/products/{blush['id']}"
    changed = client.patch(path, json={"description": "<p>Soft &amp; pink</p>", "active": False}, headers=owner)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["description"], changed.json()["active"]) == ("Soft & pink", False)
    assert names(active=False) == ["Blush & Fern"]
    assert client.get(path, headers=owner).json() == changed.json()
    assert client.delete(path, headers=owner).status_code == 204
    assert client.get(path, headers=owner).status_code == 404
    assert names() == ["Fern Bunch", "Rose Dozen"]
