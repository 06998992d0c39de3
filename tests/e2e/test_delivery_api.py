"""Contract section 6, delivery set-up: zones, slots, blackout dates and availability through a
real server process on PostgreSQL, with field-level errors, 403 by role, 404 across shops and
hostile input; and one walk through the same calls under `flower-vendor dev` (SQLite).

The server runs on the real clock, so dates here are relative to the shop's own today
(Europe/Amsterdam): yesterday is past, and a date a week ahead is never today."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.api_helpers import add_staff, bearer, fields, login, ok, problem, signup
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e

EUR = "EUR"
CENTRE = {
    "name": "Amsterdam centre",
    "postal_codes": ["1011*", "1012ab"],
    "fee": {"amount_minor": 695, "currency": EUR},
}
MORNING = {
    "name": "Morning",
    "starts_at": "09:00",
    "ends_at": "12:00",
    "fee": {"amount_minor": 250, "currency": EUR},
    "same_day": True,
    "same_day_cutoff": "08:00",
    "capacity": 12,
}


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    return server_factory(["serve"], production_environ)


@pytest.fixture
def client(server: ServerProcess) -> httpx.Client:
    return server.client


def _today() -> date:
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def _owner(client: httpx.Client) -> dict[str, str]:
    shop = signup(client)
    return bearer(login(client, shop.email)["access_token"])


def walk(client: httpx.Client, owner: dict[str, str]) -> None:
    """Every delivery call once, as a manager would use them; shared by the PostgreSQL and dev runs."""
    zone = ok(client.post("/api/delivery-zones", json=CENTRE, headers=owner), 201)
    assert zone["postal_codes"] == ["1011*", "1012 AB"]
    assert zone["active"] is True
    assert ok(client.get(f"/api/delivery-zones/{zone['id']}", headers=owner)) == zone
    listed = ok(client.get("/api/delivery-zones", headers=owner))
    assert (listed["total"], listed["items"]) == (1, [zone])
    problem(
        client.post("/api/delivery-zones", json={**CENTRE, "name": "Dam", "postal_codes": ["1011 ab"]}, headers=owner),
        409,
        "POSTAL_CODE_TAKEN",
    )
    renamed = ok(client.patch(f"/api/delivery-zones/{zone['id']}", json={"name": "Centrum"}, headers=owner))
    assert (renamed["name"], renamed["postal_codes"]) == ("Centrum", zone["postal_codes"])

    slot = ok(client.post("/api/delivery-slots", json=MORNING, headers=owner), 201)
    assert {key: slot[key] for key in MORNING} == MORNING
    evening = ok(
        client.post(
            "/api/delivery-slots",
            json={
                "name": "Evening",
                "starts_at": "18:00",
                "ends_at": "21:00",
                "fee": {"amount_minor": 0, "currency": EUR},
            },
            headers=owner,
        ),
        201,
    )
    assert (evening["same_day"], evening["capacity"], evening["weekdays"]) == (False, None, None)
    assert [s["name"] for s in ok(client.get("/api/delivery-slots", headers=owner))["items"]] == [
        "Morning",
        "Evening",
    ]
    assert ok(client.patch(f"/api/delivery-slots/{slot['id']}", json={"capacity": 5}, headers=owner))["capacity"] == 5
    # null empties what can be empty; an absent field stays as it was
    weekly = ok(client.patch(f"/api/delivery-slots/{slot['id']}", json={"weekdays": [1, 3]}, headers=owner))
    assert (weekly["weekdays"], weekly["capacity"], weekly["same_day_cutoff"]) == ([1, 3], 5, "08:00")
    emptied = ok(
        client.patch(
            f"/api/delivery-slots/{slot['id']}",
            json={"weekdays": None, "capacity": None, "same_day_cutoff": None},
            headers=owner,
        )
    )
    assert (emptied["weekdays"], emptied["capacity"], emptied["same_day_cutoff"]) == (None, None, None)
    assert (emptied["name"], emptied["same_day"]) == ("Morning", True)
    minimum = {"amount_minor": 2500, "currency": EUR}
    with_minimum = ok(client.patch(f"/api/delivery-zones/{zone['id']}", json={"min_subtotal": minimum}, headers=owner))
    assert with_minimum["min_subtotal"] == minimum
    without = ok(client.patch(f"/api/delivery-zones/{zone['id']}", json={"min_subtotal": None}, headers=owner))
    assert (without["min_subtotal"], without["name"]) == (None, "Centrum")
    # null never empties what must have a value: 400 naming each field, and nothing changes
    assert fields(
        client.patch(f"/api/delivery-zones/{zone['id']}", json={"fee": None, "name": None}, headers=owner)
    ) == {"fee", "name"}
    assert fields(
        client.patch(f"/api/delivery-slots/{slot['id']}", json={"starts_at": None, "same_day": None}, headers=owner)
    ) == {"starts_at", "same_day"}
    assert ok(client.get(f"/api/delivery-zones/{zone['id']}", headers=owner)) == without
    ok(
        client.patch(
            f"/api/delivery-slots/{slot['id']}", json={"capacity": 5, "same_day_cutoff": "08:00"}, headers=owner
        )
    )

    ahead = _today() + timedelta(days=7)
    blackout = ok(
        client.post(
            "/api/blackout-dates", json={"date": ahead.isoformat(), "reason": "<b>Stocktake</b>"}, headers=owner
        ),
        201,
    )
    assert (blackout["date"], blackout["reason"]) == (ahead.isoformat(), "Stocktake")
    problem(
        client.post("/api/blackout-dates", json={"date": ahead.isoformat(), "reason": "again"}, headers=owner),
        409,
        "BLACKOUT_DATE_TAKEN",
    )
    assert ok(client.get("/api/blackout-dates", headers=owner))["items"] == [blackout]

    def reasons(on: date, postal_code: str) -> dict[str, Any]:
        answer = ok(
            client.get("/api/availability", params={"date": on.isoformat(), "postal_code": postal_code}, headers=owner)
        )
        return {item["name"]: (item["reason"], item["fee"], item["remaining"]) for item in answer["slots"]}

    fee = {"amount_minor": 945, "currency": EUR}
    assert reasons(ahead - timedelta(days=1), "1011ab") == {
        "Morning": (None, fee, 5),
        "Evening": (None, {"amount_minor": 695, "currency": EUR}, None),
    }
    assert reasons(ahead, "1011 AB") == {
        "Morning": ("DELIVERY_DATE_BLACKED_OUT", fee, 5),
        "Evening": ("DELIVERY_DATE_BLACKED_OUT", {"amount_minor": 695, "currency": EUR}, None),
    }
    assert {r for r, _, _ in reasons(_today() - timedelta(days=1), "1011 AB").values()} == {"DELIVERY_DATE_PAST"}
    assert {r for r, _, _ in reasons(ahead - timedelta(days=1), "2000 AA").values()} == {"OUT_OF_AREA"}
    assert reasons(_today(), "1011 AB")["Evening"][0] == "SAME_DAY_CUTOFF_PASSED"  # not a same-day slot

    ok(client.delete(f"/api/blackout-dates/{blackout['id']}", headers=owner), 204)
    ok(client.delete(f"/api/delivery-slots/{evening['id']}", headers=owner), 204)
    assert ok(client.get(f"/api/delivery-slots/{evening['id']}", headers=owner))["active"] is False
    assert list(reasons(ahead, "1011 AB")) == ["Morning"]
    ok(client.delete(f"/api/delivery-zones/{zone['id']}", headers=owner), 204)
    problem(client.get(f"/api/delivery-zones/{zone['id']}", headers=owner), 404)


def test_a_manager_walks_every_delivery_call(client: httpx.Client) -> None:
    walk(client, _owner(client))


def test_other_roles_read_but_never_write(client: httpx.Client) -> None:
    shop = signup(client)
    owner_token = login(client, shop.email)["access_token"]
    owner = bearer(owner_token)
    zone = ok(client.post("/api/delivery-zones", json=CENTRE, headers=owner), 201)
    slot = ok(client.post("/api/delivery-slots", json=MORNING, headers=owner), 201)
    _, manager_email = add_staff(client, owner_token, "MANAGER")
    manager = bearer(login(client, manager_email)["access_token"])
    ok(client.post("/api/blackout-dates", json={"date": "2099-01-01", "reason": "New year"}, headers=manager), 201)
    for role in ("STAFF", "DRIVER"):
        _, email = add_staff(client, owner_token, role)
        reader = bearer(login(client, email)["access_token"])
        ok(client.get("/api/delivery-zones", headers=reader))
        ok(client.get(f"/api/delivery-slots/{slot['id']}", headers=reader))
        ok(client.get("/api/blackout-dates", headers=reader))
        ahead = (_today() + timedelta(days=3)).isoformat()
        ok(client.get("/api/availability", params={"date": ahead, "postal_code": "1011 AB"}, headers=reader))
        for response in (
            client.post("/api/delivery-zones", json={**CENTRE, "postal_codes": ["2000 AA"]}, headers=reader),
            client.patch(f"/api/delivery-zones/{zone['id']}", json={"active": False}, headers=reader),
            client.delete(f"/api/delivery-zones/{zone['id']}", headers=reader),
            client.post("/api/delivery-slots", json=MORNING, headers=reader),
            client.patch(f"/api/delivery-slots/{slot['id']}", json={"capacity": 1}, headers=reader),
            client.delete(f"/api/delivery-slots/{slot['id']}", headers=reader),
            client.post("/api/blackout-dates", json={"date": "2099-01-02", "reason": "x"}, headers=reader),
        ):
            problem(response, 403)
    assert ok(client.get("/api/delivery-zones", headers=owner))["items"] == [zone]
    assert ok(client.get(f"/api/delivery-slots/{slot['id']}", headers=owner)) == slot
    assert ok(client.get("/api/blackout-dates", headers=owner))["total"] == 1


def test_another_shops_set_up_is_404(client: httpx.Client) -> None:
    theirs = _owner(client)
    mine = _owner(client)
    zone = ok(client.post("/api/delivery-zones", json=CENTRE, headers=theirs), 201)
    slot = ok(client.post("/api/delivery-slots", json=MORNING, headers=theirs), 201)
    blackout = ok(client.post("/api/blackout-dates", json={"date": "2099-01-01", "reason": "x"}, headers=theirs), 201)
    for response in (
        client.get(f"/api/delivery-zones/{zone['id']}", headers=mine),
        client.patch(f"/api/delivery-zones/{zone['id']}", json={"name": "Mine"}, headers=mine),
        client.delete(f"/api/delivery-zones/{zone['id']}", headers=mine),
        client.get(f"/api/delivery-slots/{slot['id']}", headers=mine),
        client.patch(f"/api/delivery-slots/{slot['id']}", json={"capacity": 1}, headers=mine),
        client.delete(f"/api/delivery-slots/{slot['id']}", headers=mine),
        client.get(f"/api/blackout-dates/{blackout['id']}", headers=mine),
        client.delete(f"/api/blackout-dates/{blackout['id']}", headers=mine),
        client.get("/api/delivery-zones/not-a-uuid", headers=mine),
    ):
        problem(response, 404)
    # my shop sees none of theirs, and may serve the same codes
    assert ok(client.get("/api/delivery-zones", headers=mine))["total"] == 0
    ok(client.post("/api/delivery-zones", json=CENTRE, headers=mine), 201)
    assert ok(client.get(f"/api/delivery-zones/{zone['id']}", headers=theirs)) == zone
    assert ok(client.get(f"/api/delivery-slots/{slot['id']}", headers=theirs))["capacity"] == 12


def test_refused_bodies_name_every_field(client: httpx.Client) -> None:
    owner = _owner(client)
    assert fields(
        client.post(
            "/api/delivery-zones",
            json={"name": "\u202e\u200b", "postal_codes": [], "fee": {"amount_minor": "5", "currency": EUR}},
            headers=owner,
        )
    ) >= {"name", "postal_codes", "fee.amount_minor"}
    assert fields(
        client.post("/api/delivery-zones", json={**CENTRE, "postal_codes": ["1011", "10*1*"]}, headers=owner)
    ) == {"postal_codes[0]", "postal_codes[1]"}
    problem(
        client.post(
            "/api/delivery-zones", json={**CENTRE, "fee": {"amount_minor": 695, "currency": "USD"}}, headers=owner
        ),
        422,
        "CURRENCY_MISMATCH",
    )
    assert fields(
        client.post(
            "/api/delivery-zones", json={**CENTRE, "fee": {"amount_minor": 10**20, "currency": EUR}}, headers=owner
        )
    ) == {"fee.amount_minor"}
    assert fields(
        client.post(
            "/api/delivery-zones", json={**CENTRE, "fee": {"amount_minor": True, "currency": EUR}}, headers=owner
        )
    ) == {"fee.amount_minor"}
    assert fields(
        client.post(
            "/api/delivery-slots",
            json={**MORNING, "starts_at": "25:00", "ends_at": "9:00", "capacity": -3, "weekdays": [0, 8]},
            headers=owner,
        )
    ) >= {"starts_at", "ends_at", "capacity"}
    assert fields(client.post("/api/delivery-slots", json={**MORNING, "same_day_cutoff": "09:30"}, headers=owner)) == {
        "same_day_cutoff"
    }
    assert fields(client.post("/api/delivery-slots", json={**MORNING, "ends_at": "08:00"}, headers=owner)) >= {
        "ends_at"
    }
    assert fields(
        client.post("/api/blackout-dates", json={"date": "2099-02-30", "reason": "<script>x</script>"}, headers=owner)
    ) >= {"date"}
    assert fields(
        client.post("/api/blackout-dates", json={"date": "2099-02-28", "reason": "<script>x</script>"}, headers=owner)
    ) == {"reason"}
    problem(client.post("/api/delivery-zones", json={**CENTRE, "colour": "red"}, headers=owner), 400)
    not_utf8 = client.post(
        "/api/delivery-zones", content=b'{"name": "\xff\xfe"}', headers={**owner, "content-type": "application/json"}
    )
    problem(not_utf8, 400)
    deep = client.post(
        "/api/delivery-slots", content=b"[" * 1000, headers={**owner, "content-type": "application/json"}
    )
    problem(deep, 400)
    # nothing refused was written
    assert ok(client.get("/api/delivery-zones", headers=owner))["total"] == 0
    assert ok(client.get("/api/delivery-slots", headers=owner))["total"] == 0
    assert ok(client.get("/api/blackout-dates", headers=owner))["total"] == 0


def test_refused_query_parameters(client: httpx.Client) -> None:
    owner = _owner(client)
    for params, field in (
        ({"date": "tomorrow", "postal_code": "1011 AB"}, "query.date"),
        ({"date": "2099-01-01", "postal_code": "1011"}, "query.postal_code"),
        ({"date": "2099-01-01", "postal_code": "x" * 200}, "query.postal_code"),
    ):
        assert field in fields(client.get("/api/availability", params=params, headers=owner)), params
    for missing, field in (({"postal_code": "1011 AB"}, "query.date"), ({"date": "2099-01-01"}, "query.postal_code")):
        refused = problem(client.get("/api/availability", params=missing, headers=owner), 400)
        assert refused["errors"] == [{"field": field, "message": "is missing: this field is required"}], refused
    assert "query.limit" in fields(client.get("/api/delivery-zones?limit=0", headers=owner))
    assert "query.since" in fields(client.get("/api/blackout-dates?since=soon", headers=owner))
    problem(client.get("/api/delivery-slots?colour=red", headers=owner), 400)


def test_the_delivery_calls_under_dev(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> None:
    server = server_factory(["dev"], {}, cwd=tmp_path)
    try:
        walk(server.client, _owner(server.client))
    except AssertionError:
        print(server.logs()[-6000:])
        raise
