"""Response headers from the OWASP Secure Headers project for a JSON API, on every response.

``X-XSS-Protection: 0``: the browser XSS auditor this header controlled is gone from every current
browser, and where it lingered it could be abused to blank out or leak parts of pages; OWASP now
advises disabling it and relying on Content-Security-Policy.
"""

from __future__ import annotations

BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (
        b"permissions-policy",
        b"accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
        b"magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), usb=(), "
        b"interest-cohort=()",
    ),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"x-xss-protection", b"0"),
)
# The interactive docs (development and staging only) run Swagger UI from this server's own files
# (no CDN); its page holds the document and the start-up script inline.
DOCS_CSP = b"; ".join(
    (
        b"default-src 'self'",
        b"script-src 'self' 'unsafe-inline'",
        b"style-src 'self' 'unsafe-inline'",
        b"font-src 'self' data:",
        b"img-src 'self' data:",
        b"connect-src 'self'",
        b"frame-ancestors 'none'",
        b"base-uri 'none'",
        b"form-action 'none'",
    )
)
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
NO_STORE = (b"cache-control", b"no-store")
_OURS = frozenset(name for name, _ in BASE_HEADERS) | {HSTS[0], b"server", b"x-powered-by"}


def _ours(*, hsts: bool, docs: bool) -> tuple[tuple[bytes, bytes], ...]:
    added = list(BASE_HEADERS)
    if docs:
        added[0] = (b"content-security-policy", DOCS_CSP)
    if hsts:
        added.append(HSTS)
    return tuple(added)


# Built once: (hsts, docs) -> the headers we add.
_ADDED = {(hsts, docs): _ours(hsts=hsts, docs=docs) for hsts in (False, True) for docs in (False, True)}


def secure(headers: list[tuple[bytes, bytes]], *, hsts: bool, docs: bool) -> list[tuple[bytes, bytes]]:
    """``headers`` with ours added (replacing any the app set) and no ``Server`` header.
    ``Cache-Control: no-store`` unless the app chose a cache policy itself."""
    kept = []
    cache_policy = False
    for name, value in headers:
        lowered = bytes(name).lower()
        if lowered not in _OURS:
            kept.append((name, value))
            cache_policy = cache_policy or lowered == b"cache-control"
    kept.extend(_ADDED[hsts, docs])
    if not cache_policy:
        kept.append(NO_STORE)
    return kept
