"""Strict request input, checked before Litestar parses a handler's arguments.

Litestar converts bodies and query parameters with msgspec's lax rules (``strict=False``), which
turn ``"false"`` into ``False``, ``"1e2"`` or ``100.0`` into ``100`` and ``?limit=10.0`` into 10;
it has no setting to change that for msgspec types. This hook runs after the guards and before
that conversion (Litestar's ``before_request``) and refuses what the lax rules would have bent:

- a body sent as anything but ``application/json`` is 415 (contract section 3);
- a JSON body is decoded with ``msgspec.json.decode(..., type=<the handler's body type>,
  strict=True)``; when that refuses it, the body is walked field by field (``field_errors``) and
  the 400 lists every problem, each named by its path (``lines[2].quantity``); a body that is not
  UTF-8 or not JSON is 400 (never the 500 an undecodable body used to cause); a required body
  sent empty lists every required field as missing; beside the shape problems, the walk lists what
  the domain rules a schema names for its fields (``field_errors.Rule``) refuse of the present,
  well-typed values, so one 400 names a missing field and a malformed slug together;
- an integer query parameter must be ASCII digits with an optional leading minus (no ``10.0``,
  ``1e1``, `` 10``, ``+10``), a boolean one ``true`` or ``false``, an enum or ``Literal`` one
  exactly one of its values, and each may appear once;
- under ``/api/``, a query parameter the handler does not take is refused like an unknown body
  field (contract section 3);
- query and body problems of one request are answered together in one 400 (``query.<name>``
  beside the body's paths), the rules of a well-typed body's values included.

What passes is exactly what Litestar's own parsing then accepts unchanged, so handlers keep their
typed signatures and the OpenAPI schema stays as declared.
"""

from __future__ import annotations

import enum
import re
import types
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.params import CookieParameter, HeaderParameter, ParameterKwarg, PathParameter
from litestar.types import Empty

from interfaces.http.field_errors import MISSING, body_problems, friendly, required_fields

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,20}")
_BOOLEANS = frozenset(("true", "false"))

# Names Litestar fills from the connection itself, never from a query parameter of that name.
_RESERVED = frozenset(("request", "scope", "state", "headers", "cookies", "body", "socket", "data"))
_NAMED_FIELD = re.compile(r"field `([^`]+)`")


@dataclass(frozen=True, slots=True)
class _Plan:
    body: msgspec.json.Decoder[Any] | None
    body_type: Any  # the handler's body annotation, walked for every problem when ``body`` refuses one
    body_required: bool  # no default and no None: an empty body lacks every required field
    integers: frozenset[str]
    booleans: frozenset[str]
    choices: dict[str, tuple[str, ...]]  # an enum or Literal parameter: its values, in order
    known: frozenset[str] | None  # every query parameter the handler takes; None: any (it reads them all)


_plans: dict[int, tuple[HTTPRouteHandler, _Plan]] = {}


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _allows_none(annotation: Any) -> bool:
    if annotation is None or annotation is type(None):
        return True
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


def _plan_for(handler: HTTPRouteHandler) -> _Plan:
    cached = _plans.get(id(handler))
    if cached is not None and cached[0] is handler:
        return cached[1]
    body = None
    body_type: Any = None
    body_required = False
    integers: set[str] = set()
    booleans: set[str] = set()
    choices: dict[str, tuple[str, ...]] = {}
    known: set[str] | None = set()
    dependencies = set(handler.resolve_dependencies())
    for name, parameter in handler.parsed_fn_signature.parameters.items():
        if name == "data":
            try:
                body = msgspec.json.Decoder(parameter.annotation, strict=True)
            except TypeError:  # not a type msgspec decodes (a DTO's data): Litestar alone parses it
                body = None
            else:
                body_type = parameter.annotation
                body_required = parameter.default is Empty and not _allows_none(parameter.annotation)
            continue
        if name == "query":  # the whole query string: anything may be in it
            known = None
            continue
        kwarg = parameter.kwarg_definition
        if name in _RESERVED or name in dependencies or (kwarg is not None and not isinstance(kwarg, ParameterKwarg)):
            continue  # a body, a dependency, the connection
        if isinstance(kwarg, HeaderParameter | CookieParameter | PathParameter) or (
            isinstance(kwarg, ParameterKwarg) and (kwarg.header or kwarg.cookie)
        ):
            continue
        key = (kwarg.name or kwarg.query or name) if isinstance(kwarg, ParameterKwarg) else name
        if known is not None:
            known.add(key)
        kind = _without_none(parameter.annotation)
        if kind is bool:
            booleans.add(key)
        elif kind is int:
            integers.add(key)
        elif isinstance(kind, type) and issubclass(kind, enum.Enum):
            choices[key] = tuple(str(member.value) for member in kind)
        elif get_origin(kind) is Literal:
            choices[key] = tuple(str(value) for value in get_args(kind))
    plan = _Plan(
        body,
        body_type,
        body_required,
        frozenset(integers),
        frozenset(booleans),
        choices,
        None if known is None else frozenset(known),
    )
    _plans[id(handler)] = (handler, plan)
    return plan


def _query_errors(request: Request[Any, Any, Any], plan: _Plan) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    query = request.query_params
    if plan.known is not None and str(request.scope["path"]).startswith("/api/"):
        errors += [
            {"key": key, "source": "query", "message": "is not a parameter of this call"}
            for key in sorted(set(query) - plan.known)
        ]
    for key in (*plan.integers, *plan.booleans, *plan.choices):
        if key in request.path_params:
            continue
        values = query.getall(key, [])
        if not values:
            continue
        if len(values) > 1:
            errors.append({"key": key, "source": "query", "message": "must be given once"})
        elif key in plan.integers and not _WHOLE_NUMBER.fullmatch(values[0]):
            errors.append({"key": key, "source": "query", "message": "must be a whole number written in digits"})
        elif key in plan.booleans and values[0] not in _BOOLEANS:
            errors.append({"key": key, "source": "query", "message": "must be true or false"})
        elif key in plan.choices and values[0] not in plan.choices[key]:
            errors.append({"key": key, "source": "query", "message": f"must be one of {', '.join(plan.choices[key])}"})
    return errors


def _friendly(message: str) -> str:
    return friendly(message)


def body_error(exc: msgspec.ValidationError) -> dict[str, str]:
    """msgspec's error as Litestar's ``{key, source, message}``: the field by its path in the body."""
    message, _, where = str(exc).partition(" - at `")
    path = where.rstrip("`") if where else "$"
    if path.startswith("$."):
        field = path[2:]
    elif path == "$":
        named = _NAMED_FIELD.search(message)  # a missing or unknown field of the top-level object
        field = named.group(1) if named else "body"
    else:
        field = path.removeprefix("$") or "body"
    return {"key": field, "source": "body", "message": _friendly(message)}


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or a ``+json`` type, parameters (``charset``) aside."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


async def strict_input(request: Request[Any, Any, Any]) -> None:
    """Litestar ``before_request`` hook: raises 400 for loosely typed input, returns None otherwise."""
    handler = request.route_handler
    if not isinstance(handler, HTTPRouteHandler):
        return
    plan = _plan_for(handler)
    errors = _query_errors(request, plan)
    if plan.body is not None:
        raw = await request.body()
        if not errors and raw and is_json_media_type(request.headers.get("content-type", "")):
            try:  # the common case first: one strict, typed decode and nothing else
                plan.body.decode(raw)
                return
            except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError):
                pass  # every problem is worked out below
        errors += _body_errors(request, plan, raw, query_refused=bool(errors))
    if errors:
        raise ValidationException(detail="The request is not valid.", extra=errors)


def _body_errors(
    request: Request[Any, Any, Any], plan: _Plan, raw: bytes, *, query_refused: bool
) -> list[dict[str, str]]:
    """The body's problems, every one; a body that cannot be read at all is its own answer (415, or
    400 without fields), unless the query was refused too: then it is one more entry of that 400."""
    assert plan.body is not None
    if not raw:  # no body: the default, or every required field is missing
        if not plan.body_required:
            return []
        fields = required_fields(plan.body_type) or ["body"]
        return [{"key": field, "source": "body", "message": MISSING} for field in fields]
    if not is_json_media_type(request.headers.get("content-type", "")):
        unreadable = ClientException("The request body must be application/json.", status_code=415)
    else:
        try:
            plan.body.decode(raw)
        except UnicodeDecodeError:
            unreadable = ClientException("The request body is not valid UTF-8.")
        except msgspec.ValidationError as exc:
            # The typed decoder stopped at the first problem; the walk decodes the whole body
            # untyped, so a later undecodable part (not UTF-8, not JSON) is still found there.
            try:
                problems = body_problems(raw, plan.body_type, exc)
            except UnicodeDecodeError:
                unreadable = ClientException("The request body is not valid UTF-8.")
            except msgspec.DecodeError:
                unreadable = ClientException("The request body is not valid JSON.")
            else:
                return [{"key": path, "source": "body", "message": message} for path, message in problems]
        except msgspec.DecodeError:
            unreadable = ClientException("The request body is not valid JSON.")
        else:  # well typed, in a request refused for its query: what its values' rules refuse too
            return [
                {"key": path, "source": "body", "message": message}
                for path, message in body_problems(raw, plan.body_type)
            ]
    if not query_refused:
        raise unreadable
    return [{"key": "body", "source": "body", "message": str(unreadable.detail)}]
