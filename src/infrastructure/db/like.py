"""``LIKE`` patterns that take the searched text literally, for every context's search: its own
``%`` and ``_`` (and the escape character) escaped with ``!``, a character spelled the same under
every string setting of PostgreSQL and SQLite (unlike a backslash)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, bindparam

LIKE_ESCAPE = "!"


def like_pattern(text: str) -> str:
    """``text`` anywhere, its own ``%``, ``_`` and ``!`` taken literally."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"


def like(column: Any, parameter: str) -> ColumnElement[bool]:
    """``column LIKE :parameter``, the parameter a ``like_pattern`` (or one cut from it)."""
    return column.like(bindparam(parameter), escape=LIKE_ESCAPE)  # type: ignore[no-any-return]
