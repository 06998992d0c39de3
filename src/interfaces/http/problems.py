"""RFC 9457 problem details, shared by Litestar's exception handlers and the outer ASGI wrapper."""

from __future__ import annotations

from http import HTTPStatus

import msgspec

from interfaces.http.security_headers import secure

PROBLEM_CONTENT_TYPE = "application/problem+json"

STATUS_CODES: dict[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_CONTENT",
    428: "PRECONDITION_REQUIRED",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class Problem(msgspec.Struct, frozen=True, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str
    code: str
    request_id: str | None = None
    errors: list[FieldError] | None = None


def code_for_status(status: int) -> str:
    if status in STATUS_CODES:
        return STATUS_CODES[status]
    return "CLIENT_ERROR" if status < 500 else "SERVER_ERROR"


def title_for_status(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def make_problem(
    status: int,
    *,
    detail: str,
    code: str | None = None,
    request_id: str | None = None,
    errors: list[FieldError] | None = None,
) -> Problem:
    code = code or code_for_status(status)
    return Problem(
        type=f"urn:flower-vendor:problem:{code.lower().replace('_', '-')}",
        title=title_for_status(status),
        status=status,
        detail=detail,
        code=code,
        request_id=request_id,
        errors=errors,
    )


_encoder = msgspec.json.Encoder()


def encode_problem(problem: Problem) -> bytes:
    return _encoder.encode(problem)


def refusal(
    status: int,
    code: str,
    detail: str,
    *,
    request_id: str,
    hsts: bool,
    extra_headers: tuple[tuple[bytes, bytes], ...] = (),
    security_headers: bool = True,
) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The headers and body of a refusal answered before the app runs, that closes the connection:
    problem JSON, the security headers, ``Connection: close`` and ``X-Request-ID``. The server's
    front door writes them as raw bytes, the edge's load shedding as ASGI messages."""
    body = encode_problem(make_problem(status, detail=detail, code=code, request_id=request_id))
    headers = [
        (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *extra_headers,
    ]
    if security_headers:
        headers = secure(headers, hsts=hsts, docs=False)
    headers.append((b"x-request-id", request_id.encode()))
    return headers, body
