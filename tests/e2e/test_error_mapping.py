"""Every error the app can return is problem JSON; a crash leaks nothing. In-process, real services."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import msgspec
import pytest
from litestar import get, post
from litestar.params import FromPath, JSONBody
from litestar.testing import AsyncTestClient

from application.shared.errors import Conflict, DependencyUnavailable, NotFound, PermissionDenied
from domain.shared.errors import DomainError
from infrastructure.config import Settings, load_settings
from infrastructure.logging import configure_logging
from interfaces.http.app import create_app

pytestmark = pytest.mark.e2e


class Bouquet(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    stems: int


@get("/test/crash", opt={"exclude_from_auth": True})
async def crash() -> None:
    raise RuntimeError("connection string postgresql://u:p@db/internal leaked?")


@post("/test/bouquets", opt={"exclude_from_auth": True})
async def create_bouquet(data: JSONBody[Bouquet]) -> Bouquet:
    return data


@get("/test/raise/{kind:str}", opt={"exclude_from_auth": True})
async def raise_kind(kind: FromPath[str]) -> None:
    errors: dict[str, Exception] = {
        "not-found": NotFound("No such bouquet."),
        "forbidden": PermissionDenied("Drivers may not cancel orders."),
        "conflict": Conflict("That SKU is taken."),
        "unavailable": DependencyUnavailable("Sessions are unavailable.", retry_after=7),
        "domain": DomainError("Delivery date is in the past."),
    }
    raise errors[kind]


@pytest.fixture
def settings(service_environ: dict[str, str]) -> Settings:
    return load_settings({**service_environ, "MAX_REQUEST_BODY_BYTES": "2048"})


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    app = create_app(settings, extra_route_handlers=[crash, create_bouquet, raise_kind])
    async with AsyncTestClient(app=app) as client:  # type: ignore[arg-type]
        yield client


async def test_unexpected_exception_is_a_bare_500_and_logged_with_request_id(
    client: AsyncTestClient,
    capsys: pytest.CaptureFixture[str],  # type: ignore[type-arg]
) -> None:
    configure_logging(json=True)
    response = await client.get("/test/crash", headers={"X-Request-ID": "crash-1"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "INTERNAL_ERROR"
    assert body["request_id"] == "crash-1"
    assert "RuntimeError" not in response.text
    assert "postgresql" not in response.text
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    crash_logs = [r for r in records if r.get("event") == "unhandled_exception"]
    assert crash_logs
    assert crash_logs[0]["request_id"] == "crash-1"
    assert "RuntimeError" in json.dumps(crash_logs[0]["exception"])


async def test_validation_errors_name_the_field(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.post("/test/bouquets", json={"name": "Roses", "stems": "twelve"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert body["errors"]
    assert all({"field", "message"} <= set(e) for e in body["errors"])


async def test_unknown_fields_and_malformed_json_are_400(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    unknown = await client.post("/test/bouquets", json={"name": "Roses", "stems": 12, "price": 1})
    assert unknown.status_code == 400
    malformed = await client.post(
        "/test/bouquets", content=b'{"name": "Roses",', headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.headers["content-type"].startswith("application/problem+json")


async def test_declared_body_over_the_limit_is_413_before_validation(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.post(
        "/test/bouquets", content=b'{"name": "' + b"x" * 3000 + b'"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("not-found", 404, "NOT_FOUND"),
        ("forbidden", 403, "FORBIDDEN"),
        ("conflict", 409, "CONFLICT"),
        ("unavailable", 503, "SERVICE_UNAVAILABLE"),
        ("domain", 422, "DOMAIN_ERROR"),
    ],
)
async def test_application_and_domain_errors_map_to_statuses(
    client: AsyncTestClient,  # type: ignore[type-arg]
    kind: str,
    status: int,
    code: str,
) -> None:
    response = await client.get(f"/test/raise/{kind}")
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    if status == 503:
        assert response.headers["retry-after"] == "7"
