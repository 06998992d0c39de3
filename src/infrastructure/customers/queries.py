"""The customers context's query services: each read is one SQL statement (SQLAlchemy Core,
built once at import), the tenant filter inside it. ``q`` is ``search_text LIKE '%needle%'``:
on PostgreSQL the trigram GIN index ``ix_customers_search_text_trgm`` answers it; SQLite scans."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Select, Table, and_, bindparam, func, select

from application.customers.views import CustomerAddressOut, CustomerOut, CustomerRowOut
from application.shared.pagination import Page, PageRequest
from infrastructure.customers.models import CustomerAddressModel, CustomerModel
from infrastructure.db.reads import SqlReads

_customers: Table = CustomerModel.__table__  # type: ignore[assignment]
_addresses: Table = CustomerAddressModel.__table__  # type: ignore[assignment]

_ADDRESS_COLUMNS = (
    _addresses.c.id,
    _addresses.c.name,
    _addresses.c.phone,
    _addresses.c.line1,
    _addresses.c.line2,
    _addresses.c.city,
    _addresses.c.postal_code,
    _addresses.c.country,
)
_CUSTOMER = (
    select(
        _customers.c.id,
        _customers.c.full_name,
        _customers.c.email,
        _customers.c.phone,
        _customers.c.notes,
        _customers.c.marketing_consent,
        _customers.c.marketing_consent_at,
        _customers.c.created_at,
        *_ADDRESS_COLUMNS,
    )
    .select_from(
        _customers.outerjoin(
            _addresses,
            and_(_addresses.c.vendor_id == _customers.c.vendor_id, _addresses.c.customer_id == _customers.c.id),
        )
    )
    .where(_customers.c.vendor_id == bindparam("vendor_id"), _customers.c.id == bindparam("customer_id"))
    .order_by(_addresses.c.position, _addresses.c.id)
)

LIKE_ESCAPE = "!"
_ROW_COLUMNS = (
    _customers.c.id,
    _customers.c.full_name,
    _customers.c.email,
    _customers.c.phone,
    _customers.c.marketing_consent,
    _customers.c.created_at,
)


# A needle this short has no whole trigram to look up: it matches the start of the search text
# (the name's start), which the trigram index answers through its padded word-start trigrams.
MIN_CONTAINS_LENGTH = 3


def _where(by_text: bool) -> tuple[Any, ...]:
    where: list[Any] = [_customers.c.vendor_id == bindparam("vendor_id")]
    if by_text:
        where.append(_customers.c.search_text.like(bindparam("q"), escape=LIKE_ESCAPE))
    return tuple(where)


def _page(by_text: bool) -> Select[Any]:
    if not by_text:
        # The total from the index alone (an index-only count), not a window over every customer.
        total = select(func.count()).select_from(_customers).where(*_where(False)).scalar_subquery()
        return (
            select(*_ROW_COLUMNS, total.label("total"))
            .where(*_where(False))
            .order_by(_customers.c.full_name, _customers.c.id)
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
        )
    # The matches first, on their own (MATERIALIZED): planned without the LIMIT, PostgreSQL takes
    # them from the trigram index, then counts and sorts only those. Written as one statement with
    # the LIMIT, it walks the name index and filters every customer of the shop to find them.
    matched = select(*_ROW_COLUMNS).where(*_where(True)).cte("matched").prefix_with("MATERIALIZED")
    return (
        select(*matched.c, func.count().over().label("total"))
        .order_by(matched.c.full_name, matched.c.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


_PAGES = {by_text: _page(by_text) for by_text in (False, True)}
_COUNTS = {by_text: select(func.count()).select_from(_customers).where(*_where(by_text)) for by_text in (False, True)}


def search_pattern(needle: str) -> str:
    """``needle`` anywhere (at the start when shorter than ``MIN_CONTAINS_LENGTH``), its own ``%``,
    ``_`` and ``!`` taken literally (``!`` escapes: a backslash is spelled differently under
    different string settings)."""
    escaped = needle.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
    escaped = escaped.replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"{escaped}%" if len(needle) < MIN_CONTAINS_LENGTH else f"%{escaped}%"


def search_statement(by_text: bool) -> Select[Any]:
    """The list statement (for the benchmark script and the plan check)."""
    return _PAGES[by_text]


class SqlCustomerQueries:
    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def get(self, vendor_id: UUID, customer_id: UUID) -> CustomerOut | None:
        rows = await self._reads.rows(_CUSTOMER, {"vendor_id": vendor_id, "customer_id": customer_id})
        if not rows:
            return None
        first = rows[0]
        addresses = [CustomerAddressOut(*row[8:16]) for row in rows if row[8] is not None]
        return CustomerOut(
            id=first[0],
            full_name=first[1],
            email=first[2],
            phone=first[3],
            notes=first[4],
            marketing_consent=first[5],
            marketing_consent_at=first[6],
            addresses=addresses,
            created_at=first[7],
        )

    async def page(self, vendor_id: UUID, page: PageRequest, needle: str | None) -> Page[CustomerRowOut]:
        by_text = bool(needle)
        params: dict[str, Any] = {"vendor_id": vendor_id}
        if needle:
            params["q"] = search_pattern(needle)
        rows, total = await self._reads.page(_PAGES[by_text], _COUNTS[by_text], params, page)
        return Page(items=_rows(rows), total=total, limit=page.limit, offset=page.offset)


def _rows(rows: Sequence[Sequence[Any]]) -> list[CustomerRowOut]:
    return [CustomerRowOut(row[0], row[1], row[2], row[3], row[4], row[5]) for row in rows]
