"""Postal codes as a country writes them, and the prefixes (``1011*``) a zone may serve.

A code is upper-cased and its spacing made the country's own: NL ``1011 AB``, GB ``SW1A 1AA``,
CA ``K1A 0B1`` (a space before the last three characters), elsewhere inner runs of spaces become
one. A prefix ends with ``*`` and is compared with codes in that same written form, so
``1011*`` covers ``1011 AB`` and ``SW1A*`` covers ``SW1A 1AA``. A prefix must say where it stops:
one that ends in the middle of a space (``1011 *``) is read without it."""

from __future__ import annotations

import re

from domain.shared.errors import InvalidValue

MAX_POSTAL_CODE_LENGTH = 12
_ALLOWED = re.compile(r"^[A-Z0-9][A-Z0-9 \-]*$")
_NL = re.compile(r"^(\d{4}) ?([A-Z]{2})$")
_INWARD_SPLIT = ("GB", "CA", "IE")  # a space before the last three characters
_FORMATS: dict[str, re.Pattern[str]] = {
    "NL": re.compile(r"^\d{4} [A-Z]{2}$"),
    "GB": re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$"),
    "US": re.compile(r"^\d{5}(-\d{4})?$"),
    "NZ": re.compile(r"^\d{4}$"),
    "DE": re.compile(r"^\d{5}$"),
    "FR": re.compile(r"^\d{5}$"),
    "BE": re.compile(r"^\d{4}$"),
}


def _written(raw: str, country: str) -> str:
    text = " ".join(raw.upper().split())
    if country == "NL":
        match = _NL.match(text)
        if match:
            return f"{match.group(1)} {match.group(2)}"
    if country in _INWARD_SPLIT:
        squeezed = text.replace(" ", "")
        if len(squeezed) > 3:
            return f"{squeezed[:-3]} {squeezed[-3:]}"
    return text


def normalise_postal_code(raw: str, country: str, field: str = "postal_code") -> str:
    """A full code in the country's written form, or ``InvalidValue``."""
    if not isinstance(raw, str):
        raise InvalidValue(field, "must be a postal code")
    code = _written(raw, country)
    if not code or len(code) > MAX_POSTAL_CODE_LENGTH or not _ALLOWED.match(code):
        raise InvalidValue(field, "must be a postal code (letters, digits, spaces, hyphens)")
    pattern = _FORMATS.get(country)
    if pattern is not None and not pattern.match(code):
        raise InvalidValue(field, f"is not a postal code of {country}")
    return code


def normalise_pattern(raw: str, country: str, field: str = "postal_codes") -> str:
    """A zone's entry: a full code, or a prefix ending in ``*`` (at least two characters before it)."""
    if not isinstance(raw, str):
        raise InvalidValue(field, "must be a postal code or a prefix ending in *")
    text = raw.strip()
    if not text.endswith("*"):
        return normalise_postal_code(text, country, field)
    stem = " ".join(text[:-1].upper().split())
    if "*" in stem or len(stem) < 2 or len(stem) >= MAX_POSTAL_CODE_LENGTH or not _ALLOWED.match(stem):
        raise InvalidValue(field, "a prefix is at least two letters or digits followed by one *")
    return f"{stem}*"


def covers(pattern: str, code: str) -> bool:
    """Whether a zone entry (code or prefix) serves the normalised ``code``."""
    if pattern.endswith("*"):
        return code.startswith(pattern[:-1])
    return code == pattern


def overlap(first: str, second: str) -> bool:
    """Whether some postal code would be served by both entries."""
    a, b = first.rstrip("*"), second.rstrip("*")
    a_prefix, b_prefix = first.endswith("*"), second.endswith("*")
    if a_prefix and b_prefix:
        return a.startswith(b) or b.startswith(a)
    if a_prefix:
        return b.startswith(a)
    if b_prefix:
        return a.startswith(b)
    return a == b
