"""The one place that knows HTTP status codes: every exception becomes RFC 9457 problem JSON."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from application.shared.errors import (
    ApplicationError,
    AuthenticationFailed,
    Conflict,
    DependencyUnavailable,
    NotFound,
    PermissionDenied,
    RuleRefused,
    TooManyAttempts,
)
from domain.shared.errors import DomainError, InvalidValue, InvalidValues, InvariantViolation
from interfaces.http.field_errors import MISSING
from interfaces.http.problems import (
    PROBLEM_CONTENT_TYPE,
    FieldError,
    Problem,
    encode_problem,
    make_problem,
)
from interfaces.http.request_context import request_id_of

log = structlog.stdlib.get_logger("flower_vendor.http.errors")

# Most specific first: the first class an exception is an instance of decides its status.
APPLICATION_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (InvalidValue, 400),
    (AuthenticationFailed, 401),
    (TooManyAttempts, 429),
    (NotFound, 404),
    (PermissionDenied, 403),
    (Conflict, 409),
    (DependencyUnavailable, 503),
    (InvariantViolation, 409),
    (RuleRefused, 422),
    (DomainError, 422),
    (ApplicationError, 422),
)

_DETAILS = {
    404: "No resource exists at this address.",
    405: "This method is not allowed on this resource.",
    413: "The request body is larger than this service accepts.",
}


def _problem_response(
    request: Request[Any, Any, Any], problem: Problem, headers: dict[str, str] | None = None
) -> Response[bytes]:
    return Response(
        content=encode_problem(problem),
        status_code=problem.status,
        media_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )


def _field_errors(extra: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    if isinstance(extra, list):
        for item in extra:
            if isinstance(item, dict):
                field = str(item.get("key") or item.get("source") or "body")
                if item.get("source") == "query":  # a query parameter is named apart from body fields
                    field = f"query.{field}"
                errors.append(FieldError(field=field, message=str(item.get("message", "is invalid"))))
    return errors


def validation_problem(extra: Any, request_id: str | None) -> Problem:
    """The 400 for refused input: ``extra`` is Litestar's ``[{key, source, message}]``."""
    return make_problem(
        400,
        detail="The request is not valid.",
        code="VALIDATION_ERROR",
        request_id=request_id,
        errors=_field_errors(extra) or None,
    )


# Litestar names a missing required parameter only in its message; it becomes a field error too,
# named like the other refused parameters ("query.date", "header.idempotency-key").
_MISSING_PARAMETER = re.compile(r"^Missing required (query|header|cookie|path) parameter '([^']{1,100})' for path ")


def _missing_parameter(detail: str) -> list[dict[str, str]] | None:
    missing = _MISSING_PARAMETER.match(detail)
    if missing is None:
        return None
    kind, name = missing.groups()
    return [{"key": f"{kind}.{name.lower() if kind == 'header' else name}", "message": MISSING}]


def handle_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    extra = exc.extra or _missing_parameter(str(exc.detail))
    return _problem_response(request, validation_problem(extra, request_id_of(request.scope)))


def handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if status >= 500:
        return handle_unexpected(request, exc)
    detail = _DETAILS.get(status) or (exc.detail if exc.detail else "The request cannot be served.")
    problem = make_problem(status, detail=detail, request_id=request_id_of(request.scope))
    headers = {
        k: v for k, v in (exc.headers or {}).items() if k.lower() in ("allow", "retry-after", "www-authenticate")
    }
    return _problem_response(request, problem, headers or None)


def status_of(exc: Exception) -> int:
    """The HTTP status of an application or domain error."""
    return next((code for kind, code in APPLICATION_STATUS if isinstance(exc, kind)), 422)


def application_problem(exc: Exception, request_id: str | None) -> Problem:
    """The problem JSON an application or domain error is answered with (the OpenAPI document's
    examples are made by this too)."""
    status = status_of(exc)
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None) or "The request cannot be completed."
    errors = None
    if isinstance(exc, InvalidValues):  # every refused field of the command, each for its input
        errors = [FieldError(field=problem.field, message=problem.reason) for problem in exc.problems]
    elif isinstance(exc, InvalidValue):
        errors = [FieldError(field=exc.field, message=exc.reason)]
    if isinstance(exc, InvalidValue):
        message = "The request is not valid."
    elif isinstance(exc, RuleRefused) and getattr(exc, "problems", None):  # several inputs refused at once
        errors = [FieldError(field=field, message=reason) for field, reason in exc.problems]  # type: ignore[attr-defined]
    elif isinstance(exc, RuleRefused) and exc.field is not None:  # a form marks the input it names
        errors = [FieldError(field=exc.field, message=message)]
    return make_problem(status, detail=message, code=code, request_id=request_id, errors=errors)


def handle_application(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    problem = application_problem(exc, request_id_of(request.scope))
    headers = None
    if isinstance(exc, DependencyUnavailable | TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after)}
    elif isinstance(exc, AuthenticationFailed):
        headers = {"WWW-Authenticate": 'Bearer realm="flower-vendor"'}
    return _problem_response(request, problem, headers)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    # The traceback goes to the log with the request id; the client learns nothing of the internals.
    log.error("unhandled_exception", exc_info=exc, path=request.scope.get("path"))
    problem = make_problem(
        500,
        detail="An unexpected error occurred.",
        code="INTERNAL_ERROR",
        request_id=request_id_of(request.scope),
    )
    return _problem_response(request, problem)


def handle_nesting(request: Request[Any, Any, Any], exc: RecursionError) -> Response[bytes]:
    """A body nested deeper than the decoder follows (e.g. 1,000 opening brackets)."""
    problem = make_problem(
        400,
        detail="The request body is nested too deeply.",
        code="BAD_REQUEST",
        request_id=request_id_of(request.scope),
    )
    return _problem_response(request, problem)


def exception_handlers(
    translate: Callable[[BaseException], ApplicationError | None] | None = None,
) -> ExceptionHandlersMap:
    """``translate`` names infrastructure failures (database down, lost races) in application terms."""

    def handle_other(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
        translated = translate(exc) if translate is not None else None
        if translated is None:
            return handle_unexpected(request, exc)
        log.warning("dependency_error", error=type(exc).__name__, mapped_to=translated.code)
        return handle_application(request, translated)

    return {
        RecursionError: handle_nesting,
        ValidationException: handle_validation,
        HTTPException: handle_http,
        ApplicationError: handle_application,
        DomainError: handle_application,
        Exception: handle_other,
    }


__all__ = ["exception_handlers"]
