"""Every problem of a JSON body at once, each named by its path (``vendor_slug``, ``lines[2].quantity``).

msgspec stops at the first error, which is the right price for the common case: a valid body is
decoded once with the handler's typed, strict decoder and nothing here runs. Only when that decoder
refuses the body does :func:`body_problems` walk the already-decoded JSON against the declared type,
field by field, decoding each value with a strict typed decoder for that field's type (the same
rules as the handler's decoder) and recursing into objects and arrays of objects, so a form learns about every
missing, unknown, mistyped, too long, out-of-range or not-allowed value in one answer.

The walk follows the declared type, never the body's own shape, so its depth is the type's depth;
the number of problems reported is capped (``MAX_PROBLEMS``).
"""

from __future__ import annotations

import enum
import re
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec

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


def _convert_error(value: Any, annotation: Any) -> tuple[str, str] | None:
    """(path suffix, message) of the first problem msgspec finds, or None when the value decodes.
    The value came from JSON, so encoding it again and decoding it with the strict typed decoder
    applies exactly the rules the handler's own decoder applied to the body."""
    try:
        _decoder(annotation).decode(_encoder.encode(value))
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `")
        return where.rstrip("`").removeprefix("$"), message
    return None


@dataclass(frozen=True, slots=True)
class _Shape:
    """What the walk needs of an annotation, worked out once (``msgspec.structs.fields`` evaluates
    the string annotations again on every call)."""

    struct: type[msgspec.Struct] | None
    fields: tuple[msgspec.structs.FieldInfo, ...]
    names: frozenset[str]
    forbid_unknown: bool
    item_type: Any


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
    )


def _walk(
    value: Any, annotation: Any, path: str, out: list[tuple[str, str]], problem: tuple[str, str] | None = None
) -> None:
    """Every problem of ``value`` against ``annotation`` into ``out``; ``problem``: the first one,
    when already known (the whole body's, from the handler's decoder)."""
    if len(out) >= MAX_PROBLEMS:
        return
    if problem is None:
        problem = _convert_error(value, annotation)
        if problem is None:
            return
    shape = _shape(annotation)
    if shape.struct is not None and isinstance(value, dict):
        _walk_struct(value, shape, path, out)
        return
    item_type = shape.item_type
    if item_type is not None and isinstance(value, list):
        before = len(out)
        for index, item in enumerate(value):
            _walk(item, item_type, f"{path}[{index}]", out)
            if len(out) >= MAX_PROBLEMS:
                return
        if len(out) > before:
            return
        # every item is fine: the problem is the array itself (its length)
    suffix, message = problem
    _add(out, path, suffix, message, annotation)


def _add(out: list[tuple[str, str]], path: str, suffix: str, message: str, annotation: Any) -> None:
    named = _MISSING.fullmatch(message) or _UNKNOWN.fullmatch(message)
    if named is not None:  # the field itself, not the object holding it
        suffix = f"{suffix}.{named.group(1)}"
    elif suffix:  # a problem inside a value: the annotation named is not the leaf's
        annotation = None
    out.append((_join(path, suffix) or "body", friendly(message, annotation)))


def _walk_struct(value: dict[str, Any], shape: _Shape, path: str, out: list[tuple[str, str]]) -> None:
    for field in shape.fields:
        if len(out) >= MAX_PROBLEMS:
            return
        where = _join(path, f".{field.encode_name}")
        if field.encode_name in value:
            _walk(value[field.encode_name], field.type, where, out)
        elif field.required:
            out.append((where, MISSING))
    if shape.forbid_unknown:
        for key in value:
            if len(out) >= MAX_PROBLEMS:
                return
            if key not in shape.names:
                out.append((_join(path, f".{key}"), UNKNOWN))


def body_problems(raw: bytes, annotation: Any, fallback: msgspec.ValidationError) -> list[tuple[str, str]]:
    """Every problem of a JSON body the typed strict decoder refused, as (path, message) pairs,
    ``fallback`` (that decoder's own error) when the walk finds nothing to say."""
    value = msgspec.json.decode(raw)
    message, _, where = str(fallback).partition(" - at `")
    first = (where.rstrip("`").removeprefix("$"), message)
    out: list[tuple[str, str]] = []
    _walk(value, annotation, "", out, first)
    if not out:  # cannot happen while the walk applies the decoder's rules; the decoder's word then
        _add(out, "", *first, annotation)
    return out


def required_fields(annotation: Any) -> list[str]:
    """The fields a body of this type must have: the problems of a required body sent empty."""
    return [field.encode_name for field in _shape(annotation).fields if field.required]
