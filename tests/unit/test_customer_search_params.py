"""Which statement answers a customer search, and the bounds of a prefix range (pure functions of
``infrastructure.customers.queries``; the statements themselves run in tests/integration)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from application.customers.ports import SEARCH_WINDOW
from infrastructure.customers.models import DENSE_EXPRESSION, dense
from infrastructure.customers.queries import Match, prefix_range, search_params
from interfaces.http.errors import _missing_parameter


def test_each_kind_of_needle_has_its_statement() -> None:
    assert search_params(None) == (Match.ALL, {})
    assert search_params("") == (Match.ALL, {})
    assert search_params("+31612345678", whole_phone=True) == (Match.PHONE, {"phone": "+31612345678"})
    assert search_params("s") == (Match.PREFIX, {"low": "s", "high": "t"})
    assert search_params("an") == (Match.PREFIX, {"low": "an", "high": "ao"})
    assert search_params("jan") == (Match.CONTAINS, {"q": "%jan%", "dense": "%jan%", "window": SEARCH_WINDOW})
    taken_literally = {"q": "%5!%!_!!%", "dense": "%5!%q!!%", "window": SEARCH_WINDOW}
    assert search_params("5%_!") == (Match.CONTAINS, taken_literally)
    across = {"q": "%a.d o'n%", "dense": "%aqdqoqn%", "window": SEARCH_WINDOW}  # spaces and punctuation as q
    assert search_params("a.d o'n") == (Match.CONTAINS, across)


def test_a_prefix_range_skips_the_surrogates_and_ends_at_the_last_code_point() -> None:
    assert prefix_range("a\ud7ff") == ("a\ud7ff", "a\ue000")
    assert prefix_range("z") == ("z", "{")
    assert prefix_range("a\U0010ffff") is None
    the_start = {"q": "\U0010ffff%", "dense": "\U0010ffff%", "window": SEARCH_WINDOW}
    assert search_params("\U0010ffff") == (Match.CONTAINS, the_start)


@given(
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=3),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=6),
)
def test_the_range_holds_exactly_the_texts_that_start_with_the_needle(needle: str, text: str) -> None:
    bounds = prefix_range(needle)
    if bounds is None:
        return
    low, high = (bound.encode() for bound in bounds)
    encoded = text.encode()  # PostgreSQL's "C" collation and SQLite's BINARY compare the UTF-8 bytes
    assert (low <= encoded < high) == text.startswith(needle)
    joined = (needle + text).encode()
    assert low <= joined < high


def test_a_missing_parameter_is_named_like_the_other_refused_ones() -> None:
    assert _missing_parameter("Missing required query parameter 'date' for path /api/availability?x=1") == [
        {"key": "query.date", "message": "is missing: this field is required"}
    ]
    assert _missing_parameter("Missing required header parameter 'Idempotency-Key' for path /api/orders") == [
        {"key": "header.idempotency-key", "message": "is missing: this field is required"}
    ]
    assert _missing_parameter("The request is not valid.") is None


@given(st.text(max_size=40), st.text(min_size=1, max_size=6))
def test_a_needle_in_a_text_stays_in_it_once_both_are_dense(text: str, needle: str) -> None:
    """The trigram index reads ``search_dense``: whatever contains the needle must contain it
    there too (a q standing for a dot may match more, which the real text then refuses)."""
    if needle in text:
        assert dense(needle) in dense(text)


def test_the_migration_writes_search_dense_as_the_model_does() -> None:
    path = Path(__file__).parents[2] / "alembic" / "versions" / "0010_customers_search_dense.py"
    spec = importlib.util.spec_from_file_location("search_dense_migration", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.DENSE == DENSE_EXPRESSION
    assert dense("A.d o'n-x_y+3@e") == "Aqdqoqnqxqyq3qe"
