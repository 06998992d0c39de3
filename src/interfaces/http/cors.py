"""Cross-origin resource sharing, answered by the edge on every response.

Litestar's own CORS middleware wraps only its router, so the answers given before it (413, 429, 503,
the Host refusal, the last-resort 500) and the server's front door (431, 408, 400) went out without
``Access-Control-Allow-Origin``: a browser then reports a network error instead of the problem JSON.
This policy is applied in one place that sees every response (the edge, and the front door for its
raw refusals), and the Litestar one is not configured, so no header is ever added twice.

- A request whose ``Origin`` is allowed gets ``Access-Control-Allow-Origin: <that origin>`` (``*``
  when ``*`` is configured, which is refused in production), ``Access-Control-Expose-Headers``,
  ``Access-Control-Allow-Credentials`` in cookie mode and only for an exactly listed origin, and
  ``Vary: Origin`` merged into any ``Vary`` already set (compression's ``Accept-Encoding`` stays).
- A disallowed or absent ``Origin`` gets no ``Access-Control-*`` header at all; ``Vary: Origin`` is
  still added, so that a cache never hands one origin's answer to another.
- A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is answered by the
  edge before rate limiting and authentication: 204 with the allowed methods and headers for an
  allowed origin and request; otherwise a problem JSON that a browser treats as a failed preflight.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALLOW_METHODS: tuple[str, ...] = ("GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS")
# Only what the API handles today; Idempotency-Key, If-Match and ETag come with orders.
ALLOW_HEADERS: tuple[str, ...] = ("Authorization", "Content-Type", "X-Request-ID", "X-Session-Mode")
EXPOSE_HEADERS: tuple[str, ...] = ("X-Request-ID", "Retry-After", "RateLimit", "RateLimit-Policy")
# Headers a browser may send without listing them, besides ALLOW_HEADERS (CORS-safelisted).
_SAFELISTED = frozenset({"accept", "accept-language", "content-language"})

Header = tuple[bytes, bytes]
VARY = b"vary"


@dataclass(frozen=True, slots=True)
class Preflight:
    """The edge's answer to a preflight: ``status`` 204 with ``headers``, or a refusal with a reason."""

    status: int
    headers: tuple[Header, ...]
    code: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    allow_origins: tuple[str, ...] = ()
    allow_credentials: bool = False
    allow_methods: tuple[str, ...] = ALLOW_METHODS
    allow_headers: tuple[str, ...] = ALLOW_HEADERS
    expose_headers: tuple[str, ...] = EXPOSE_HEADERS
    max_age: int = 600
    _exact: dict[bytes, tuple[Header, ...]] = field(init=False, repr=False, compare=False)
    _any: tuple[Header, ...] | None = field(init=False, repr=False, compare=False)
    _methods: frozenset[str] = field(init=False, repr=False, compare=False)
    _headers: frozenset[str] = field(init=False, repr=False, compare=False)
    _preflight: tuple[Header, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        common: list[Header] = []
        if self.expose_headers:
            common.append((b"access-control-expose-headers", ", ".join(self.expose_headers).encode()))
        # Credentials only ever for an origin listed exactly: '*' would hand any site the session.
        credentials = ((b"access-control-allow-credentials", b"true"),) if self.allow_credentials else ()
        # Built once: the headers each allowed origin gets, so a request pays one dict lookup.
        exact = {
            origin.lower().encode(): ((b"access-control-allow-origin", origin.lower().encode()), *common, *credentials)
            for origin in self.allow_origins
            if origin != "*"
        }
        wildcard = ((b"access-control-allow-origin", b"*"), *common) if "*" in self.allow_origins else None
        setattr_ = object.__setattr__
        setattr_(self, "_exact", exact)
        setattr_(self, "_any", wildcard)
        setattr_(self, "_methods", frozenset(method.upper() for method in self.allow_methods))
        setattr_(self, "_headers", frozenset(h.lower() for h in self.allow_headers) | _SAFELISTED)
        setattr_(
            self,
            "_preflight",
            (
                (b"access-control-allow-methods", ", ".join(self.allow_methods).encode()),
                (b"access-control-allow-headers", ", ".join(self.allow_headers).encode()),
                (b"access-control-max-age", str(self.max_age).encode()),
            ),
        )

    @property
    def enabled(self) -> bool:
        return bool(self.allow_origins)

    def response_headers(self, origin: bytes | None) -> tuple[Header, ...]:
        """The ``Access-Control-*`` headers for a response to a request from ``origin`` (none when
        it is absent or not allowed)."""
        if origin is None:
            return ()
        found = self._exact.get(origin)
        if found is not None:
            return found
        return self._any or ()

    def preflight(self, origin: bytes, method: bytes, requested_headers: bytes | None) -> Preflight:
        allowed = self.response_headers(origin)
        if not allowed:
            return Preflight(403, (), "CORS_ORIGIN_NOT_ALLOWED", "This origin is not allowed to call the API.")
        name = method.decode("latin-1").strip().upper()
        if name not in self._methods:
            return Preflight(
                400, allowed, "CORS_METHOD_NOT_ALLOWED", f"The method {name[:20]!r} is not allowed cross-origin."
            )
        if requested_headers:
            for requested in requested_headers.decode("latin-1").split(","):
                header = requested.strip().lower()
                if header and header not in self._headers:
                    return Preflight(
                        400,
                        allowed,
                        "CORS_HEADER_NOT_ALLOWED",
                        f"The request header {header[:40]!r} is not allowed cross-origin.",
                    )
        return Preflight(204, allowed + self._preflight)


NO_CORS = CorsPolicy()
"""No origin allowed: no ``Access-Control-*`` header, no preflight answered."""


def with_vary_origin(headers: list[Header]) -> list[Header]:
    """``headers`` with ``Origin`` added to ``Vary`` (merged into an existing one, never twice)."""
    for index, (name, value) in enumerate(headers):
        if bytes(name).lower() == VARY:
            listed = {part.strip().lower() for part in bytes(value).split(b",")}
            if b"origin" not in listed and b"*" not in listed:
                headers[index] = (name, bytes(value) + b", Origin")
            return headers
    headers.append((VARY, b"Origin"))
    return headers
