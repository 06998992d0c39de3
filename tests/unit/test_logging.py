"""Logging: JSON lines on stdout naming the request id, sensitive values redacted."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import structlog

from infrastructure.logging import REDACTED, configure_logging, redact_sensitive

PASSWORD = "Pw-Canary-91x7-Hunter2"
_TOUCHED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy.engine.Engine")


@contextmanager
def isolated_logging() -> Iterator[None]:
    """Undo configure_logging within the same test phase, so pytest's own log handlers stay intact."""
    root = logging.getLogger()
    saved_root = (list(root.handlers), root.level)
    saved_loggers = {
        name: (list(lg.handlers), lg.propagate, lg.disabled)
        for name, lg in ((n, logging.getLogger(n)) for n in _TOUCHED_LOGGERS)
    }
    saved_structlog = structlog.get_config()
    try:
        yield
    finally:
        structlog.contextvars.clear_contextvars()
        structlog.configure(**saved_structlog)
        root.handlers[:] = saved_root[0]
        root.setLevel(saved_root[1])
        for name, (handlers, propagate, disabled) in saved_loggers.items():
            lg = logging.getLogger(name)
            lg.handlers[:] = handlers
            lg.propagate = propagate
            lg.disabled = disabled


def json_lines(out: str) -> list[dict[str, Any]]:
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines, "nothing was logged to stdout"
    return [json.loads(line) for line in lines]


# --- redact_sensitive -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "Password",
        "PASSWORD",
        "new_password",
        "current_password",
        "token",
        "access_token",
        "refresh_token",
        "authorization",
        "Authorization",
        "cookie",
        "Cookie",
        "set-cookie",
        "Set-Cookie",
        "secret_key",
        "database_url",
        "redis_url",
        "metrics_token",
    ],
)
def test_sensitive_values_are_redacted(key: str) -> None:
    event = {"event": "login", key: PASSWORD, "user_id": "u-1"}
    result = redact_sensitive(None, "info", event)

    assert result[key] == REDACTED
    assert PASSWORD not in json.dumps(result)
    assert result["event"] == "login"
    assert result["user_id"] == "u-1"


def test_other_values_are_kept() -> None:
    event = {"event": "order_placed", "order_id": "o-1", "status": 201, "path": "/api/orders", "email": "a@b.c"}
    assert redact_sensitive(None, "info", dict(event)) == event


def test_redaction_keeps_every_key() -> None:
    result = redact_sensitive(None, "info", {"event": "x", "password": "p", "token": "t", "n": 1})
    assert set(result) == {"event", "password", "token", "n"}
    assert result["n"] == 1


# --- configure_logging ------------------------------------------------------------------------


def test_json_log_line_has_event_level_timestamp_and_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    with isolated_logging():
        configure_logging(json=True)
        structlog.contextvars.bind_contextvars(request_id="req-json-1")
        structlog.stdlib.get_logger("flower_vendor.test").info("user_logged_in", password=PASSWORD, user_id="u-42")
        out = capsys.readouterr().out

    (line,) = json_lines(out)
    assert line["event"] == "user_logged_in"
    assert line["level"] == "info"
    assert line["timestamp"].endswith("Z")
    assert line["timestamp"][:4].isdigit()
    assert line["request_id"] == "req-json-1"
    assert line["user_id"] == "u-42"
    assert line["password"] == REDACTED
    assert PASSWORD not in out


def test_stdlib_loggers_share_the_json_shape_and_redaction(capsys: pytest.CaptureFixture[str]) -> None:
    with isolated_logging():
        configure_logging(json=True)
        structlog.contextvars.bind_contextvars(request_id="req-json-2")
        logging.getLogger("uvicorn.error").warning(
            "worker_started", extra={"authorization": f"Bearer {PASSWORD}", "pid": 7}
        )
        out = capsys.readouterr().out

    (line,) = json_lines(out)
    assert line["event"] == "worker_started"
    assert line["level"] == "warning"
    assert "timestamp" in line
    assert line["request_id"] == "req-json-2"
    assert line["authorization"] == REDACTED
    assert line["pid"] == 7
    assert PASSWORD not in out


def test_level_filters_lower_records(capsys: pytest.CaptureFixture[str]) -> None:
    with isolated_logging():
        configure_logging(level="WARNING", json=True)
        log = structlog.stdlib.get_logger("flower_vendor.test")
        log.info("quiet")
        log.warning("loud")
        out = capsys.readouterr().out

    assert [line["event"] for line in json_lines(out)] == ["loud"]


def test_configuring_twice_does_not_duplicate_lines(capsys: pytest.CaptureFixture[str]) -> None:
    with isolated_logging():
        configure_logging(json=True)
        configure_logging(json=True)
        structlog.stdlib.get_logger("flower_vendor.test").info("once")
        out = capsys.readouterr().out

    assert [line["event"] for line in json_lines(out)] == ["once"]


def test_uvicorn_access_log_is_silenced(capsys: pytest.CaptureFixture[str]) -> None:
    with isolated_logging():
        configure_logging(json=True)
        logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /?token=%s HTTP/1.1" 200', PASSWORD)
        out = capsys.readouterr().out

    assert out == ""


def test_console_mode_also_redacts(capsys: pytest.CaptureFixture[str]) -> None:
    with isolated_logging():
        configure_logging(json=False)
        structlog.stdlib.get_logger("flower_vendor.test").info("console_event", password=PASSWORD)
        out = capsys.readouterr().out

    assert "console_event" in out
    assert PASSWORD not in out


def _login(email: str, password: str) -> None:
    raise ValueError(f"no user {email}")


def test_exception_logs_never_contain_local_variable_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    with isolated_logging():
        configure_logging(json=True)
        log = structlog.stdlib.get_logger("flower_vendor.test")
        try:
            _login("a@example.com", PASSWORD)
        except ValueError:
            log.exception("login_crashed")
        out = capsys.readouterr().out

    (line,) = json_lines(out)
    assert line["event"] == "login_crashed"
    assert "exception" in line
    assert PASSWORD not in out


class _Untouchable(dict[str, Any]):
    """A value that fails the moment any processor looks into it."""

    def items(self) -> Any:
        raise AssertionError("a processor ran for an event below the level")


def test_events_below_the_level_run_no_processor(capsys: pytest.CaptureFixture[str]) -> None:
    with isolated_logging():
        configure_logging(level="WARNING", json=True)
        log = structlog.stdlib.get_logger("flower_vendor.test")
        log.debug("quiet", value=_Untouchable(a=1))
        log.info("quiet", value=_Untouchable(a=1))
        log.warning("loud")
        out = capsys.readouterr().out

    assert [line["event"] for line in json_lines(out)] == ["loud"]


def test_configuring_again_reaches_loggers_already_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with isolated_logging():
        configure_logging(level="INFO", json=True)
        log = structlog.stdlib.get_logger("flower_vendor.test")
        log.info("first")  # the proxy caches its logger here
        configure_logging(level="WARNING", json=True)
        log.info("quiet")
        log.warning("loud")
        out = capsys.readouterr().out

    assert [line["event"] for line in json_lines(out)] == ["first", "loud"]
