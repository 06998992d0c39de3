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
- readable operation ids: the handler's name in camelCase (``login``, ``listStaff``);
- examples: every response body's schema gets its struct's ``EXAMPLE`` (the body as sent), or one
  made of its fields' examples (``TokensOut``); every problem response gets the problem JSON the
  server sends for it, made by the server's own code: the edge's refusals (a 400 found by the
  strict body walk on a refused body of that operation's type, a missing or expired token, 413,
  415, 429, 503) and the refusals a context names for its operations (``HttpContext``'s
  ``problem_examples``: ``EMAIL_TAKEN`` on sign-up, ``INVALID_CREDENTIALS`` on login, …), each
  under the status the error handlers answer it with.

The docs page (Swagger UI) loads its script and styles from this server (the swagger-ui-bundle
package), never from a CDN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, get_args, get_type_hints

import msgspec
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import (
    BaseSchemaObject,
    Components,
    Example,
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

from application.shared.errors import DependencyUnavailable
from interfaces.http.auth import AUTH_EXEMPT_PATHS, InvalidAccessToken
from interfaces.http.errors import application_problem, validation_problem
from interfaces.http.field_errors import body_problems
from interfaces.http.problems import PROBLEM_CONTENT_TYPE, Problem, make_problem

DOCS_PATH = "/schema"
ASSETS_PATH = f"{DOCS_PATH}/assets"
BEARER = "BearerAuth"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Unknown query parameters are refused on every route; every API route is rate-limited and needs
# its dependencies. Health probes are neither rate-limited nor dependent on a token.
_EVERYWHERE = (400,)
_EVERY_API_ROUTE = (429, 503)
EXAMPLE_REQUEST_ID = "3f2c9a7e1b6d4c58a0e9f7b2d1c4a6e8"  # as the server makes them: a uuid4 in hex


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


def _problem(status: int, problems: Sequence[Problem]) -> OpenAPIResponse:
    examples: dict[str, Example | Reference] = {}
    seen: dict[str, int] = {}
    for problem in problems:  # named by code: INVALID_TOKEN, then INVALID_TOKEN_2 for a second one
        seen[problem.code] = seen.get(problem.code, 0) + 1
        name = problem.code if seen[problem.code] == 1 else f"{problem.code}_{seen[problem.code]}"
        fields = f" ({', '.join(error.field for error in problem.errors)})" if problem.errors else ""
        examples[name] = Example(summary=problem.detail + fields, value=msgspec.to_builtins(problem))
    return OpenAPIResponse(
        description=HTTPStatus(status).phrase,
        content={
            PROBLEM_CONTENT_TYPE: OpenAPIMediaType(
                schema=Reference(ref="#/components/schemas/Problem"), examples=examples or None
            )
        },
    )


def _unwrap_optional(annotation: Any) -> Any:
    members = [arg for arg in get_args(annotation) if arg is not type(None)]
    return members[0] if type(None) in get_args(annotation) and len(members) == 1 else annotation


def _refused_body(annotation: Any) -> list[dict[str, str]]:
    """The field problems the server finds in a typical refused body of this type: the fields'
    own examples where they have one (the rest left out, so missing), the first field of the wrong
    JSON type, and a field the body does not take; worked out by the server's own body walk."""
    body: dict[str, Any] = {}
    info = msgspec.inspect.type_info(_unwrap_optional(annotation))
    fields = info.fields if isinstance(info, msgspec.inspect.StructType) else ()
    for field in fields:
        if isinstance(field.type, msgspec.inspect.Metadata) and (field.type.extra_json_schema or {}).get("examples"):
            body[field.encode_name] = field.type.extra_json_schema["examples"][0]  # type: ignore[index]
        elif isinstance(field.type, msgspec.inspect.EnumType):
            body[field.encode_name] = next(iter(field.type.cls)).value
    if fields:
        first = fields[0]
        body[first.encode_name] = "yes" if isinstance(_unwrap_inspected(first.type), msgspec.inspect.BoolType) else 42
    body["is_admin"] = True
    raw = msgspec.json.encode(body)
    try:
        msgspec.json.decode(raw, type=annotation, strict=True)
    except msgspec.ValidationError as refused:
        return [
            {"key": path, "source": "body", "message": message}
            for path, message in body_problems(raw, annotation, refused)
        ]
    raise RuntimeError(f"a body of {annotation!r} with an unknown field was accepted")


def _unwrap_inspected(kind: msgspec.inspect.Type) -> msgspec.inspect.Type:
    if isinstance(kind, msgspec.inspect.Metadata):
        return _unwrap_inspected(kind.type)
    if isinstance(kind, msgspec.inspect.UnionType):
        members = [t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType)]
        return _unwrap_inspected(members[0]) if len(members) == 1 else kind
    return kind


def edge_problems(status: int, path: str, method: str, handler: HTTPRouteHandler) -> list[Problem]:
    """The problems the request path itself answers with at ``status`` on this operation (the
    ones a handler's use case answers come from its context's ``problem_examples``)."""
    if status == 400:
        if _takes_body(method, handler):
            annotation = handler.parsed_fn_signature.parameters["data"].annotation
            not_json = _edge(400, "BAD_REQUEST", "The request body is not valid JSON.")
            return [validation_problem(_refused_body(annotation), EXAMPLE_REQUEST_ID), not_json]
        if path.startswith("/api/"):  # strict_input refuses a query parameter the call does not take
            refused = [{"key": "page", "source": "query", "message": "is not a parameter of this call"}]
            return [validation_problem(refused, EXAMPLE_REQUEST_ID)]
        return [_edge(400, "HOST_NOT_ALLOWED", "The Host header names a host this service does not serve.")]
    if status == 401 and not _public(path, handler) and not handler.opt.get("optional_auth"):
        missing = InvalidAccessToken("An `Authorization: Bearer <access token>` header is required.")
        return [
            application_problem(missing, EXAMPLE_REQUEST_ID),
            application_problem(InvalidAccessToken(), EXAMPLE_REQUEST_ID),
        ]
    if status == 413:
        limit = handler.resolve_request_max_body_size()
        return [_edge(413, "PAYLOAD_TOO_LARGE", f"The request body is larger than {limit} bytes.")]
    if status == 415:
        return [_edge(415, "UNSUPPORTED_MEDIA_TYPE", "The request body must be application/json.")]
    if status == 429:
        return [_edge(429, "RATE_LIMITED", "Too many requests; slow down and retry after the time in Retry-After.")]
    if status == 503:
        down = DependencyUnavailable("The database is unavailable.")
        overloaded = _edge(503, "OVERLOADED", "The service is overloaded; retry after the time in Retry-After.")
        return [application_problem(down, EXAMPLE_REQUEST_ID), overloaded]
    return []


def _edge(status: int, code: str, detail: str) -> Problem:
    return make_problem(status, detail=detail, code=code, request_id=EXAMPLE_REQUEST_ID)


def _takes_body(method: str, handler: HTTPRouteHandler) -> bool:
    return method in _BODY_METHODS and "data" in handler.parsed_fn_signature.parameters


def _public(path: str, handler: HTTPRouteHandler) -> bool:
    return bool(handler.opt.get("exclude_from_auth")) or any(re.match(p, path) for p in AUTH_EXEMPT_PATHS)


def problem_statuses(path: str, method: str, handler: HTTPRouteHandler, route: HTTPRoute) -> set[int]:
    """The problem statuses an operation can answer, from what the request path does for it."""
    statuses = set(_EVERYWHERE)
    if not any(re.match(p, path) for p in AUTH_EXEMPT_PATHS):
        statuses |= set(_EVERY_API_ROUTE)
    if _takes_body(method, handler):
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


def _structs(annotation: Any, found: dict[str, type[msgspec.Struct]]) -> None:
    """Every msgspec struct in an annotation, and in those structs' fields, by class name."""
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        if annotation.__name__ in found:
            return
        found[annotation.__name__] = annotation
        for hint in get_type_hints(annotation).values():
            _structs(hint, found)
    for argument in get_args(annotation):
        _structs(argument, found)


def response_structs(app: Litestar) -> dict[str, type[msgspec.Struct]]:
    """The structs the documented operations answer with (nested ones included), by name."""
    found: dict[str, type[msgspec.Struct]] = {}
    for _, _, handler, _ in _operations(app):
        _structs(handler.parsed_fn_signature.return_type.annotation, found)
        for response in (handler.responses or {}).values():
            _structs(response.data_container, found)
    return found


@dataclass
class _Verbatim(BaseSchemaObject):
    """A body example written into the document as it is: Litestar's serializer drops every
    ``None`` of a dict, and a body's ``null`` (a movement's ``order_id``) is part of what is sent."""

    body: Any

    def to_schema(self) -> dict[str, Any]:
        return msgspec.to_builtins(self.body)  # type: ignore[no-any-return]


def _add_body_examples(schemas: Mapping[str, Schema | Reference], structs: Mapping[str, type[msgspec.Struct]]) -> None:
    """A response struct's ``EXAMPLE`` (the body as sent) on its schema; a schema whose every
    property has examples (``TokensOut``) gets one made of them."""
    for name, schema in schemas.items():
        if name not in structs or not isinstance(schema, Schema) or schema.examples:
            continue
        example = getattr(structs[name], "EXAMPLE", None)
        if example is not None:
            schema.examples = [_Verbatim(example)]
            continue
        properties = schema.properties or {}
        if properties and all(isinstance(p, Schema) and p.examples for p in properties.values()):
            schema.examples = [{key: p.examples[0] for key, p in properties.items()}]  # type: ignore[union-attr,index]


def complete_document(app: Litestar, problem_examples: Mapping[str, Sequence[Exception]] | None = None) -> None:
    """Adds security requirements, problem responses and examples to the generated document
    (once, at start-up, before the document is first served). ``problem_examples``: the refusals
    of a handler's own use case, by handler name (each must fall under a status the operation
    documents)."""
    problem_examples = problem_examples or {}
    document = app.openapi_schema
    if document.components is not None:
        schemas = dict(document.components.schemas or {})
        _add_body_examples(schemas, response_structs(app))
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
        statuses = problem_statuses(path, method, handler, route)
        own = [
            application_problem(error, EXAMPLE_REQUEST_ID) for error in problem_examples.get(handler.handler_name, ())
        ]
        undocumented = {problem.status for problem in own} - statuses
        if undocumented:
            raise ValueError(f"{handler.handler_name}: examples for undocumented statuses {sorted(undocumented)}")
        responses = dict(operation.responses or {})
        no_content = responses.get("204")
        if isinstance(no_content, OpenAPIResponse):
            no_content.content = None  # a 204 has no body, even when the handler returns a Response
        for status in sorted(statuses):
            shown = edge_problems(status, path, method, handler) + [p for p in own if p.status == status]
            responses[str(status)] = _problem(status, shown)
        operation.responses = responses
