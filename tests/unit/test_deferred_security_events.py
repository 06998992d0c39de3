"""The deferred security event writer without a database: the log line it writes carries the whole
event through the real JSON log pipeline and reads back as the same event; the queue is bounded;
an event whose database never answers stays queued and is named at shutdown."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from application.shared.security_events import SecurityEvent, SecurityEventKind
from infrastructure.accounts.deferred_events import (
    DEFERRED_MARKER,
    DeferredEventLogReader,
    DeferredSecurityEventWriter,
    deferred_fields,
    event_from_deferred,
)
from infrastructure.logging import configure_logging
from tests.unit.test_logging import isolated_logging


class _Unreachable:
    """A session factory whose database never answers."""

    def __call__(self) -> Any:
        raise ConnectionRefusedError("the database is down")


def _event(**overrides: Any) -> SecurityEvent:
    fields: dict[str, Any] = {
        "kind": SecurityEventKind.LOGOUT,
        "at": datetime(2026, 1, 5, 10, 1, 2, 345678, tzinfo=UTC),
        "client_ip": "203.0.113.7",
        "request_id": "req-logout-1",
        "vendor_id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "detail": {"sessions": [str(uuid.uuid4())]},
    }
    return SecurityEvent(**{**fields, **overrides})


def _lines(out: str, event: str) -> list[dict[str, Any]]:
    parsed = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [line for line in parsed if line["event"] == event]


async def test_a_deferred_event_is_logged_with_every_field_and_reads_back_the_same(
    capsys: pytest.CaptureFixture[str],
) -> None:
    writer = DeferredSecurityEventWriter(_Unreachable(), retry_seconds=3600)  # type: ignore[arg-type]
    event = _event()
    with isolated_logging():
        configure_logging(json=True)
        await writer.defer(event)
        await writer.aclose()
        out = capsys.readouterr().out

    [line] = _lines(out, DEFERRED_MARKER)
    assert line["level"] == "warning"
    restored = event_from_deferred(line)
    assert restored.id is not None  # given at deferral, so a retry and a replay store it once
    assert restored == dataclasses.replace(event, id=restored.id)
    [still] = _lines(out, "security_event_still_deferred")
    assert still["event_id"] == str(restored.id)
    assert writer.pending == 1


def test_fields_round_trip_without_a_shop_or_a_user() -> None:
    event = _event(id=uuid.uuid4(), vendor_id=None, user_id=None, detail={})
    line = {"event": DEFERRED_MARKER, **json.loads(json.dumps(deferred_fields(event)))}
    assert event_from_deferred(line) == event


@pytest.mark.parametrize(
    "change",
    [
        {"event": "security_event"},
        {"kind": "NOT_A_KIND"},
        {"event_id": "not-a-uuid"},
        {"at": "2026-01-05T10:01:02"},  # no time zone
        {"detail": ["not", "an", "object"]},
    ],
)
def test_a_line_that_does_not_carry_an_event_is_refused(change: dict[str, Any]) -> None:
    line = {"event": DEFERRED_MARKER, **deferred_fields(_event(id=uuid.uuid4())), **change}
    with pytest.raises(ValueError):  # noqa: PT011 - each of these is a ValueError of its own
        event_from_deferred(line)


async def test_the_queue_is_bounded_and_the_oldest_is_left_to_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    writer = DeferredSecurityEventWriter(_Unreachable(), retry_seconds=3600, max_pending=2)  # type: ignore[arg-type]
    with isolated_logging():
        configure_logging(json=True)
        for i in range(3):
            await writer.defer(_event(request_id=f"req-{i}"))
        out = capsys.readouterr().out
    try:
        assert writer.pending == 2
        assert len(_lines(out, DEFERRED_MARKER)) == 3  # every one is in the log
        [full] = _lines(out, "security_event_queue_full")
        assert full["dropped_event_id"] == _lines(out, DEFERRED_MARKER)[0]["event_id"]
    finally:
        await writer.aclose()


async def test_storing_while_the_database_is_down_keeps_the_events() -> None:
    writer = DeferredSecurityEventWriter(_Unreachable(), retry_seconds=3600)  # type: ignore[arg-type]
    await writer.defer(_event())
    with pytest.raises(ConnectionRefusedError):
        await writer.store_pending()
    assert writer.pending == 1
    await writer.aclose()


def test_the_log_reader_takes_deferred_events_skips_other_lines_and_counts_broken_ones() -> None:
    first, second = _event(id=uuid.uuid4()), _event(id=uuid.uuid4(), kind=SecurityEventKind.LOGOUT_ALL)

    def line(event: SecurityEvent) -> str:
        return json.dumps({"event": DEFERRED_MARKER, **deferred_fields(event)})

    broken = json.dumps({"event": DEFERRED_MARKER, **deferred_fields(_event(id=uuid.uuid4())), "at": "yesterday"})
    read = DeferredEventLogReader().read(
        [
            '{"event": "request", "path": "/api/auth/logout"}',
            f"2026-01-05T10:01:02Z {line(first)}",  # a shipper's prefix before the JSON object
            f'{{"event": "request", "note": "mentions {DEFERRED_MARKER}"}}',  # skipped, not unreadable
            f"{DEFERRED_MARKER} without any JSON",
            broken,
            line(second),
        ]
    )
    assert read.events == [first, second]
    assert read.unreadable == 2
