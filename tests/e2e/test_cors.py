"""Issue 11 item 6: CORS that works in development and on every error, through real servers.

An allowed ``Origin`` gets ``Access-Control-Allow-Origin`` equal to it (with ``Vary: Origin`` and
the exposed headers) on every answer, whoever gives it: Litestar's handlers (400, 401, 403, 404,
415), the edge (413, 429, the Host refusal, load shedding's 503, the last-resort 500) and the
server's front door (431, 408, 400 for broken HTTP). A foreign origin gets no ``Access-Control-*``
header. Preflights are answered for every API route, before authentication and rate limiting.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.api_helpers import add_staff, bearer, login, signup
from tests.e2e.conftest import ServerProcess, crash_app_server

pytestmark = pytest.mark.e2e

SHOP = "https://shop.example"
VITE = "http://localhost:5173"
EVIL = "https://evil.example"
EXPOSED = "X-Request-ID, Retry-After, RateLimit, RateLimit-Policy"
AUTH_LIMIT = 5
SOCKET_TIMEOUT = 20.0  # a bound on every read, never asserted on

# Every API route today, with a method it answers (the dev test below takes them from OpenAPI).
ROUTES = [
    ("POST", "/api/auth/signup"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/refresh"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/logout-all"),
    ("GET", "/api/auth/me"),
    ("POST", "/api/auth/change-password"),
    ("GET", "/api/staff"),
    ("POST", "/api/staff"),
    ("PATCH", f"/api/staff/{uuid.uuid4()}"),
    ("GET", "/api/vendor"),
    ("PATCH", "/api/vendor"),
    ("GET", "/api/security-events"),
    ("DELETE", "/api/not-a-route"),
]


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name.lower().startswith("access-control-")}


def assert_cors_problem(
    response: httpx.Response, status: int, origin: str, *, credentials: bool = False
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["access-control-expose-headers"] == EXPOSED
    # Credentials only in cookie mode (on under dev), for the origins listed exactly.
    assert response.headers.get("access-control-allow-credentials") == ("true" if credentials else None)
    assert "origin" in [part.strip().lower() for part in response.headers["vary"].split(",")]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    return body


@dataclass
class Cors:
    server: ServerProcess
    staff_token: str
    _next_address: int = 0

    def client_address(self) -> str:
        """A client address of its own for each test, so rate-limit buckets never meet."""
        self._next_address += 1
        return f"198.51.100.{self._next_address}"

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.server.base_url, timeout=10, headers={"X-Forwarded-For": self.client_address()}
        )


@pytest.fixture(scope="module")
def cors(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> Cors:
    server = server_factory(
        ["serve"],
        {
            **production_environ,
            "REDIS_KEY_PREFIX": f"{production_environ['REDIS_KEY_PREFIX']}{uuid.uuid4().hex[:8]}:",
            "CORS_ORIGINS": f"{SHOP},{VITE}",
            "MAX_REQUEST_BODY_BYTES": "2048",
            "HEADER_READ_TIMEOUT_SECONDS": "1",
            "AUTH_RATE_LIMIT": str(AUTH_LIMIT),
            "TRUSTED_PROXIES": "127.0.0.1/32",
        },
    )
    with httpx.Client(base_url=server.base_url, timeout=10, headers={"X-Forwarded-For": "192.0.2.1"}) as client:
        shop = signup(client)
        owner = login(client, shop.email)["access_token"]
        _, email = add_staff(client, owner, "STAFF")
        staff_token = login(client, email)["access_token"]
    return Cors(server, staff_token)


# --- every error class, through the real server -------------------------------------------------

# status, the problem's code (None: any; item 2 of issue 11 owns the 400 bodies), the request.
ERRORS: dict[str, tuple[int, str | None, Callable[[httpx.Client, dict[str, str], Cors], httpx.Response]]] = {
    "400 field errors": (
        400,
        None,
        lambda c, h, _: c.post("/api/auth/login", json={"email": "a@example.com"}, headers=h),
    ),
    "400 malformed JSON": (
        400,
        None,
        lambda c, h, _: c.post("/api/auth/login", content=b"{", headers={**h, "content-type": "application/json"}),
    ),
    "400 wrong host": (
        400,
        "HOST_NOT_ALLOWED",
        lambda c, h, _: c.get("/api/vendor", headers={**h, "Host": "x.example"}),
    ),
    "401": (401, "INVALID_TOKEN", lambda c, h, _: c.get("/api/auth/me", headers=h)),
    "401 bad token": (
        401,
        "INVALID_TOKEN",
        lambda c, h, _: c.get("/api/auth/me", headers={**h, **bearer("not.a.token")}),
    ),
    "403": (
        403,
        "FORBIDDEN",
        lambda c, h, cors: c.patch("/api/vendor", json={"name": "Taken"}, headers={**h, **bearer(cors.staff_token)}),
    ),
    "404": (404, "NOT_FOUND", lambda c, h, _: c.get("/api/nowhere", headers=h)),
    "413 declared": (
        413,
        "PAYLOAD_TOO_LARGE",
        lambda c, h, _: c.post(
            "/api/auth/login", content=b"x" * 4096, headers={**h, "content-type": "application/json"}
        ),
    ),
    "413 streamed": (
        413,
        "PAYLOAD_TOO_LARGE",
        lambda c, h, _: c.post(
            "/api/auth/login",
            content=iter([b"x" * 1024] * 4),
            headers={**h, "content-type": "application/json"},
        ),
    ),
    "415": (
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        lambda c, h, _: c.post(
            "/api/auth/login",
            content=b"email=a&password=b",
            headers={**h, "content-type": "application/x-www-form-urlencoded"},
        ),
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
@pytest.mark.parametrize("origin", [SHOP, VITE])
def test_every_error_to_an_allowed_origin_carries_the_cors_headers(cors: Cors, case: str, origin: str) -> None:
    status, code, send = ERRORS[case]
    with cors.client() as client:
        allowed = send(client, {"Origin": origin}, cors)
        foreign = send(client, {"Origin": EVIL}, cors)
        without = send(client, {}, cors)
    body = assert_cors_problem(allowed, status, origin)
    assert body["code"] == (code or body["code"]), body
    assert foreign.status_code == status
    assert cors_headers(foreign) == {}
    assert without.status_code == status
    assert cors_headers(without) == {}


def test_a_429_to_an_allowed_origin_carries_the_cors_headers(cors: Cors) -> None:
    with cors.client() as client:
        answers = [
            client.post("/api/auth/refresh", json={"refresh_token": "x"}, headers={"Origin": SHOP})
            for _ in range(AUTH_LIMIT + 1)
        ]
        foreign = client.post("/api/auth/refresh", json={"refresh_token": "x"}, headers={"Origin": EVIL})
    limited = answers[-1]
    body = assert_cors_problem(limited, 429, SHOP)
    assert body["code"] == "RATE_LIMITED"
    assert limited.headers["retry-after"]
    assert limited.headers["ratelimit"]
    assert foreign.status_code == 429
    assert cors_headers(foreign) == {}


def test_a_success_carries_the_headers_and_compression_keeps_its_vary(cors: Cors) -> None:
    with cors.client() as client:
        ready = client.get("/health/ready", headers={"Origin": SHOP})
        staff = client.get("/api/staff?limit=100", headers={"Origin": SHOP, **bearer(cors.staff_token)})
    assert ready.status_code == 200
    assert ready.headers["access-control-allow-origin"] == SHOP
    assert ready.headers["vary"] == "Origin"
    assert staff.status_code in (200, 403)
    assert staff.headers["access-control-allow-origin"] == SHOP


# --- preflights ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_preflight_for_an_allowed_origin_succeeds_on_every_route_without_a_token(
    cors: Cors, method: str, path: str
) -> None:
    with cors.client() as client:
        answer = client.options(
            path,
            headers={
                "Origin": SHOP,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "authorization, content-type, x-request-id",
            },
        )
        foreign = client.options(path, headers={"Origin": EVIL, "Access-Control-Request-Method": method})
    assert answer.status_code == 204, answer.text
    assert answer.headers["access-control-allow-origin"] == SHOP
    assert method in [m.strip() for m in answer.headers["access-control-allow-methods"].split(",")]
    allowed_headers = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "x-request-id"} <= allowed_headers
    assert answer.headers["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert foreign.status_code == 403
    assert foreign.json()["code"] == "CORS_ORIGIN_NOT_ALLOWED"
    assert cors_headers(foreign) == {}


def test_preflights_are_never_rate_limited(cors: Cors) -> None:
    preflight = {"Origin": SHOP, "Access-Control-Request-Method": "POST"}
    with cors.client() as client:
        answers = [client.options("/api/auth/login", headers=preflight).status_code for _ in range(AUTH_LIMIT * 3)]
        # ...and they did not spend the allowance of the requests they announce.
        after = client.post(
            "/api/auth/login", json={"email": "a@example.com", "password": "x"}, headers={"Origin": SHOP}
        )
    assert answers == [204] * (AUTH_LIMIT * 3)
    assert after.status_code == 401  # a wrong password, not 429
    assert after.headers["access-control-allow-origin"] == SHOP


def test_a_preflight_for_a_method_or_header_the_api_does_not_take_is_refused(cors: Cors) -> None:
    with cors.client() as client:
        method = client.options("/api/staff", headers={"Origin": SHOP, "Access-Control-Request-Method": "TRACE"})
        header = client.options(
            "/api/staff",
            headers={
                "Origin": SHOP,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "x-evil",
            },
        )
    assert method.status_code == 400
    assert method.json()["code"] == "CORS_METHOD_NOT_ALLOWED"
    assert header.status_code == 400
    assert header.json()["code"] == "CORS_HEADER_NOT_ALLOWED"
    assert "access-control-allow-methods" not in header.headers


# --- the front door's refusals (raw sockets: an HTTP library would not send these) ----------------


class RawResponse:
    def __init__(self, raw: bytes) -> None:
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split(" ")[1])
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


def _exchange(server: ServerProcess, request: bytes) -> RawResponse:
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=SOCKET_TIMEOUT) as sock:
        sock.settimeout(SOCKET_TIMEOUT)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request)  # refused while still sending: the answer is waiting to be read
        raw = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            raw += chunk
            head, sep, body = raw.partition(b"\r\n\r\n")
            if sep and b"content-length" in head.lower():
                length = int(RawResponse(raw).headers["content-length"])
                if len(body) >= length:
                    break
    assert raw, "no answer"
    return RawResponse(raw)


FRONT_DOOR = {
    "431": (431, "HEADERS_TOO_LARGE", lambda origin: _head(origin) + b"X-Big: " + b"a" * 65536 + b"\r\n\r\n"),
    # The head stalls inside the header after Origin (the parser hands a header over when the next begins).
    "408": (408, "REQUEST_TIMEOUT", lambda origin: _head(origin) + b"Accept: appli"),
    "400": (400, "BAD_REQUEST", lambda origin: _head(origin) + b"Content-Length: -1\r\n\r\n"),
}


def _head(origin: str) -> bytes:
    return b"GET /api/vendor HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: " + origin.encode() + b"\r\n"


@pytest.mark.parametrize("case", list(FRONT_DOOR))
def test_the_front_doors_refusals_carry_the_cors_headers(cors: Cors, case: str) -> None:
    status, code, request = FRONT_DOOR[case]
    allowed = _exchange(cors.server, request(SHOP))
    foreign = _exchange(cors.server, request(EVIL))
    assert allowed.status == status
    assert allowed.json()["code"] == code
    assert allowed.headers["content-type"].startswith("application/problem+json")
    assert allowed.headers["access-control-allow-origin"] == SHOP
    assert allowed.headers["access-control-expose-headers"] == EXPOSED
    assert allowed.headers["vary"] == "Origin"
    assert foreign.status == status
    assert not [name for name in foreign.headers if name.startswith("access-control-")]


# --- 500 and 503 -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crash_server(production_environ: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The production app plus a route that raises (tests/e2e/crash_app.py), with CORS configured."""
    with crash_app_server({**production_environ, "CORS_ORIGINS": SHOP}, tmp_path_factory.mktemp("crash")) as base:
        yield base


def test_the_last_resort_500_carries_the_cors_headers(crash_server: str) -> None:
    with httpx.Client(base_url=crash_server, timeout=10) as client:
        crashed = client.get("/test/crash", headers={"Origin": SHOP})
        foreign = client.get("/test/crash", headers={"Origin": EVIL})
    body = assert_cors_problem(crashed, 500, SHOP)
    assert body["code"] == "INTERNAL_ERROR"
    assert "boom" not in crashed.text
    assert foreign.status_code == 500
    assert cors_headers(foreign) == {}


def test_the_503_of_load_shedding_carries_the_cors_headers(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(
        ["serve"],
        {**production_environ, "CORS_ORIGINS": SHOP, "MAX_CONCURRENT_REQUESTS": "1", "API_RATE_LIMIT": "1000000"},
    )
    shed: list[httpx.Response] = []
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            for _ in range(400):
                if stop.is_set():
                    return
                response = client.get("/api/nowhere", headers={"Origin": SHOP})
                if response.status_code == 503:
                    shed.append(response)
                    stop.set()

    threads = [threading.Thread(target=hammer) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert shed, "nothing was shed"
    body = assert_cors_problem(shed[0], 503, SHOP)
    assert body["code"] == "OVERLOADED"
    assert shed[0].headers["retry-after"] == "1"


# --- credentials --------------------------------------------------------------------------------


def test_credentials_are_announced_only_in_cookie_mode(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str], cors: Cors
) -> None:
    server = server_factory(["serve"], {**production_environ, "CORS_ORIGINS": SHOP, "AUTH_COOKIES": "true"})
    preflight = {"Origin": SHOP, "Access-Control-Request-Method": "POST"}
    with_credentials = [
        server.client.get("/api/auth/me", headers={"Origin": SHOP}),
        server.client.options("/api/auth/refresh", headers=preflight),
    ]
    for response in with_credentials:
        assert response.headers["access-control-allow-credentials"] == "true"
        assert response.headers["access-control-allow-origin"] == SHOP
    assert "access-control-allow-credentials" not in server.client.get("/api/auth/me", headers={"Origin": EVIL}).headers
    with cors.client() as client:
        default = [
            client.get("/api/auth/me", headers={"Origin": SHOP}),
            client.options("/api/auth/refresh", headers=preflight),
        ]
    for response in default:
        assert "access-control-allow-credentials" not in response.headers


# --- `flower-vendor dev` ------------------------------------------------------------------------

DEV_ORIGINS = ("http://localhost:5173", "http://127.0.0.1:5173", "http://localhost:3000")


def test_dev_allows_the_usual_frontend_dev_servers_on_every_route_and_error(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    server = server_factory(["dev"], {}, cwd=tmp_path)
    client = server.client
    schema = client.get("/schema/openapi.json").json()
    operations = [
        (method.upper(), path.replace("{user_id}", str(uuid.uuid4())))
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) >= len(ROUTES) - 1
    for origin in DEV_ORIGINS:
        for method, path in operations:
            answer = client.options(
                path,
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": method,
                    "Access-Control-Request-Headers": "authorization,content-type",
                },
            )
            assert answer.status_code == 204, (origin, method, path, answer.text)
            assert answer.headers["access-control-allow-origin"] == origin
        dev = {"credentials": True}  # cookie mode is on under dev
        assert_cors_problem(client.get("/api/auth/me", headers={"Origin": origin}), 401, origin, **dev)
        assert_cors_problem(client.post("/api/auth/login", json={}, headers={"Origin": origin}), 400, origin, **dev)
        assert_cors_problem(client.get("/api/nowhere", headers={"Origin": origin}), 404, origin, **dev)
        too_big = client.post("/api/auth/login", content=b"x" * (2 * 1024 * 1024), headers={"Origin": origin})
        assert_cors_problem(too_big, 413, origin, **dev)
    for foreign in (EVIL, "http://localhost:4200", "http://localhost:5174", "https://localhost:5173"):
        assert cors_headers(client.get("/api/auth/me", headers={"Origin": foreign})) == {}
        refused = client.options(
            "/api/auth/login", headers={"Origin": foreign, "Access-Control-Request-Method": "POST"}
        )
        assert refused.status_code == 403
        assert cors_headers(refused) == {}


def test_dev_takes_cors_origins_instead_of_its_defaults(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    server = server_factory(["dev"], {"CORS_ORIGINS": "http://localhost:4200"}, cwd=tmp_path)
    chosen = server.client.get("/api/auth/me", headers={"Origin": "http://localhost:4200"})
    assert_cors_problem(chosen, 401, "http://localhost:4200", credentials=True)
    default = server.client.get("/api/auth/me", headers={"Origin": "http://localhost:5173"})
    assert cors_headers(default) == {}
