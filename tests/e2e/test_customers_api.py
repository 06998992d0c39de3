"""Contract section 6, customers: every customer call through a real server process on PostgreSQL,
with field-level validation errors, 403 for a DRIVER's writes, 404 across shops and hostile input;
and one walk through the same calls under `flower-vendor dev` (SQLite)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from application.customers.ports import SEARCH_WINDOW
from tests.e2e.api_helpers import add_staff, bearer, fields, login, ok, problem, signup
from tests.e2e.conftest import ServerProcess
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e

ANNA = {
    "full_name": "Anna de Vries",
    "email": "anna@example.com",
    "phone": "06 12345678",
    "notes": "Prefers white flowers.\nNo lilies (cat).",
    "marketing_consent": True,
    "addresses": [{"name": "Marieke de Vries", "line1": "Oudegracht 12", "city": "Utrecht", "postal_code": "3511 ab"}],
}


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    return server_factory(["serve"], production_environ)


@pytest.fixture
def client(server: ServerProcess) -> httpx.Client:
    return server.client


def _owner(client: httpx.Client, **overrides: str) -> tuple[dict[str, str], str]:
    shop = signup(client, **overrides)
    token = login(client, shop.email)["access_token"]
    return bearer(token), token


def walk(client: httpx.Client, owner: dict[str, str]) -> None:
    """Every customer call once, as the shop would use them; shared by the PostgreSQL and dev runs."""
    anna = ok(client.post("/api/customers", json=ANNA, headers=owner), 201)
    assert (anna["full_name"], anna["email"], anna["phone"]) == ("Anna de Vries", "anna@example.com", "+31612345678")
    assert anna["notes"] == ANNA["notes"]
    assert anna["marketing_consent"] is True
    assert anna["marketing_consent_at"] is not None
    (home,) = anna["addresses"]
    assert (home["postal_code"], home["country"], home["phone"], home["line2"]) == ("3511 AB", "NL", None, "")
    bob = ok(client.post("/api/customers", json={"full_name": "Bob Jansen"}, headers=owner), 201)
    assert (bob["email"], bob["phone"], bob["marketing_consent"], bob["marketing_consent_at"]) == (
        None,
        None,
        False,
        None,
    )

    def names(q: str | None = None) -> list[str]:
        params = {} if q is None else {"q": q}
        page = ok(client.get("/api/customers", params=params, headers=owner))
        assert page["total"] == len(page["items"])
        assert page["truncated"] is False
        return [row["full_name"] for row in page["items"]]

    assert names() == ["Anna de Vries", "Bob Jansen"]
    assert names("ANNA@") == ["Anna de Vries"]
    assert names("jans") == ["Bob Jansen"]
    assert names("06 12345678") == ["Anna de Vries"]  # national format finds the E.164 number
    assert names("+31612345678") == ["Anna de Vries"]
    assert names("612345") == ["Anna de Vries"]
    assert names("100%_") == []
    assert names("bo") == ["Bob Jansen"]  # one or two letters: the start of the name, any case
    assert names("AN") == ["Anna de Vries"]
    assert names("n") == []

    got = ok(client.get(f"/api/customers/{anna['id']}", headers=owner))
    assert got == anna

    changed = ok(
        client.patch(f"/api/customers/{anna['id']}", json={"email": None, "marketing_consent": False}, headers=owner)
    )
    assert (changed["email"], changed["marketing_consent"], changed["marketing_consent_at"]) == (None, False, None)
    refused = {"full_name": None, "notes": None, "marketing_consent": None}
    assert fields(client.patch(f"/api/customers/{anna['id']}", json=refused, headers=owner)) == set(refused)
    assert changed["phone"] == "+31612345678"

    added = ok(
        client.post(
            f"/api/customers/{anna['id']}/addresses",
            json={
                "name": "Tom Smith",
                "line1": "10 Downing Street",
                "city": "London",
                "postal_code": "sw1a 2aa",
                "country": "GB",
                "phone": "020 7946 0018",
            },
            headers=owner,
        ),
        201,
    )
    assert (added["phone"], added["country"], added["postal_code"]) == ("+442079460018", "GB", "SW1A 2AA")
    moved = ok(
        client.patch(
            f"/api/customers/{anna['id']}/addresses/{home['id']}",
            json={"line2": "3rd floor", "phone": "030 1234567"},
            headers=owner,
        )
    )
    assert (moved["line2"], moved["phone"], moved["line1"]) == ("3rd floor", "+31301234567", "Oudegracht 12")
    book = ok(client.get(f"/api/customers/{anna['id']}", headers=owner))["addresses"]
    assert [address["id"] for address in book] == [home["id"], added["id"]]
    assert client.delete(f"/api/customers/{anna['id']}/addresses/{home['id']}", headers=owner).status_code == 204
    book = ok(client.get(f"/api/customers/{anna['id']}", headers=owner))["addresses"]
    assert [address["id"] for address in book] == [added["id"]]
    problem(client.delete(f"/api/customers/{anna['id']}/addresses/{home['id']}", headers=owner), 404)


def test_every_customer_call_on_postgresql(client: httpx.Client) -> None:
    owner, _ = _owner(client)
    walk(client, owner)


_MANY = """
INSERT INTO customers (id, vendor_id, full_name, email, phone, notes, marketing_consent, search_text,
                       created_at, updated_at)
SELECT gen_random_uuid(), $1, 'Guest ' || lpad(n::text, 5, '0'), 'guest' || n || '@example.com', NULL, '', false,
       lower('Guest ' || lpad(n::text, 5, '0') || ' guest' || n || '@example.com'), now(), now()
FROM generate_series(1, $2) AS n
"""


async def _seed(database_url: str, vendor_id: str, count: int) -> None:
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.execute(_MANY, uuid.UUID(vendor_id), count)
        await connection.execute("ANALYZE customers")
    finally:
        await connection.close()


def test_a_broad_search_answers_its_first_window_and_says_so(
    client: httpx.Client, production_environ: dict[str, str]
) -> None:
    """A search matching more than 10,000 customers answers the first 10,000 in list order:
    ``total`` counts those, ``truncated`` says more matched; the list without ``q`` and a search
    of the name's start are not cut."""
    shop = signup(client)
    owner = bearer(login(client, shop.email)["access_token"])
    count = SEARCH_WINDOW + 300
    asyncio.run(_seed(production_environ["DATABASE_URL"], shop.vendor["id"], count))

    def page(**params: Any) -> dict[str, Any]:
        return ok(client.get("/api/customers", params={"limit": "100", **params}, headers=owner))

    first = page(q="guest")
    assert (first["total"], first["truncated"], len(first["items"])) == (SEARCH_WINDOW, True, 100)
    assert first["items"][0]["full_name"] == "Guest 00001"
    last = page(q="guest", offset=str(SEARCH_WINDOW - 30))
    assert (last["total"], last["truncated"], last["limit"]) == (SEARCH_WINDOW, True, 100)
    assert [row["full_name"] for row in last["items"]] == [f"Guest {n:05d}" for n in range(9971, 10001)]
    past = page(q="guest", offset=str(SEARCH_WINDOW))
    assert (past["items"], past["total"], past["truncated"]) == ([], SEARCH_WINDOW, True)
    narrower = page(q="guest1")  # the emails guest1@, guest10@ .. guest19@, guest100@ ..
    assert (narrower["total"], narrower["truncated"]) == (
        sum(str(n).startswith("1") for n in range(1, count + 1)),
        False,
    )
    whole = page(offset=str(count - 1))
    assert (whole["total"], whole["truncated"], len(whole["items"])) == (count, False, 1)
    start = page(q="Gu")
    assert (start["total"], start["truncated"]) == (count, False)
    # hostile paging of a broad search: a clear 400 naming the parameter, or an empty page
    for params, field in (
        ({"offset": "ten"}, "query.offset"),
        ({"offset": "-1"}, "query.offset"),
        ({"offset": str(2**31)}, "query.offset"),
        ({"limit": "true"}, "query.limit"),
        ({"limit": "0"}, "query.limit"),
        ({"limit": "101"}, "query.limit"),
        ({"limit": "1e2"}, "query.limit"),
    ):
        refused = client.get("/api/customers", params={"q": "guest", **params}, headers=owner)
        assert field in fields(refused), (params, refused.text)
    deepest = page(q="guest", offset=str(2**31 - 1))
    assert (deepest["items"], deepest["total"], deepest["truncated"]) == ([], SEARCH_WINDOW, True)
    # a burst of broad searches at once: each answered (200, or 429 once the shop's limit is spent)
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(
            pool.map(
                lambda n: (
                    client.get(
                        "/api/customers", params={"q": f"guest{n % 10}", "offset": "9990"}, headers=owner
                    ).status_code
                ),
                range(48),
            )
        )
    assert set(statuses) <= {200, 429}, statuses
    assert statuses.count(200) >= 1


def test_field_errors_name_every_field(client: httpx.Client) -> None:
    owner, _ = _owner(client)
    response = client.post(
        "/api/customers",
        json={
            "full_name": " \u200b ",
            "email": "anna@",
            "phone": "06 1234",
            "addresses": [{"name": "M", "line1": "x", "city": "Utrecht", "postal_code": "1", "country": "XX"}],
        },
        headers=owner,
    )
    assert {"full_name", "email", "phone", "addresses[0].country"} <= fields(response)
    assert fields(client.post("/api/customers", json={"full_name": "A", "phone": "+999 1234"}, headers=owner)) == {
        "phone"
    }
    assert fields(client.post("/api/customers", json={"full_name": 5}, headers=owner)) == {"full_name"}
    consent = client.post("/api/customers", json={"full_name": "A", "marketing_consent": "yes"}, headers=owner)
    assert fields(consent) == {"marketing_consent"}
    assert "vip" in str(problem(client.post("/api/customers", json={"full_name": "A", "vip": 1}, headers=owner), 400))
    anna = ok(client.post("/api/customers", json={"full_name": "Anna"}, headers=owner), 201)
    assert fields(client.patch(f"/api/customers/{anna['id']}", json={"phone": "12"}, headers=owner)) == {"phone"}
    assert fields(
        client.post(
            f"/api/customers/{anna['id']}/addresses",
            json={"name": "M", "line1": "x", "city": "Utrecht", "postal_code": "1", "phone": "0000"},
            headers=owner,
        )
    ) == {"phone"}
    assert ok(client.get(f"/api/customers/{anna['id']}", headers=owner))["addresses"] == []
    problem(client.get("/api/customers", params={"limit": 0}, headers=owner), 400)


def test_roles_and_shops(client: httpx.Client) -> None:
    owner, owner_token = _owner(client)
    other, _ = _owner(client)
    anna = ok(client.post("/api/customers", json=ANNA, headers=owner), 201)
    address = anna["addresses"][0]["id"]
    _, driver_email = add_staff(client, owner_token, "DRIVER")
    _, staff_email = add_staff(client, owner_token, "STAFF")
    driver = bearer(login(client, driver_email)["access_token"])
    staff = bearer(login(client, staff_email)["access_token"])

    # every role reads
    assert ok(client.get(f"/api/customers/{anna['id']}", headers=driver))["id"] == anna["id"]
    assert ok(client.get("/api/customers", headers=driver))["total"] == 1
    # a driver writes nothing
    problem(client.post("/api/customers", json={"full_name": "X"}, headers=driver), 403)
    problem(client.patch(f"/api/customers/{anna['id']}", json={"full_name": "X"}, headers=driver), 403)
    body = {"name": "M", "line1": "x", "city": "Utrecht", "postal_code": "1234 AB"}
    problem(client.post(f"/api/customers/{anna['id']}/addresses", json=body, headers=driver), 403)
    problem(client.patch(f"/api/customers/{anna['id']}/addresses/{address}", json=body, headers=driver), 403)
    problem(client.delete(f"/api/customers/{anna['id']}/addresses/{address}", headers=driver), 403)
    assert ok(client.get(f"/api/customers/{anna['id']}", headers=owner))["full_name"] == "Anna de Vries"
    # staff manage customers
    ok(client.post("/api/customers", json={"full_name": "Walk-in"}, headers=staff), 201)
    ok(client.patch(f"/api/customers/{anna['id']}", json={"notes": "VIP"}, headers=staff))

    # another shop sees nothing and changes nothing
    assert ok(client.get("/api/customers", headers=other))["total"] == 0
    assert ok(client.get("/api/customers", params={"q": "anna"}, headers=other))["total"] == 0
    problem(client.get(f"/api/customers/{anna['id']}", headers=other), 404)
    problem(client.patch(f"/api/customers/{anna['id']}", json={"full_name": "X"}, headers=other), 404)
    problem(client.post(f"/api/customers/{anna['id']}/addresses", json=body, headers=other), 404)
    problem(client.patch(f"/api/customers/{anna['id']}/addresses/{address}", json=body, headers=other), 404)
    problem(client.delete(f"/api/customers/{anna['id']}/addresses/{address}", headers=other), 404)
    problem(client.get("/api/customers/not-a-uuid", headers=owner), 404)
    problem(client.patch(f"/api/customers/{anna['id']}/addresses/nope", json=body, headers=owner), 404)
    assert len(ok(client.get(f"/api/customers/{anna['id']}", headers=owner))["addresses"]) == 1


def _range_edges(client: httpx.Client, owner: dict[str, str]) -> None:
    # one- and two-character searches are index ranges: their edges, and raw bytes no text holds
    whole = ok(client.get("/api/customers", headers=owner))["total"]
    for raw in (
        "%F4%8F%BF%BF",
        "%F4%8F%BF%BFa",
        "a%F4%8F%BF%BF",
        "%ED%9F%BF",
        "%EE%80%80",
        "%FF",
        "%C0%80",
        "%ED%A0%80",
    ):
        answer = client.get(f"/api/customers?q={raw}", headers=owner)
        assert answer.status_code in (200, 400), (raw, answer.text)
        if answer.status_code == 200:  # what is left once unseen characters go: at most every customer
            assert 0 <= answer.json()["total"] <= whole, raw


def test_hostile_input(client: httpx.Client) -> None:
    owner, _ = _owner(client)
    bad_utf8 = client.post(
        "/api/customers", content=b'{"full_name": "\xff\xfe"}', headers={**owner, "content-type": "application/json"}
    )
    problem(bad_utf8, 400)
    deep: Any = "x"
    for _ in range(200):
        deep = [deep]
    assert client.post("/api/customers", json={"full_name": deep}, headers=owner).status_code == 400
    problem(client.post("/api/customers", json={"full_name": "A" * 5000}, headers=owner), 400)
    problem(client.post("/api/customers", json={"full_name": "A", "phone": 31612345678}, headers=owner), 400)
    problem(client.post("/api/customers", json={"full_name": "A", "addresses": {"a": 1}}, headers=owner), 400)
    many = [{"name": "M", "line1": "x", "city": "U", "postal_code": "1"}] * 51
    problem(client.post("/api/customers", json={"full_name": "A", "addresses": many}, headers=owner), 400)
    problem(client.get("/api/customers", params={"q": "a" * 500}, headers=owner), 400)
    problem(client.get("/api/customers", params={"nope": "1"}, headers=owner), 400)
    sneaky = ok(
        client.post(
            "/api/customers",
            json={"full_name": "Ev\u202eil <script>alert(1)</script>", "notes": "<b>hi</b>\u200b"},
            headers=owner,
        ),
        201,
    )
    assert "\u202e" not in sneaky["full_name"]
    assert sneaky["notes"] == "hi"
    assert ok(client.get("/api/customers", params={"q": "%"}, headers=owner))["total"] == 0
    assert ok(client.get("/api/customers", params={"q": "a\x00b"}, headers=owner))["total"] == 0
    assert ok(client.get("/api/customers", params={"q": "0\x00612345678"}, headers=owner))["total"] == 0
    _range_edges(client, owner)
    assert [row["full_name"] for row in ok(client.get("/api/customers?q=EV", headers=owner))["items"]] == [
        sneaky["full_name"]
    ]
    for hostile in (
        {"full_name": "A\x00B", "phone": "06\x0012345678"},
        {"full_name": "A", "email": "a\x00@example.com"},
        {"full_name": "A", "addresses": [None]},
        {"full_name": "A", "marketing_consent": 10**30},
        {"full_name": "A", "phone": "\u0665\u0660\u0661"},  # Arabic-Indic digits
        {"full_name": "A", "addresses": [{"name": "M", "line1": "x", "city": "U", "postal_code": "1", "country": 1}]},
    ):
        problem(client.post("/api/customers", json=hostile, headers=owner), 400)
    assert ok(client.get("/api/customers", headers=owner))["total"] == 1


def test_a_walk_through_customers_on_sqlite(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> None:
    server = server_factory(["dev"], {}, cwd=tmp_path)
    owner, _ = _owner(server.client)
    walk(server.client, owner)
    _range_edges(server.client, owner)


def test_a_demoted_deactivated_or_logged_out_members_token_writes_nothing(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    staff, email = add_staff(client, owner, "STAFF")
    session = login(client, email)
    token = bearer(session["access_token"])
    ok(client.post("/api/customers", json={"full_name": "Before"}, headers=token), 201)
    # demoted to DRIVER: the token it still holds is revoked with its sessions; a new DRIVER login reads
    # customers but writes neither customers nor delivery set-up
    ok(client.patch(f"/api/staff/{staff['id']}", json={"role": "DRIVER"}, headers=bearer(owner)))
    problem(client.post("/api/customers", json={"full_name": "After demotion"}, headers=token), 401)
    token = bearer(login(client, email)["access_token"])
    problem(client.post("/api/customers", json={"full_name": "As a driver"}, headers=token), 403)
    zone = {"name": "Z", "postal_codes": ["1011 AB"], "fee": {"amount_minor": 1, "currency": "EUR"}}
    problem(client.post("/api/delivery-zones", json=zone, headers=token), 403)
    assert ok(client.get("/api/customers", headers=token))["total"] == 1
    # deactivated: nothing at all
    ok(client.patch(f"/api/staff/{staff['id']}", json={"active": False}, headers=bearer(owner)))
    problem(client.get("/api/customers", headers=token), 401)
    # the owner's own session, logged out: its access token is refused too
    mine = login(client, shop.email)
    ok(
        client.post(
            "/api/auth/logout", json={"refresh_token": mine["refresh_token"]}, headers=bearer(mine["access_token"])
        ),
        204,
    )
    problem(
        client.post("/api/customers", json={"full_name": "After logout"}, headers=bearer(mine["access_token"])), 401
    )
    names = [row["full_name"] for row in ok(client.get("/api/customers", headers=bearer(owner)))["items"]]
    assert names == ["Before"]


def test_a_search_while_postgresql_is_unreachable_is_503_and_served_again_after(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    """The search's read-only transaction meets a database that went away: 503 with Retry-After,
    never a 500; once it is back, the same search is answered on a fresh connection."""
    url = make_url(production_environ["DATABASE_URL"])
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    try:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        server = server_factory(["serve"], {**production_environ, "DATABASE_URL": through, "DB_CONNECT_TIMEOUT": "2"})
        client = server.client
        owner, _ = _owner(client)
        ok(client.post("/api/customers", json=ANNA, headers=owner), 201)
        assert ok(client.get("/api/customers", params={"q": "vries"}, headers=owner))["total"] == 1
        proxy.cut()
        for q in ("vries", "an"):
            down = client.get("/api/customers", params={"q": q}, headers=owner)
            problem(down, 503)
            assert down.headers["retry-after"]
        proxy.start()
        deadline = time.monotonic() + 30
        answer = client.get("/api/customers", params={"q": "vries"}, headers=owner)
        while answer.status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.5)
            answer = client.get("/api/customers", params={"q": "vries"}, headers=owner)
        assert ok(answer)["total"] == 1
        assert "Traceback" not in server.logs()
    finally:
        proxy.cut()
