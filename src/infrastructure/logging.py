"""structlog set-up: JSON lines on stdout in production, readable console output in development.

The application's own events never touch the standard library's ``logging``: a filtering wrapper
drops an event below the level before any processor runs, the processors add the context (the
request id), level, logger name and time and redact secrets, msgspec renders the line to bytes, and
one ``write`` plus ``flush`` hands it to stdout (no line is left in a buffer at a crash).

Standard-library loggers (uvicorn, SQLAlchemy, alembic) still go through ``logging``, to a handler
whose formatter runs the same processors and the same encoder, so every line has one shape and
passes the same redaction.

Loggers are cached on first use, so what ``configure_logging`` decides (level, renderer, output
stream) lives in one module-level state read at every call: configuring again (the CLI, then the
server it starts, or a test) changes what already-cached loggers do.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any, TextIO

import msgspec
import structlog

# Any key containing one of these (case-insensitive) is redacted, at any depth of the event.
SENSITIVE_KEY_PARTS = ("password", "passwd", "token", "secret", "authorization", "cookie", "api_key", "apikey")
SENSITIVE_KEYS = frozenset({"body", "database_url", "redis_url", "dsn"})
REDACTED = "[REDACTED]"
_MAX_DEPTH = 6
_KEY_CACHE_LIMIT = 4096

_DEBUG, _INFO, _WARNING, _ERROR, _CRITICAL = (
    logging.DEBUG,
    logging.INFO,
    logging.WARNING,
    logging.ERROR,
    logging.CRITICAL,
)

# Keys already found harmless: log keys are a small, fixed vocabulary, and every key of every line
# is checked, so a set difference (in C) leaves only the new or sensitive ones to look at. Bounded,
# because nested keys can come from data.
_harmless_keys: set[str] = set()


def is_sensitive_key(key: object) -> bool:
    if not isinstance(key, str):
        return False
    if key in _harmless_keys:
        return False
    lowered = key.lower()
    if lowered in SENSITIVE_KEYS or any(part in lowered for part in SENSITIVE_KEY_PARTS):
        return True
    if len(_harmless_keys) < _KEY_CACHE_LIMIT:
        _harmless_keys.add(key)
    return False


def _redact(value: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {k: REDACTED if is_sensitive_key(k) else _redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact(item, depth + 1) for item in value)
    return value


_CONTAINERS = (dict, list, tuple)
_SCALARS = frozenset({str, int, float, bool, type(None)})


def redact_sensitive(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in event_dict.keys() - _harmless_keys:
        if is_sensitive_key(key):
            event_dict[key] = REDACTED
    if _SCALARS.issuperset(map(type, event_dict.values())):
        return event_dict  # the common line: nothing nested to look into
    nested = [key for key, value in event_dict.items() if isinstance(value, _CONTAINERS)]
    for key in nested:
        event_dict[key] = _redact(event_dict[key], 1)
    return event_dict


class _UtcTimestamp:
    """``timestamp``: the time now in UTC as ISO 8601 with a ``Z`` (``2026-01-31T12:00:00.123456Z``),
    exactly what structlog's ``TimeStamper(fmt="iso", utc=True)`` writes, with the date and time
    of day formatted once per second instead of once per line."""

    __slots__ = ("_prefix", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(self, _: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        second, nanoseconds = divmod(time.time_ns(), 1_000_000_000)
        if second != self._second:
            self._prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second = second
        micro = nanoseconds // 1000
        # datetime.isoformat leaves the fraction out when it is zero.
        event_dict["timestamp"] = f"{self._prefix}.{micro:06d}Z" if micro else f"{self._prefix}Z"
        return event_dict


def _encode_fallback(value: Any) -> Any:
    """What msgspec cannot encode is written as structlog's JSON renderer writes it."""
    to_structlog = getattr(value, "__structlog__", None)
    if to_structlog is not None:
        return to_structlog()
    return repr(value)


_encode = msgspec.json.Encoder(enc_hook=_encode_fallback).encode


def render_json_line(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> bytes:
    """The final processor in JSON mode: one compact JSON object and its newline, as bytes."""
    return _encode(event_dict) + b"\n"


def _render_json_text(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> str:
    """The same line for the standard-library formatter, which wants text (without the newline)."""
    return _encode(event_dict).decode()


_Render = Callable[[Any, str, MutableMapping[str, Any]], str | bytes]


class _Output:
    """What ``configure_logging`` decided, read by every cached logger at every call."""

    __slots__ = ("level", "render", "stream", "text")

    def __init__(self) -> None:
        self.level = _INFO
        self.render: _Render = render_json_line
        self.text: TextIO = sys.stdout
        self.stream: IO[bytes] | None = None


_output = _Output()


def _finish(logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> str | bytes:
    return _output.render(logger, method_name, event_dict)


class LineLogger:
    """The wrapped logger: writes each rendered line whole and flushes it. Its ``name`` is the
    logger name in every line."""

    __slots__ = ("name",)

    def __init__(self, name: str = "") -> None:
        self.name = name

    def msg(self, line: str | bytes) -> None:
        try:
            if type(line) is bytes and _output.stream is not None:
                stream = _output.stream
                stream.write(line)
                stream.flush()
            else:
                text = _output.text
                text.write(line.decode() if isinstance(line, bytes) else line + "\n")
                text.flush()
        except (OSError, ValueError):  # stdout closed or gone: as logging's handlers, never raise
            pass

    debug = info = warning = warn = error = critical = fatal = exception = log = msg


def _logger_factory(*args: Any) -> LineLogger:
    return LineLogger(args[0] if args and isinstance(args[0], str) else "")


def _filtered(level: int, method: str) -> Callable[..., Any]:
    def emit(self: structlog.BoundLoggerBase, event: str, *args: Any, **kw: Any) -> Any:
        if level < _output.level:
            return None
        return self._proxy_to_logger(method, event % args if args else event, **kw)

    emit.__name__ = method
    return emit


class FilteringLogger(structlog.BoundLoggerBase):
    """The bound logger: an event below the configured level returns before any processor runs.

    structlog's ``make_filtering_bound_logger`` does the same with the level fixed when a logger is
    first used; here the level is read at each call, so reconfiguring reaches cached loggers too.
    """

    debug = _filtered(_DEBUG, "debug")
    info = msg = _filtered(_INFO, "info")
    warning = warn = _filtered(_WARNING, "warning")
    error = _filtered(_ERROR, "error")
    critical = fatal = _filtered(_CRITICAL, "critical")

    def exception(self, event: str, *args: Any, **kw: Any) -> Any:
        if _output.level > _ERROR:
            return None
        kw.setdefault("exc_info", True)
        return self._proxy_to_logger("error", event % args if args else event, **kw)

    def log(self, level: int, event: str, *args: Any, **kw: Any) -> Any:
        if level < _output.level:
            return None
        name = logging.getLevelName(level).lower()
        return self._proxy_to_logger(name, event % args if args else event, **kw)

    def is_enabled_for(self, level: int) -> bool:
        return level >= _output.level

    def get_effective_level(self) -> int:
        return _output.level


def _shared_processors() -> list[structlog.typing.Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _UtcTimestamp(),
        redact_sensitive,
    ]


def _native_processors() -> list[structlog.typing.Processor]:
    # ExtraAdder only reads standard-library records; our own events carry none.
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        _UtcTimestamp(),
        redact_sensitive,
        structlog.processors.StackInfoRenderer(),
        _finish,
    ]


def _byte_stream(text: TextIO) -> IO[bytes] | None:
    """The binary stream under ``text`` (stdout), or None where there is none (a plain StringIO)."""
    buffer = getattr(text, "buffer", None)
    if buffer is None or getattr(text, "encoding", "utf-8").lower().replace("-", "") not in ("utf8", "ascii"):
        return None
    return buffer  # type: ignore[no-any-return]


@contextmanager
def configuration_restored() -> Iterator[None]:
    """The level, renderer and output stream that ``configure_logging`` sets are put back on exit:
    for tests, where one test's configuration (a CLI command's WARNING level, say) must not decide
    what the next test's loggers drop. structlog's own configuration is left alone: loggers cached
    on first use keep the processor list they were made with, which ``structlog.testing``
    captures in place."""
    saved = (_output.level, _output.render, _output.text, _output.stream)
    try:
        yield
    finally:
        _output.level, _output.render, _output.text, _output.stream = saved


def configure_logging(*, level: str = "INFO", json: bool = True) -> None:
    """Idempotent: the CLI and every server worker call it once at start-up."""
    renderer: structlog.typing.Processor
    exception_processor: structlog.typing.Processor
    render: _Render
    if json:
        renderer = _render_json_text
        # Structured tracebacks without local variables: locals can hold passwords and tokens.
        exceptions = structlog.processors.ExceptionRenderer(
            structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
        )
        exception_processor = exceptions

        def render(logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> str | bytes:
            if "exc_info" in event_dict:
                event_dict = exceptions(logger, method_name, event_dict)
            return render_json_line(logger, method_name, event_dict)

    else:
        # Plain tracebacks: the rich formatter prints local variables, which can hold secrets.
        console = structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
        renderer = console
        exception_processor = structlog.processors.StackInfoRenderer()
        render = console

    text = sys.stdout
    text.flush()  # whatever was written as text goes out before the first line written as bytes
    _output.level = logging.getLevelNamesMapping()[level.upper()]
    _output.render = render
    _output.text = text
    _output.stream = _byte_stream(text)

    structlog.configure(
        processors=_native_processors(),
        logger_factory=_logger_factory,
        wrapper_class=FilteringLogger,
        cache_logger_on_first_use=True,
    )

    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            exception_processor,
            renderer,
        ],
    )
    handler = logging.StreamHandler(text)
    handler.setFormatter(formatter)

    root = logging.getLogger()
    root.handlers.clear()
    root.addHandler(handler)
    root.setLevel(level)

    # uvicorn's own access log would duplicate ours and bypass redaction; its error log is kept.
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
    # SQL echo is configured per engine; keep the library loggers from doubling output.
    logging.getLogger("sqlalchemy.engine.Engine").propagate = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
