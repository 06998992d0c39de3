"""Contract section 6, stock: every stock call through a real server process on PostgreSQL, with
field-level validation errors, 403 by role, 404 across shops and hostile input; and one walk
through the same calls under `flower-vendor dev` (SQLite)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.api_helpers import add_staff, bearer, fields, login, ok, problem, signup
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e

ROSE = {"name": "Red rose 'Freedom'", "kind": "STEM", "tracking": "STRICT", "shelf_life_days": 7, "reorder_level": 30}


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    return server_factory(["serve"], production_environ)


@pytest.fixture
def client(server: ServerProcess) -> httpx.Client:
    return server.client


def _today() -> date:
    from datetime import datetime

    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def _owner(client: httpx.Client) -> dict[str, str]:
    shop = signup(client)
    return bearer(login(client, shop.email)["access_token"])


def walk(client: httpx.Client, owner: dict[str, str]) -> None:
    """Every stock call once, as a manager would use them; shared by the PostgreSQL and dev runs."""
    rose = ok(client.post("/api/stock-items", json=ROSE, headers=owner), 201)
    assert {key: rose[key] for key in ROSE} == ROSE  # every field sent is echoed
    assert (rose["on_hand"], rose["reserved"], rose["available"], rose["lots"]) == (0, 0, 0, [])
    ribbon = ok(
        client.post(
            "/api/stock-items", json={"name": "Satin ribbon", "kind": "SUNDRY", "tracking": "NONE"}, headers=owner
        ),
        201,
    )
    assert (ribbon["shelf_life_days"], ribbon["reorder_level"]) == (None, 0)

    today = _today()
    first = ok(
        client.post(
            f"/api/stock-items/{rose['id']}/lots",
            json={"quantity": 50, "unit_cost": {"amount_minor": 45, "currency": "EUR"}},
            headers=owner,
        ),
        201,
    )
    assert (first["quantity"], first["on_hand"], first["received_on"]) == (50, 50, today.isoformat())
    assert first["expires_on"] == (today + timedelta(days=7)).isoformat()  # received + shelf life
    second = ok(
        client.post(
            f"/api/stock-items/{rose['id']}/lots",
            json={
                "quantity": 20,
                "unit_cost": {"amount_minor": 50, "currency": "EUR"},
                "expires_on": (today + timedelta(days=2)).isoformat(),
            },
            headers=owner,
        ),
        201,
    )
    wasted = ok(
        client.post(
            f"/api/stock-items/{rose['id']}/waste",
            json={"lot_id": second["id"], "quantity": 4, "reason": "Stems <i>bent</i> &amp; bruised"},
            headers=owner,
        ),
        201,
    )
    assert (wasted["kind"], wasted["quantity"], wasted["lot_id"]) == ("WASTE", 4, second["id"])
    assert wasted["reason"] == "Stems bent & bruised"
    adjusted = ok(
        client.post(
            f"/api/stock-items/{rose['id']}/adjustments",
            json={"lot_id": first["id"], "quantity": -2, "reason": "counted 48"},
            headers=owner,
        ),
        201,
    )
    assert (adjusted["kind"], adjusted["quantity"]) == ("ADJUSTMENT", -2)

    item = ok(client.get(f"/api/stock-items/{rose['id']}", headers=owner))
    assert (item["on_hand"], item["reserved"], item["available"]) == (64, 0, 64)
    assert [(lot["id"], lot["on_hand"]) for lot in item["lots"]] == [(second["id"], 16), (first["id"], 48)]
    assert item["lots"][0]["unit_cost"] == {"amount_minor": 50, "currency": "EUR"}

    ledger = ok(client.get(f"/api/stock-items/{rose['id']}/movements?limit=10", headers=owner))
    assert ledger["total"] == 4
    assert sorted(m["kind"] for m in ledger["items"]) == ["ADJUSTMENT", "RECEIPT", "RECEIPT", "WASTE"]
    assert set(ledger["items"][0]) == {"id", "kind", "quantity", "stock_item_id", "lot_id", "order_id", "reason", "at"}

    listed = ok(client.get("/api/stock-items?kind=STEM&q=ROSE&sort=-available", headers=owner))
    assert [(row["id"], row["available"]) for row in listed["items"]] == [(rose["id"], 64)]
    assert (listed["total"], listed["limit"], listed["offset"]) == (1, 50, 0)
    everything = ok(client.get("/api/stock-items?sort=name", headers=owner))
    assert [row["name"] for row in everything["items"]] == ["Red rose 'Freedom'", "Satin ribbon"]
    assert [row["name"] for row in ok(client.get("/api/stock-items?sort=-name&limit=1", headers=owner))["items"]] == [
        "Satin ribbon"
    ]

    expiring = ok(client.get("/api/stock/expiring?within_days=3", headers=owner))
    assert [(lot["lot_id"], lot["days_left"]) for lot in expiring["items"]] == [(second["id"], 2)]
    assert ok(client.get("/api/stock/expiring?within_days=1", headers=owner))["total"] == 0

    patched = ok(client.patch(f"/api/stock-items/{rose['id']}", json={"reorder_level": 70}, headers=owner))
    assert (patched["reorder_level"], patched["available"], patched["name"]) == (70, 64, ROSE["name"])
    unchanged = ok(client.patch(f"/api/stock-items/{rose['id']}", json={"reorder_level": 70}, headers=owner))
    assert unchanged == patched
    renamed = ok(
        client.patch(
            f"/api/stock-items/{ribbon['id']}",
            json={"name": "Satin ribbon 25 mm", "shelf_life_days": 400},
            headers=owner,
        )
    )
    assert (renamed["name"], renamed["shelf_life_days"], renamed["lots"]) == ("Satin ribbon 25 mm", 400, [])
    kept = ok(client.patch(f"/api/stock-items/{ribbon['id']}", json={"reorder_level": 0}, headers=owner))
    assert kept["shelf_life_days"] == 400  # absent: unchanged
    cleared = ok(client.patch(f"/api/stock-items/{ribbon['id']}", json={"shelf_life_days": None}, headers=owner))
    assert (cleared["shelf_life_days"], cleared["name"]) == (None, "Satin ribbon 25 mm")  # null: it no longer wilts
    refused = {"name": None, "reorder_level": None}
    assert fields(client.patch(f"/api/stock-items/{ribbon['id']}", json=refused, headers=owner)) == set(refused)
    low = ok(client.get("/api/stock/low", headers=owner))
    assert [(entry["id"], entry["shortfall"]) for entry in low["items"]] == [(rose["id"], 6)]


def test_a_manager_walks_every_stock_call(client: httpx.Client) -> None:
    owner = _owner(client)
    _, manager_email = add_staff(client, owner["Authorization"].removeprefix("Bearer "), "MANAGER")
    walk(client, bearer(login(client, manager_email)["access_token"]))


def test_other_roles_read_but_never_write(client: httpx.Client) -> None:
    owner = _owner(client)
    token = owner["Authorization"].removeprefix("Bearer ")
    rose = ok(client.post("/api/stock-items", json=ROSE, headers=owner), 201)
    lot = ok(
        client.post(
            f"/api/stock-items/{rose['id']}/lots",
            json={"quantity": 5, "unit_cost": {"amount_minor": 45, "currency": "EUR"}},
            headers=owner,
        ),
        201,
    )
    for role in ("STAFF", "DRIVER"):
        _, email = add_staff(client, token, role)
        reader = bearer(login(client, email)["access_token"])
        assert ok(client.get(f"/api/stock-items/{rose['id']}", headers=reader))["on_hand"] == 5
        assert ok(client.get("/api/stock-items", headers=reader))["total"] == 1
        assert ok(client.get(f"/api/stock-items/{rose['id']}/movements", headers=reader))["total"] == 1
        ok(client.get("/api/stock/expiring?within_days=30", headers=reader))
        ok(client.get("/api/stock/low", headers=reader))
        # 403 before the body is looked at: these bodies are not even valid.
        for path in ("/api/stock-items", f"/api/stock-items/{rose['id']}/lots", f"/api/stock-items/{rose['id']}/waste"):
            problem(client.post(path, json={"bogus": 1}, headers=reader), 403, "FORBIDDEN")
        problem(client.post(path, json={"lot_id": lot["id"], "quantity": 1, "reason": "x"}, headers=reader), 403)
        problem(client.patch(f"/api/stock-items/{rose['id']}", json={"name": "x"}, headers=reader), 403)
    # Nothing was written by the refused calls.
    assert ok(client.get(f"/api/stock-items/{rose['id']}/movements", headers=owner))["total"] == 1
    problem(client.get("/api/stock-items"), 401)


def test_another_shops_items_and_lots_are_404(client: httpx.Client) -> None:
    owner = _owner(client)
    stranger = _owner(client)
    rose = ok(client.post("/api/stock-items", json=ROSE, headers=owner), 201)
    fern = ok(client.post("/api/stock-items", json={**ROSE, "name": "Fern"}, headers=owner), 201)
    lot = ok(
        client.post(
            f"/api/stock-items/{rose['id']}/lots",
            json={"quantity": 5, "unit_cost": {"amount_minor": 45, "currency": "EUR"}},
            headers=owner,
        ),
        201,
    )
    money = {"amount_minor": 1, "currency": "EUR"}
    for response in (
        client.get(f"/api/stock-items/{rose['id']}", headers=stranger),
        client.get(f"/api/stock-items/{rose['id']}/movements", headers=stranger),
        client.patch(f"/api/stock-items/{rose['id']}", json={"name": "Mine now"}, headers=stranger),
        client.post(f"/api/stock-items/{rose['id']}/lots", json={"quantity": 1, "unit_cost": money}, headers=stranger),
        client.post(
            f"/api/stock-items/{rose['id']}/waste",
            json={"lot_id": lot["id"], "quantity": 1, "reason": "gone"},
            headers=stranger,
        ),
        # The owner's own lot, named under another of the owner's items: no such lot there.
        client.post(
            f"/api/stock-items/{fern['id']}/waste",
            json={"lot_id": lot["id"], "quantity": 1, "reason": "x"},
            headers=owner,
        ),
        client.get("/api/stock-items/not-a-uuid", headers=owner),
        client.get("/api/stock-items/00000000-0000-0000-0000-000000000000", headers=owner),
    ):
        problem(response, 404, "NOT_FOUND")
    assert ok(client.get("/api/stock-items", headers=stranger))["total"] == 0
    assert ok(client.get("/api/stock/expiring?within_days=30", headers=stranger))["total"] == 0
    assert ok(client.get(f"/api/stock-items/{rose['id']}", headers=owner))["on_hand"] == 5


def test_refused_bodies_name_every_field(client: httpx.Client) -> None:
    owner = _owner(client)
    bad_item = {
        "name": " \u200b\u202e ",
        "kind": "TREE",
        "tracking": 1,
        "shelf_life_days": "7",
        "reorder_level": True,
        "colour": "red",
    }
    named = fields(client.post("/api/stock-items", json=bad_item, headers=owner))
    assert {"name", "kind", "tracking", "shelf_life_days", "reorder_level", "colour"} <= named
    assert fields(client.post("/api/stock-items", json={"kind": "STEM"}, headers=owner)) == {"name", "tracking"}
    assert fields(client.post("/api/stock-items", json={**ROSE, "name": "x" * 121}, headers=owner)) == {"name"}
    assert fields(client.post("/api/stock-items", json={**ROSE, "shelf_life_days": 0}, headers=owner)) == {
        "shelf_life_days"
    }
    assert fields(client.post("/api/stock-items", json={**ROSE, "reorder_level": 10**30}, headers=owner)) == {
        "reorder_level"
    }
    cleaned = ok(
        client.post("/api/stock-items", json={**ROSE, "name": "Rose\u202e &amp; <b>lily</b>"}, headers=owner), 201
    )
    assert (
        cleaned["name"] == "Rose &amp; <b>lily</b>"
    )  # a name is one clean line: markup is kept as typed, bidi removed

    rose = cleaned["id"]
    lots = f"/api/stock-items/{rose}/lots"
    named = fields(
        client.post(
            lots,
            json={"quantity": -1, "unit_cost": {"amount_minor": "45", "currency": "EUR"}, "expires_on": "31-12-2026"},
            headers=owner,
        )
    )
    assert named == {"quantity", "unit_cost.amount_minor", "expires_on"}
    assert fields(
        client.post(lots, json={"quantity": 0, "unit_cost": {"amount_minor": 1, "currency": "EUR"}}, headers=owner)
    ) == {"quantity"}
    assert "unit_cost.currency" in fields(
        client.post(lots, json={"quantity": 1, "unit_cost": {"amount_minor": 1, "currency": "XXXX"}}, headers=owner)
    )
    assert "unit_cost.currency" in fields(
        client.post(lots, json={"quantity": 1, "unit_cost": {"amount_minor": 1, "currency": "ZZZ"}}, headers=owner)
    )
    body = problem(
        client.post(lots, json={"quantity": 1, "unit_cost": {"amount_minor": 1, "currency": "USD"}}, headers=owner),
        422,
        "CURRENCY_MISMATCH",
    )
    assert body["errors"] == [{"field": "unit_cost.currency", "message": body["detail"]}]
    tomorrow = (_today() + timedelta(days=1)).isoformat()
    assert fields(
        client.post(
            lots,
            json={"quantity": 1, "unit_cost": {"amount_minor": 1, "currency": "EUR"}, "received_on": tomorrow},
            headers=owner,
        )
    ) == {"received_on"}
    assert fields(
        client.post(
            lots,
            json={
                "quantity": 1,
                "unit_cost": {"amount_minor": 1, "currency": "EUR"},
                "expires_on": (_today() - timedelta(days=1)).isoformat(),
            },
            headers=owner,
        )
    ) == {"expires_on"}
    euro = {"amount_minor": 1, "currency": "EUR"}
    for hostile, field in (
        ({"quantity": True, "unit_cost": euro}, "quantity"),
        ({"quantity": "10", "unit_cost": euro}, "quantity"),
        ({"quantity": 10**40, "unit_cost": euro}, "quantity"),
        ({"quantity": 1_000_001, "unit_cost": euro}, "quantity"),
        ({"quantity": 1, "unit_cost": "1.00 EUR"}, "unit_cost"),
        ({"quantity": 1, "unit_cost": None}, "unit_cost"),
        ({"quantity": 1, "unit_cost": {"amount_minor": 1.5, "currency": "EUR"}}, "unit_cost.amount_minor"),
        ({"quantity": 1, "unit_cost": {"amount_minor": -1, "currency": "EUR"}}, "unit_cost.amount_minor"),
        ({"quantity": 1, "unit_cost": {"amount_minor": 1, "currency": "EUR", "fx": 1}}, "unit_cost.fx"),
        ({"quantity": 1, "unit_cost": euro, "expires_on": "2026-02-30"}, "expires_on"),
        ({"quantity": 1, "unit_cost": euro, "received_on": "2000-01-01"}, "received_on"),
        ({"quantity": 1, "unit_cost": euro, "on_hand": 5}, "on_hand"),
    ):
        assert field in fields(client.post(lots, json=hostile, headers=owner)), hostile
    assert ok(client.get(f"/api/stock-items/{rose}/movements", headers=owner))["total"] == 0  # nothing written
    lot = ok(
        client.post(lots, json={"quantity": 10, "unit_cost": {"amount_minor": 1, "currency": "EUR"}}, headers=owner),
        201,
    )

    waste = f"/api/stock-items/{rose}/waste"
    assert fields(client.post(waste, json={"lot_id": "nope", "quantity": 1.5, "reason": ""}, headers=owner)) == {
        "lot_id",
        "quantity",
        "reason",
    }
    assert fields(
        client.post(waste, json={"lot_id": lot["id"], "quantity": 1, "reason": "<script>x</script>"}, headers=owner)
    ) == {"reason"}  # nothing left once the markup is gone
    refused = problem(
        client.post(waste, json={"lot_id": lot["id"], "quantity": 11, "reason": "all of it"}, headers=owner),
        409,
        "INSUFFICIENT_STOCK",
    )
    assert "10" in refused["detail"]
    assert fields(
        client.post(
            f"/api/stock-items/{rose}/adjustments",
            json={"lot_id": lot["id"], "quantity": 0, "reason": "x"},
            headers=owner,
        )
    ) == {"quantity"}
    problem(
        client.post(
            f"/api/stock-items/{rose}/adjustments",
            json={"lot_id": lot["id"], "quantity": -11, "reason": "lost"},
            headers=owner,
        ),
        409,
        "INSUFFICIENT_STOCK",
    )
    assert ok(client.get(f"/api/stock-items/{rose}", headers=owner))["on_hand"] == 10  # nothing refused was written

    not_utf8 = client.post(
        "/api/stock-items", content=b'{"name": "\xff\xfe"}', headers={**owner, "content-type": "application/json"}
    )
    problem(not_utf8, 400)
    deep = client.post("/api/stock-items", content=b"[" * 1000, headers={**owner, "content-type": "application/json"})
    problem(deep, 400)


def test_refused_query_parameters(client: httpx.Client) -> None:
    owner = _owner(client)
    for path, field in (
        ("/api/stock/expiring?within_days=-1", "query.within_days"),
        ("/api/stock/expiring?within_days=abc", "query.within_days"),
        ("/api/stock/expiring?within_days=366", "query.within_days"),
        ("/api/stock-items?kind=TREE", "query.kind"),
        ("/api/stock-items?sort=price", "query.sort"),
        ("/api/stock-items?limit=0", "query.limit"),
        ("/api/stock-items?limit=101", "query.limit"),
        ("/api/stock/low?offset=-1", "query.offset"),
    ):
        assert field in fields(client.get(path, headers=owner)), path
    problem(client.get("/api/stock-items?colour=red", headers=owner), 400)
    assert ok(client.get("/api/stock-items?q=%25_%5C", headers=owner))["total"] == 0  # LIKE wildcards are literal


def test_the_stock_calls_under_dev(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> None:
    server = server_factory(["dev"], {}, cwd=tmp_path)
    try:
        walk(server.client, _owner(server.client))
    except AssertionError:
        print(server.logs()[-6000:])
        raise
