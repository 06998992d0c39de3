"""Free text as the contract wants it kept: plain text, NFC-normalised, without control or
bidirectional-override characters (a NUL or an RLO in a name is never what a florist meant)."""

from __future__ import annotations

import unicodedata

from domain.shared.errors import InvalidValue

# Explicit direction overrides and isolates: they can make text display unlike what it stores.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def clean_line(raw: str, field: str, *, max_length: int) -> str:
    """One line of plain text: controls removed, whitespace runs folded to one space, then
    length-checked (too long is refused, never truncated)."""
    text = unicodedata.normalize("NFC", raw)
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS)
    )
    text = " ".join(text.split())
    if not text:
        raise InvalidValue(field, "must not be empty")
    if len(text) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters long")
    return text
