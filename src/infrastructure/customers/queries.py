"""The customers context's query services: each read is one SQL statement (SQLAlchemy Core,
built once at import), the tenant filter inside it. ``q`` of three characters or more is
``search_text LIKE '%needle%'``, answered up to ``SEARCH_WINDOW`` matches (on PostgreSQL the shop's
trigram GIN index ``ix_customers_vendor_search_trgm`` finds a rare needle, a walk of the ordered
index fills the window for a broad one; SQLite reads the ordered index through); a shorter one is
the start of the name, a range of the ordered index ``ix_customers_vendor_search``; a whole phone
number is looked up in ``ix_customers_vendor_phone``."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Integer, Select, Table, and_, bindparam, func, literal_column, select, union_all

from application.customers.ports import SEARCH_WINDOW
from application.customers.views import CustomerAddressOut, CustomerOut, CustomerRowOut
from application.shared.pagination import Page, PageRequest
from infrastructure.customers.models import CustomerAddressModel, CustomerModel, dense
from infrastructure.db.like import like, like_pattern
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

_ROW_COLUMNS = (
    _customers.c.id,
    _customers.c.full_name,
    _customers.c.email,
    _customers.c.phone,
    _customers.c.marketing_consent,
    _customers.c.created_at,
)
# The list's order: the case-folded name (the search text starts with it), then email and phone,
# then the id. ``search_text`` is compared byte by byte (``COLLATE "C"`` on PostgreSQL, SQLite's
# BINARY), so ``ix_customers_vendor_search`` (vendor_id, search_text, id) walks a page in order
# and answers a prefix as a range of itself.
_ORDER = (_customers.c.search_text, _customers.c.id)

# A needle this short has no whole trigram to look up: it matches the start of the search text
# (the name's start), a range of the ordered index.
MIN_CONTAINS_LENGTH = 3


class Match(enum.Enum):
    """How ``q`` narrows the list, each answered by its own statement."""

    ALL = "all"  # no q: walk the ordered index, count it index-only
    PHONE = "phone"  # a whole E.164 number: the customers with that phone (ix_customers_vendor_phone)
    PREFIX = "prefix"  # one or two characters: a range of the ordered index, for the page and the count
    CONTAINS = "contains"  # anywhere: the trigram index or a walk of the ordered index, as the needle asks


def _where(match: Match, table: Any = _customers) -> tuple[Any, ...]:
    where: list[Any] = [table.c.vendor_id == bindparam("vendor_id")]
    if match is Match.PHONE:
        where.append(table.c.phone == bindparam("phone"))
    elif match is Match.PREFIX:
        where += [table.c.search_text >= bindparam("low"), table.c.search_text < bindparam("high")]
    elif match is Match.CONTAINS:
        where.append(like(table.c.search_text, "q"))
    return tuple(where)


def _count(match: Match) -> Select[Any]:
    if match is Match.CONTAINS:  # up to one past the window: enough to say whether it stopped
        return select(func.count().label("n")).select_from(_found().subquery("found"))
    counted = _customers.alias("counted")
    return select(func.count()).select_from(counted).where(*_where(match, counted))


def _found() -> Select[Any]:
    """A needle's matches, at most one past the window, in no particular order: PostgreSQL reads
    a rare needle's few through the trigram index and stops a broad one's walk (or scan) once the
    window is full, so no search reads every one of the shop's customers."""
    found = _customers.alias("found")
    return (
        select(found.c.id, found.c.search_text)
        # the dense text first: the trigram index's column; the real text then decides
        .where(*_where(Match.CONTAINS, found), like(found.c.search_dense, "dense"))
        .limit(bindparam("window", type_=Integer) + literal_column("1"))
    )


def _page(match: Match) -> Select[Any]:
    if match is Match.CONTAINS:
        return _contains_page()
    total = _count(match).scalar_subquery().correlate(None).label("total")
    return (
        select(*_ROW_COLUMNS, total)
        .where(*_where(match))
        .order_by(*_ORDER)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def _contains_page() -> Select[Any]:
    """One statement: the matches up to one past the window (a MATERIALIZED CTE, found once),
    counted; then the page taken the way that count makes cheap, only one branch running (a
    PostgreSQL one-time filter). Within the window, the found matches are every match: the page is
    sorted from them. Past it, the window is the first matches in list order, and a walk of the
    ordered index ``ix_customers_vendor_search`` (the filter read off its entries) finds the page
    within its first entries. ``total`` is the count, at most one past the window."""
    found = _found().cte("found").prefix_with("MATERIALIZED")
    total = select(func.count().label("n")).select_from(found).cte("total").prefix_with("MATERIALIZED")
    n = select(total.c.n).scalar_subquery()
    walked = _customers.alias("walked")
    from_found = select(found.c.id).where(n <= bindparam("window")).order_by(found.c.search_text, found.c.id)
    from_walk = (
        select(walked.c.id)
        .where(*_where(Match.CONTAINS, walked), n > bindparam("window"))
        .order_by(walked.c.search_text, walked.c.id)
    )
    branches = [
        branch.limit(bindparam("limit")).offset(bindparam("offset")).subquery(name)
        for branch, name in ((from_found, "from_found"), (from_walk, "from_walk"))
    ]
    page = union_all(*(select(branch.c.id) for branch in branches)).subquery("page")
    return (
        select(*_ROW_COLUMNS, n.label("total"))
        .where(_customers.c.vendor_id == bindparam("vendor_id"), _customers.c.id.in_(select(page.c.id)))
        .order_by(*_ORDER)
    )


_PAGES = {match: _page(match) for match in Match}
_COUNTS = {match: _count(match) for match in Match}


def prefix_range(needle: str) -> tuple[str, str] | None:
    """The texts starting with ``needle`` as the range ``[needle, after)`` in code point (= UTF-8
    byte) order: ``after`` is ``needle`` with its last character moved on by one (past the
    surrogates, which no text holds). None when no character follows (U+10FFFF)."""
    last = ord(needle[-1]) + 1
    if last == 0xD800:
        last = 0xE000
    if last > 0x10FFFF:
        return None
    return needle, needle[:-1] + chr(last)


_WINDOW = {"window": SEARCH_WINDOW}


def search_params(needle: str | None, *, whole_phone: bool = False) -> tuple[Match, dict[str, Any]]:
    """Which statement answers ``needle``, and its parameters (without the shop's id and the page)."""
    if not needle:
        return Match.ALL, {}
    if whole_phone:
        return Match.PHONE, {"phone": needle}
    if len(needle) < MIN_CONTAINS_LENGTH:
        bounds = prefix_range(needle)
        if bounds is not None:
            return Match.PREFIX, {"low": bounds[0], "high": bounds[1]}
        # the start: LIKE 'x%'
        return Match.CONTAINS, {"q": like_pattern(needle)[1:], "dense": like_pattern(dense(needle))[1:], **_WINDOW}
    return Match.CONTAINS, {"q": like_pattern(needle), "dense": like_pattern(dense(needle)), **_WINDOW}


def search_statement(match: Match) -> Select[Any]:
    """The list statement (for the benchmark script and the plan check)."""
    return _PAGES[match]


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

    async def page(
        self, vendor_id: UUID, page: PageRequest, needle: str | None, *, whole_phone: bool = False
    ) -> Page[CustomerRowOut]:
        match, params = search_params(needle, whole_phone=whole_phone)
        params["vendor_id"] = vendor_id
        if match is Match.CONTAINS:
            return await self._search(params, page)
        rows, total = await self._reads.page(_PAGES[match], _COUNTS[match], params, page)
        return Page(items=_rows(rows), total=total, limit=page.limit, offset=page.offset)

    async def _search(self, params: dict[str, Any], page: PageRequest) -> Page[CustomerRowOut]:
        """A search anywhere: its first ``SEARCH_WINDOW`` matches in list order, a page of them."""
        window: int = params["window"]
        rows: Sequence[Sequence[Any]] = []
        if page.offset < window:  # the page, cut at the window's end
            within = PageRequest(limit=min(page.limit, window - page.offset), offset=page.offset)
            rows, found = await self._reads.page(
                _PAGES[Match.CONTAINS], _COUNTS[Match.CONTAINS], params, within, search=True
            )
        else:  # past the window: nothing to show, only the count
            found = int((await self._reads.rows(_COUNTS[Match.CONTAINS], params, search=True))[0][0])
        return Page(
            items=_rows(rows),
            total=min(found, window),
            limit=page.limit,
            offset=page.offset,
            truncated=found > window,
        )


def _rows(rows: Sequence[Sequence[Any]]) -> list[CustomerRowOut]:
    return [CustomerRowOut(row[0], row[1], row[2], row[3], row[4], row[5]) for row in rows]
