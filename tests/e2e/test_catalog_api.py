"""`/api/products` through a real server on PostgreSQL: every endpoint, the costing a client sees,
field errors with nested paths, 409 SKU_TAKEN, 422 for another shop's stock item and a foreign
currency, 403 by role, 404 across shops, and hostile input answered with a clear 4xx."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.catalog_stock import stock_item_at
from tests.e2e.api_helpers import Shop, add_staff, bearer, login, signup
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    return server_factory(["serve"], production_environ)


@pytest.fixture
def client(server: ServerProcess) -> httpx.Client:
    return server.client


def _owner(client: httpx.Client) -> tuple[Shop, dict[str, str]]:
    shop = signup(client)
    return shop, bearer(login(client, shop.email)["access_token"])


def _sku() -> str:
    return f"SKU-{uuid.uuid4().hex[:8].upper()}"


def _product(recipe: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Blush Bouquet",
        "kind": "BOUQUET",
        "description": "Roses &amp; lilies <3",
        "occasions": ["Birthday", "BIRTHDAY ", "Anniversary"],
        "variants": [
            {
                "name": "Medium",
                "sku": _sku(),
                "price": {"amount_minor": 1500, "currency": "EUR"},
                "recipe": recipe or [],
            }
        ],
    }
    body.update(overrides)
    return body


def _errors(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return {error["field"]: error["message"] for error in response.json().get("errors") or []}


def test_create_read_list_change_and_delete(client: httpx.Client, database_url: str) -> None:
    shop, owner = _owner(client)
    roses = stock_item_at(database_url, shop.vendor["id"], "Rose", [(10, 120), (5, 150)])  # 130 on average
    ferns = stock_item_at(database_url, shop.vendor["id"], "Fern", [(3, 99), (1, 100)])  # 99.25 on average
    body = _product([{"stock_item_id": roses, "quantity": 3}, {"stock_item_id": ferns, "quantity": 2}])
    created = client.post("/api/products", json=body, headers=owner)
    assert created.status_code == 201, created.text
    product = created.json()
    assert product["name"] == "Blush Bouquet"
    assert product["description"] == "Roses & lilies <3"
    assert product["occasions"] == ["Birthday", "Anniversary"]
    assert product["active"] is True
    (variant,) = product["variants"]
    uuid.UUID(variant["id"])
    assert variant["sku"] == body["variants"][0]["sku"]
    assert variant["price"] == {"amount_minor": 1500, "currency": "EUR"}
    assert variant["recipe"] == body["variants"][0]["recipe"]
    # 3 x 130 + 2 x 99.25 = 588.5 -> 589; margin 911; (1500 - 588.5) / 1500 = 60.77 % -> 60.8
    assert variant["cost"] == {"amount_minor": 589, "currency": "EUR"}
    assert variant["cost_complete"] is True
    assert variant["margin"] == {"amount_minor": 911, "currency": "EUR"}
    assert variant["margin_percent"] == 60.8

    got = client.get(f"/api/products/{product['id']}", headers=owner)
    assert got.status_code == 200
    assert got.json() == product

    listed = client.get(
        "/api/products", params={"q": "LILIES", "occasion": "birthday", "kind": "BOUQUET"}, headers=owner
    )
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"items": [product], "total": 1, "limit": 50, "offset": 0}
    assert client.get("/api/products", params={"kind": "PLANT"}, headers=owner).json()["total"] == 0

    changed = client.patch(
        f"/api/products/{product['id']}",
        json={
            "name": "Blush & Cream",
            "active": False,
            "variants": [
                {**body["variants"][0], "id": variant["id"], "price": {"amount_minor": 2000, "currency": "EUR"}},
                {"name": "Large", "sku": _sku(), "price": {"amount_minor": 3000, "currency": "EUR"}},
            ],
        },
        headers=owner,
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert (after["name"], after["active"]) == ("Blush & Cream", False)
    assert after["variants"][0]["id"] == variant["id"]
    assert after["variants"][0]["margin"] == {"amount_minor": 1411, "currency": "EUR"}
    assert after["variants"][1]["recipe"] == []
    assert client.get("/api/products", params={"active": "true"}, headers=owner).json()["total"] == 0

    deleted = client.delete(f"/api/products/{product['id']}", headers=owner)
    assert deleted.status_code == 204
    assert client.get(f"/api/products/{product['id']}", headers=owner).status_code == 404


def test_every_field_problem_at_once_with_nested_paths(client: httpx.Client) -> None:
    _, owner = _owner(client)
    body = {
        "name": "\u202e ",
        "kind": "TREE",
        "occasions": ["x" * 41],
        "variants": [
            {
                "name": "Small",
                "sku": "bad sku!",
                "price": {"amount_minor": "12", "currency": "EUR"},
                "recipe": [
                    {"stock_item_id": str(uuid.uuid4()), "quantity": 1},
                    {"stock_item_id": "not-an-id", "quantity": 0},
                ],
            },
            {"name": "Big", "sku": "B", "price": {"amount_minor": True, "currency": "EUR"}, "extra": 1},
        ],
    }
    refused = client.post("/api/products", json=body, headers=owner)
    assert refused.status_code == 400, refused.text
    errors = _errors(refused)
    for field in (
        "name",
        "kind",
        "occasions[0]",
        "variants[0].sku",
        "variants[0].price.amount_minor",
        "variants[0].recipe[1].stock_item_id",
        "variants[0].recipe[1].quantity",
        "variants[1].price.amount_minor",
        "variants[1].extra",
    ):
        assert field in errors, (field, errors)

    twice = _product()
    twice["variants"].append({**twice["variants"][0], "sku": twice["variants"][0]["sku"].lower(), "name": "Again"})
    refused = client.post("/api/products", json=twice, headers=owner)
    assert refused.status_code == 400
    assert set(_errors(refused)) == {"variants[1].sku"}

    negative = _product([{"stock_item_id": str(uuid.uuid4()), "quantity": -3}])
    assert set(_errors(client.post("/api/products", json=negative, headers=owner))) == {
        "variants[0].recipe[0].quantity"
    }
    huge = _product()
    huge["variants"][0]["price"]["amount_minor"] = 10**30
    assert set(_errors(client.post("/api/products", json=huge, headers=owner))) == {"variants[0].price.amount_minor"}
    assert set(_errors(client.post("/api/products", json={}, headers=owner))) == {"name", "kind", "variants"}
    bad_patch = client.patch(f"/api/products/{uuid.uuid4()}", json={"variants": [], "name": ""}, headers=owner)
    assert bad_patch.status_code == 400  # 400 before 404
    assert {"variants", "name"} <= set(_errors(bad_patch))


def test_sku_taken_foreign_stock_and_foreign_currency(client: httpx.Client, database_url: str) -> None:
    shop, owner = _owner(client)
    other, other_owner = _owner(client)
    mine = stock_item_at(database_url, shop.vendor["id"], "Rose", [(5, 100)])
    theirs = stock_item_at(database_url, other.vendor["id"], "Tulip", [(5, 100)])
    first = client.post("/api/products", json=_product(), headers=owner)
    assert first.status_code == 201
    sku = first.json()["variants"][0]["sku"]

    again = _product()
    again["variants"][0]["sku"] = sku.lower()
    taken = client.post("/api/products", json=again, headers=owner)
    assert taken.status_code == 409
    assert taken.json()["code"] == "SKU_TAKEN"
    assert sku in taken.json()["detail"]
    # The same SKU in another shop is fine.
    assert client.post("/api/products", json=again, headers=other_owner).status_code == 201

    foreign = _product([{"stock_item_id": mine, "quantity": 1}, {"stock_item_id": theirs, "quantity": 2}])
    foreign["variants"][0]["price"]["currency"] = "USD"
    refused = client.post("/api/products", json=foreign, headers=owner)
    assert refused.status_code == 422, refused.text
    assert _errors(refused) == {
        "variants[0].price.currency": "must be the shop's currency, EUR",
        "variants[0].recipe[1].stock_item_id": "is not a stock item of this shop",
    }
    unknown_variant = client.patch(
        f"/api/products/{first.json()['id']}",
        json={"variants": [{**_product()["variants"][0], "id": str(uuid.uuid4())}]},
        headers=owner,
    )
    assert unknown_variant.status_code == 422
    assert set(_errors(unknown_variant)) == {"variants[0].id"}
    assert client.get("/api/products", headers=owner).json()["total"] == 1  # nothing refused was written


def test_roles_and_tenancy(client: httpx.Client) -> None:
    _, owner = _owner(client)
    _, other_owner = _owner(client)
    product = client.post("/api/products", json=_product(), headers=owner).json()
    path = f"/api/products/{product['id']}"
    _, manager_email = add_staff(client, owner["Authorization"].split()[1], "MANAGER")
    manager = bearer(login(client, manager_email)["access_token"])
    assert client.patch(path, json={"description": "New"}, headers=manager).status_code == 200
    for role in ("STAFF", "DRIVER"):
        _, email = add_staff(client, owner["Authorization"].split()[1], role)
        token = bearer(login(client, email)["access_token"])
        assert client.get("/api/products", headers=token).status_code == 200
        assert client.get(path, headers=token).status_code == 200
        # 403 before the body is looked at (this one is not even valid).
        for response in (
            client.post("/api/products", json={"bogus": 1}, headers=token),
            client.patch(path, json={"bogus": 1}, headers=token),
            client.delete(path, headers=token),
        ):
            assert response.status_code == 403, response.text
            assert response.json()["code"] == "FORBIDDEN"
    assert client.get(path, headers=owner).status_code == 200  # still there
    for response in (
        client.get(path, headers=other_owner),
        client.patch(path, json={"name": "Mine"}, headers=other_owner),
        client.delete(path, headers=other_owner),
        client.get("/api/products/not-a-uuid", headers=owner),
        client.delete(f"/api/products/{uuid.uuid4()}", headers=owner),
    ):
        assert response.status_code == 404, response.text
    assert client.get(path, headers=owner).json()["name"] == "Blush Bouquet"
    assert client.get("/api/products", headers=other_owner).json()["total"] == 0
    assert client.get("/api/products").status_code == 401


def test_hostile_input_is_a_clear_4xx(client: httpx.Client) -> None:
    _, owner = _owner(client)
    raw = client.post(
        "/api/products", content=b'{"name": "\xff\xfe"}', headers={**owner, "Content-Type": "application/json"}
    )
    assert raw.status_code == 400
    deep = client.post("/api/products", content=b"[" * 5000, headers={**owner, "Content-Type": "application/json"})
    assert deep.status_code == 400
    sneaky = _product(name="Ro\u200bse\u202e Garden\u0000")
    made = client.post("/api/products", json=sneaky, headers=owner)
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "Rose Garden"
    for params in (
        {"limit": "0"},
        {"limit": "101"},
        {"active": "yes"},
        {"kind": "TREE"},
        {"sort": "price"},
        {"q": "x" * 201},
        {"q": "\u200b"},
        {"unknown": "1"},
    ):
        response = client.get("/api/products", params=params, headers=owner)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["errors"], params


def test_margin_sort_across_pages(client: httpx.Client, database_url: str) -> None:
    shop, owner = _owner(client)
    stem = stock_item_at(database_url, shop.vendor["id"], "Stem", [(100, 100)])  # 1.00 a stem
    margins = {"Low": (500, 4), "High": (400, 1), "Mid": (1000, 4)}  # 20 %, 75 %, 60 %
    for name, (price, stems) in margins.items():
        body = _product([{"stock_item_id": stem, "quantity": stems}], name=name)
        body["variants"][0]["price"]["amount_minor"] = price
        assert client.post("/api/products", json=body, headers=owner).status_code == 201
    assert client.post("/api/products", json=_product(name="Unknown"), headers=owner).status_code == 201  # 100 %

    def walk(sort: str) -> list[str]:
        names = []
        for offset in (0, 2):
            page = client.get("/api/products", params={"sort": sort, "limit": 2, "offset": offset}, headers=owner)
            assert page.status_code == 200, page.text
            assert page.json()["total"] == 4
            names += [item["name"] for item in page.json()["items"]]
        return names

    # "Unknown" has no recipe: nothing from stock, so a 100 % margin.
    assert walk("margin") == ["Low", "Mid", "High", "Unknown"]
    assert walk("-margin") == ["Unknown", "High", "Mid", "Low"]
    assert walk("-name") == ["Unknown", "Mid", "Low", "High"]
