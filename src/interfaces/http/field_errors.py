"""Every problem of a JSON body at once, each named by its path (``vendor_slug``, ``lines[2].quantity``).

msgspec stops at the first error, which is the right price for the common case: a valid body is
decoded once with the handler's typed, strict decoder and nothing here runs. Only when that decoder
refuses the body does :func:`body_problems` walk the already-decoded JSON against the declared type,
field by field, decoding each value with a strict typed decoder for that field's type (the same
rules as the handler's decoder) and recursing into objects and arrays of objects, so a form learns about every
missing, unknown, mistyped, too long, out-of-range or not-allowed value in one answer.

The business rules of a value (a slug's format, a time zone, a password's policy) belong to the
domain, and the use case checks them once the body decodes. So that a body refused for its shape
also names the values the domain would refuse, a schema marks a field with the domain check that
validates it, ``Annotated[str, msgspec.Meta(max_length=200), Rule(check_slug)]``: the walk runs
that check on each present, well-typed value (never on a null) and lists what it refuses beside
the shape problems, field by field in declaration order. The same functions the use cases call,
never a copy of their rules; msgspec and the OpenAPI schema ignore the marker, and nothing of this
runs for a body the handler's decoder accepts.

The walk follows the declared type, never the body's own shape, so its depth is the type's depth;
the number of problems reported is capped (``MAX_PROBLEMS``).
"""

from __future__ import annotations

import enum
import re
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec

from domain.shared.errors import InvalidValue, InvalidValues

MAX_PROBLEMS = 100

# msgspec's names for JSON types, as a client reads them.
TYPE_WORDS = {
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "str": "a string",
    "object": "an object",
    "array": "an array",
    "null": "null",
}
_MISMATCH = re.compile(r"Expected `([^`]+)`, got `([^`]+)`")
_LENGTH = re.compile(r"Expected `(str|array|object)` of length (<=|>=) (\d+)")
_BOUND = re.compile(r"Expected `(int|float)` (<=|>=|<|>) (-?[0-9.e+-]+)")
_PATTERN = re.compile(r"Expected `str` matching regex (.+)")
_MISSING = re.compile(r"Object missing required field `([^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `([^`]+)`")

MISSING = "is missing: this field is required"
UNKNOWN = "is an unknown field: this request does not take it"


@dataclass(frozen=True, slots=True)
class Rule:
    """The domain check a field's well-typed value must also pass: ``check(value, field)`` returns
    or raises ``InvalidValue`` (``InvalidValues``), ``field`` being the value's path in the body.

    With ``context``, the check is ``check(value, field, context(siblings))``, ``siblings`` being
    the other present, well-typed fields of the same object by name (decoded): for a rule that
    looks at its neighbours, such as a password that must not contain the account's email."""

    check: Callable[..., object]
    context: Callable[[Mapping[str, Any]], object] | None = None


_UNITS = {"str": "characters long", "array": "items", "object": "entries"}
_BOUNDS = {"<=": "at most", ">=": "at least", "<": "less than", ">": "greater than"}


def friendly(message: str, annotation: Any = None) -> str:
    """msgspec's message as a person reads it (``must be a whole number, not a string``); messages
    it does not recognise pass unchanged."""
    if (match := _MISMATCH.fullmatch(message)) is not None:
        expected, got = match.group(1).split(" | "), match.group(2)
        if all(kind in TYPE_WORDS for kind in (*expected, got)):
            return f"must be {' or '.join(TYPE_WORDS[kind] for kind in expected)}, not {TYPE_WORDS[got]}"
        return message
    if (match := _LENGTH.fullmatch(message)) is not None:
        kind, bound, size = match.groups()
        if kind == "str":
            return f"must be {_BOUNDS[bound]} {size} characters long"
        return f"must have {_BOUNDS[bound]} {size} {_UNITS[kind]}"
    if (match := _BOUND.fullmatch(message)) is not None:
        return f"must be {_BOUNDS[match.group(2)]} {match.group(3)}"
    if (match := _PATTERN.fullmatch(message)) is not None:
        return f"does not have the expected format ({match.group(1)})"
    if message.startswith("Invalid enum value"):
        choices = _choices(annotation)
        return f"must be one of {', '.join(choices)}" if choices else "is not one of the allowed values"
    if _MISSING.fullmatch(message):
        return MISSING
    if _UNKNOWN.fullmatch(message):
        return UNKNOWN
    return message


def _choices(annotation: Any) -> list[str]:
    """The allowed values of an enum or ``Literal`` annotation (through ``Annotated`` and ``| None``)."""
    found: list[str] = []
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, enum.Enum):
            found += [str(item.value) for item in member]
        elif get_origin(member) is Literal:
            found += [str(value) for value in get_args(member)]
    return found


def _members(annotation: Any) -> Iterator[Any]:
    """The alternatives of a union, ``Annotated`` peeled off."""
    if get_origin(annotation) is Annotated:
        yield from _members(get_args(annotation)[0])
    elif get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            yield from _members(arg)
    else:
        yield annotation


def _struct_of(annotation: Any) -> type[msgspec.Struct] | None:
    structs = [m for m in _members(annotation) if isinstance(m, type) and issubclass(m, msgspec.Struct)]
    return structs[0] if len(structs) == 1 else None


def _item_type_of(annotation: Any) -> Any:
    """The item type of a ``list[X]`` / ``tuple[X, ...]`` / ``set[X]`` alternative, or None."""
    for member in _members(annotation):
        origin = get_origin(member)
        args = get_args(member)
        if origin in (list, set, frozenset) and len(args) == 1:
            return args[0]
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return args[0]
    return None


def _join(path: str, suffix: str) -> str:
    """``lines`` + ``[2]`` or ``.quantity``; the top level has the empty path."""
    if not path:
        return suffix.removeprefix(".")
    return f"{path}{suffix}"


_encoder = msgspec.json.Encoder()
_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}  # the handlers' field types: a bounded set


def _decoder(annotation: Any) -> msgspec.json.Decoder[Any]:
    """A strict typed decoder per annotation, made once: ``msgspec.convert`` would build its type
    machinery again on every call (about 100 us a field), which a hostile client could repeat."""
    try:
        return _decoders[annotation]
    except KeyError:
        decoder = _decoders[annotation] = msgspec.json.Decoder(annotation, strict=True)
        return decoder
    except TypeError:  # an unhashable annotation: not cached
        return msgspec.json.Decoder(annotation, strict=True)


def _convert(value: Any, annotation: Any) -> tuple[Any, tuple[str, str] | None]:
    """(the decoded value, None), or (None, (path suffix, message) of the first problem msgspec
    finds). The value came from JSON, so encoding it again and decoding it with the strict typed
    decoder applies exactly the rules the handler's own decoder applied to the body."""
    try:
        return _decoder(annotation).decode(_encoder.encode(value)), None
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `")
        return None, (where.rstrip("`").removeprefix("$"), message)


def _rules_of(annotation: Any) -> tuple[Rule, ...]:
    """The ``Rule`` markers of an annotation: its ``Annotated`` metadata, through ``| None``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *metadata = get_args(annotation)
        return (*_rules_of(base), *(item for item in metadata if isinstance(item, Rule)))
    if origin in (Union, types.UnionType):
        return tuple(rule for arg in get_args(annotation) for rule in _rules_of(arg))
    return ()


def _carries_rules(annotation: Any, seen: frozenset[type] = frozenset()) -> bool:
    """Whether a well-typed value of this type can still be refused by a ``Rule``: its own, or one
    of a field or an item inside it (a struct met again on the way is not looked into twice)."""
    if _rules_of(annotation):
        return True
    struct = _struct_of(annotation)
    if struct is not None and struct not in seen:
        inner = seen | {struct}
        if any(_carries_rules(field.type, inner) for field in msgspec.structs.fields(struct)):
            return True
    item_type = _item_type_of(annotation)
    return item_type is not None and _carries_rules(item_type, seen)


@dataclass(frozen=True, slots=True)
class _Shape:
    """What the walk needs of an annotation, worked out once (``msgspec.structs.fields`` evaluates
    the string annotations again on every call)."""

    struct: type[msgspec.Struct] | None
    fields: tuple[msgspec.structs.FieldInfo, ...]
    names: frozenset[str]
    forbid_unknown: bool
    item_type: Any
    rules: tuple[Rule, ...]  # the domain checks of the value itself
    ruled: bool  # a well-typed value may still be refused by a rule (its own or one inside it)


_shapes: dict[Any, _Shape] = {}


def _shape(annotation: Any) -> _Shape:
    try:
        return _shapes[annotation]
    except KeyError:
        pass
    except TypeError:  # unhashable: worked out each time
        return _make_shape(annotation)
    shape = _shapes[annotation] = _make_shape(annotation)
    return shape


def _make_shape(annotation: Any) -> _Shape:
    struct = _struct_of(annotation)
    fields = msgspec.structs.fields(struct) if struct is not None else ()
    return _Shape(
        struct=struct,
        fields=fields,
        names=frozenset(field.encode_name for field in fields),
        forbid_unknown=struct is not None and struct.__struct_config__.forbid_unknown_fields,
        item_type=_item_type_of(annotation),
        rules=_rules_of(annotation),
        ruled=_carries_rules(annotation),
    )


Problems = list[tuple[str, str]]


def _walk(value: Any, annotation: Any, path: str, out: Problems, problem: tuple[str, str] | None = None) -> bool:
    """Every problem of ``value`` against ``annotation`` into ``out``; ``problem``: the first one,
    when already known (the whole body's, from the handler's decoder). True when the value does not
    decode (a shape problem); a well-typed value is checked against its rules instead."""
    if len(out) >= MAX_PROBLEMS:
        return True
    if problem is None:
        decoded, problem = _convert(value, annotation)
        if problem is None:
            _check(value, decoded, annotation, path, out, {})
            return False
    shape = _shape(annotation)
    if shape.struct is not None and isinstance(value, dict):
        _walk_struct(value, shape, path, out)
        return True
    item_type = shape.item_type
    if item_type is not None and isinstance(value, list):
        before = len(out)
        mistyped = False
        for index, item in enumerate(value):
            mistyped = _walk(item, item_type, f"{path}[{index}]", out) or mistyped
            if len(out) >= MAX_PROBLEMS:
                return True
        if mistyped:
            return True
        # every item is well typed: the problem is the array itself (its length), named before
        # whatever the items' rules refused
        out.insert(before, _entry(path, *problem, annotation))
        del out[MAX_PROBLEMS:]
        return True
    out.append(_entry(path, *problem, annotation))
    return True


def _entry(path: str, suffix: str, message: str, annotation: Any) -> tuple[str, str]:
    named = _MISSING.fullmatch(message) or _UNKNOWN.fullmatch(message)
    if named is not None:  # the field itself, not the object holding it
        suffix = f"{suffix}.{named.group(1)}"
    elif suffix:  # a problem inside a value: the annotation named is not the leaf's
        annotation = None
    return (_join(path, suffix) or "body", friendly(message, annotation))


def _check(value: Any, decoded: Any, annotation: Any, path: str, out: Problems, siblings: Mapping[str, Any]) -> None:
    """A well-typed value against its domain rules (the first refusal only), then the fields or
    items inside it that carry rules of their own. A null is an absent value: never checked."""
    shape = _shape(annotation)
    if not shape.ruled or decoded is None:
        return
    for rule in shape.rules:
        if _refused(rule, decoded, path or "body", out, siblings):
            break
    if shape.struct is not None and isinstance(value, dict):
        _walk_struct(value, shape, path, out)
    elif shape.item_type is not None and isinstance(value, list):
        for index, item in enumerate(value):
            if len(out) >= MAX_PROBLEMS:
                return
            _walk(item, shape.item_type, f"{path}[{index}]", out)


def _refused(rule: Rule, decoded: Any, field: str, out: Problems, siblings: Mapping[str, Any]) -> bool:
    """Runs one rule; what it refuses goes into ``out`` under the field the check names (the path
    it was given), every problem of an ``InvalidValues``."""
    try:
        if rule.context is None:
            rule.check(decoded, field)
        else:
            rule.check(decoded, field, rule.context(siblings))
    except InvalidValue as refused:
        problems = refused.problems if isinstance(refused, InvalidValues) else (refused,)
        out.extend((problem.field, problem.reason) for problem in problems[: max(0, MAX_PROBLEMS - len(out))])
        return True
    return False


def _walk_struct(value: dict[str, Any], shape: _Shape, path: str, out: Problems) -> None:
    # First what each present field decodes to, so that a rule can look at its well-typed neighbours.
    present: dict[str, tuple[str, str] | None] = {}
    siblings: dict[str, Any] = {}
    for field in shape.fields:
        if field.encode_name in value:
            decoded, problem = _convert(value[field.encode_name], field.type)
            present[field.encode_name] = problem
            if problem is None:
                siblings[field.encode_name] = decoded
    for field in shape.fields:
        if len(out) >= MAX_PROBLEMS:
            return
        name = field.encode_name
        where = _join(path, f".{name}")
        if name not in present:
            if field.required:
                out.append((where, MISSING))
        elif (problem := present[name]) is None:
            _check(value[name], siblings[name], field.type, where, out, siblings)
        else:
            _walk(value[name], field.type, where, out, problem)
    if shape.forbid_unknown:
        for key in value:
            if len(out) >= MAX_PROBLEMS:
                return
            if key not in shape.names:
                out.append((_join(path, f".{key}"), UNKNOWN))


def body_problems(raw: bytes, annotation: Any, fallback: msgspec.ValidationError | None = None) -> Problems:
    """Every problem of a JSON body, as (path, message) pairs: its shape problems and what the
    domain rules of its well-typed values refuse. ``fallback``: the typed strict decoder's own
    error when it refused the body (its word when the walk finds nothing to say); None for a body
    it accepted (a request refused for its query), whose rules alone are then checked."""
    value = msgspec.json.decode(raw)
    out: Problems = []
    if fallback is None:
        _walk(value, annotation, "", out)
        return out
    message, _, where = str(fallback).partition(" - at `")
    first = (where.rstrip("`").removeprefix("$"), message)
    _walk(value, annotation, "", out, first)
    if not out:  # cannot happen while the walk applies the decoder's rules; the decoder's word then
        out.append(_entry("", *first, annotation))
    return out


def required_fields(annotation: Any) -> list[str]:
    """The fields a body of this type must have: the problems of a required body sent empty."""
    return [field.encode_name for field in _shape(annotation).fields if field.required]
