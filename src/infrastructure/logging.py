"""structlog set-up: JSON lines on stdout in production, readable console output in development.

Standard-library loggers (uvicorn, SQLAlchemy, alembic) go through the same processors, so every
line has one shape and passes the same redaction.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# Any key containing one of these (case-insensitive) is redacted, at any depth of the event.
SENSITIVE_KEY_PARTS = ("password", "passwd", "token", "secret", "authorization", "cookie", "api_key", "apikey")
SENSITIVE_KEYS = frozenset({"body", "database_url", "redis_url", "dsn"})
REDACTED = "[REDACTED]"
_MAX_DEPTH = 6


def is_sensitive_key(key: object) -> bool:
    if not isinstance(key, str):
        return False
    lowered = key.lower()
    return lowered in SENSITIVE_KEYS or any(part in lowered for part in SENSITIVE_KEY_PARTS)


def _redact(value: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {k: REDACTED if is_sensitive_key(k) else _redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact(item, depth + 1) for item in value)
    return value


def redact_sensitive(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if is_sensitive_key(key):
            event_dict[key] = REDACTED
        elif isinstance(event_dict[key], dict | list | tuple):
            event_dict[key] = _redact(event_dict[key], 1)
    return event_dict


def _shared_processors() -> list[structlog.typing.Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_sensitive,
    ]


def configure_logging(*, level: str = "INFO", json: bool = True) -> None:
    """Idempotent: the CLI and every server worker call it once at start-up."""
    renderer: structlog.typing.Processor
    if json:
        renderer = structlog.processors.JSONRenderer()
        # Structured tracebacks without local variables: locals can hold passwords and tokens.
        exception_processor: structlog.typing.Processor = structlog.processors.ExceptionRenderer(
            structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
        )
    else:
        # Plain tracebacks: the rich formatter prints local variables, which can hold secrets.
        renderer = structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
        exception_processor = structlog.processors.StackInfoRenderer()

    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
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
    handler = logging.StreamHandler(sys.stdout)
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
