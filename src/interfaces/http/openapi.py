"""The OpenAPI 3.1 document as a code generator needs it, and the docs page without a network.

Litestar derives paths, parameters and bodies from the handlers; ``complete_document`` then adds
what it cannot know, from the same facts the request path acts on:

- the bearer security scheme on every operation the auth middleware guards (not on public ones;
  optional on ``OPTIONAL_AUTH`` ones such as logout);
- the problem responses each operation can really return, with the problem JSON as their schema
  (``errors`` listing field problems on 400): 401
  when it needs a token, 403 when a role guard stands before it, 404 when its path names a
  resource, 413 and 415 when it takes a body, 429 and 503 on every API route (400 everywhere:
  unknown query parameters are refused on every route), and what a handler declares
  in ``opt={"problems": (409,)}``;
- readable operation ids: the handler's name in camelCase (``login``, ``listStaff``).

The docs page (Swagger UI) loads its script and styles from this server (the swagger-ui-bundle
package), never from a CDN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    Schema,
    SecurityScheme,
)
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from interfaces.http.auth import AUTH_EXEMPT_PATHS
from interfaces.http.problems import PROBLEM_CONTENT_TYPE

DOCS_PATH = "/schema"
ASSETS_PATH = f"{DOCS_PATH}/assets"
BEARER = "BearerAuth"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Unknown query parameters are refused on every route; every API route is rate-limited and needs
# its dependencies. Health probes are neither rate-limited nor dependent on a token.
_EVERYWHERE = (400,)
_EVERY_API_ROUTE = (429, 503)


def operation_id(handler: HTTPRouteHandler, *_: Any) -> str:
    """``list_staff`` -> ``listStaff``."""
    head, *rest = handler.handler_name.split("_")
    return head + "".join(part.title() for part in rest)


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="flower-vendor",
        version=version,
        description=(
            "The florists' backend. Errors are RFC 9457 problem JSON (`application/problem+json`) with a "
            "stable `code`; a 400 lists every field problem in `errors` (`field` is a path into the body, "
            "or `query.<name>`). 401 means the access token or its session is no longer good: refresh or "
            "log in again."
        ),
        path=DOCS_PATH,
        operation_id_creator=operation_id,
        components=Components(
            security_schemes={
                BEARER: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="The access token from `POST /api/auth/login` (15 minutes).",
                )
            },
        ),
        render_plugins=[
            SwaggerRenderPlugin(
                path="/",
                js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
                css_url=f"{ASSETS_PATH}/swagger-ui.css",
                standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
            )
        ],
    )


def docs_assets() -> ControllerRouterHandler:
    """Swagger UI's files, served by this app under ``/schema/assets`` (docs enabled only)."""
    return create_static_files_router(
        path=ASSETS_PATH, directories=[swagger_ui_path], include_in_schema=False, name="docs-assets"
    )


def _field_error_schema() -> Schema:
    return Schema(
        type=OpenAPIType.OBJECT,
        required=["field", "message"],
        properties={
            "field": Schema(type=OpenAPIType.STRING, description="`password`, `lines[2].quantity`, `query.limit`"),
            "message": Schema(type=OpenAPIType.STRING),
        },
    )


def _problem_schema() -> Schema:
    return Schema(
        type=OpenAPIType.OBJECT,
        description="RFC 9457 problem details.",
        required=["type", "title", "status", "detail", "code"],
        properties={
            "type": Schema(type=OpenAPIType.STRING),
            "title": Schema(type=OpenAPIType.STRING),
            "status": Schema(type=OpenAPIType.INTEGER),
            "detail": Schema(type=OpenAPIType.STRING),
            "code": Schema(
                type=OpenAPIType.STRING, description="Stable, machine-readable: `INVALID_TOKEN`, `EMAIL_TAKEN`, …"
            ),
            "request_id": Schema(type=OpenAPIType.STRING),
            "errors": Schema(type=OpenAPIType.ARRAY, items=Reference(ref="#/components/schemas/FieldError")),
        },
    )


def _problem(status: int) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=HTTPStatus(status).phrase,
        content={PROBLEM_CONTENT_TYPE: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))},
    )


def _public(path: str, handler: HTTPRouteHandler) -> bool:
    return bool(handler.opt.get("exclude_from_auth")) or any(re.match(p, path) for p in AUTH_EXEMPT_PATHS)


def problem_statuses(path: str, method: str, handler: HTTPRouteHandler, route: HTTPRoute) -> set[int]:
    """The problem statuses an operation can answer, from what the request path does for it."""
    statuses = set(_EVERYWHERE)
    if not any(re.match(p, path) for p in AUTH_EXEMPT_PATHS):
        statuses |= set(_EVERY_API_ROUTE)
    takes_body = method in _BODY_METHODS and "data" in handler.parsed_fn_signature.parameters
    if takes_body:
        statuses |= {400, 413, 415}
    if not _public(path, handler):
        statuses.add(401)
    if handler.resolve_guards():
        statuses.add(403)
    if route.path_parameters:
        statuses.add(404)
    statuses |= set(handler.opt.get("problems", ()))
    return statuses


def _operations(app: Litestar) -> Iterable[tuple[str, str, HTTPRouteHandler, HTTPRoute]]:
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.include_in_schema:
                continue
            for method in handler.http_methods:
                if method in ("HEAD", "OPTIONS"):
                    continue
                yield route.path_format, method, handler, route


def _optional_not_null(parameter: Parameter | Reference) -> None:
    """An optional parameter is left out, never sent as null: ``X | None`` in a handler's signature
    is documented as ``X`` (generators otherwise make a union type of every null variant)."""
    if not isinstance(parameter, Parameter) or parameter.required or not isinstance(parameter.schema, Schema):
        return
    schema = parameter.schema
    if schema.one_of:
        kept_schemas = [one for one in schema.one_of if not (isinstance(one, Schema) and one.type is OpenAPIType.NULL)]
        if len(kept_schemas) == 1 and len(schema.one_of) == 2:
            parameter.description = parameter.description or schema.description
            parameter.schema = kept_schemas[0]
            return
    if isinstance(schema.type, list) and OpenAPIType.NULL in schema.type:
        kept = [kind for kind in schema.type if kind is not OpenAPIType.NULL]
        schema.type = kept[0] if len(kept) == 1 else kept
    if schema.enum is not None:
        schema.enum = [value for value in schema.enum if value is not None]


def complete_document(app: Litestar) -> None:
    """Adds security requirements and problem responses to the generated document (once, at
    start-up, before the document is first served)."""
    document = app.openapi_schema
    if document.components is not None:
        schemas = dict(document.components.schemas or {})
        schemas.update({"Problem": _problem_schema(), "FieldError": _field_error_schema()})
        document.components.schemas = schemas
    for path, method, handler, route in _operations(app):
        item = (document.paths or {}).get(path)
        operation: Operation | None = getattr(item, method.lower(), None) if item is not None else None
        if operation is None:
            continue
        if handler.opt.get("optional_auth"):
            operation.security = [{}, {BEARER: []}]  # with a bearer token, or without one
        elif not _public(path, handler):
            operation.security = [{BEARER: []}]
        for parameter in operation.parameters or ():
            _optional_not_null(parameter)
        responses = dict(operation.responses or {})
        for status in sorted(problem_statuses(path, method, handler, route)):
            responses[str(status)] = _problem(status)
        operation.responses = responses
