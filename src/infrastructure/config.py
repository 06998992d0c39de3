"""Settings read from the environment and validated before anything starts.

Every problem is collected and reported at once; a secret's value never appears in a message,
a repr or a log line.
"""

from __future__ import annotations

import enum
import ipaddress
import re
import secrets
from collections.abc import Callable, Mapping
from typing import NamedTuple

import msgspec
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEV_DATABASE_URL = "sqlite+aiosqlite:///./.data/flower-vendor.db"

# Values that appear in tutorials, templates and .env.example files. Compared case-insensitively
# as prefixes, so "change-me-please-0123..." is refused too.
KNOWN_PLACEHOLDER_PREFIXES = (
    "change-me",
    "changeme",
    "change_me",
    "your-secure-secret-key-here",
    "your-secret-key",
    "your_secret_key",
    "super-secret",
    "supersecret",
    "super_secret",
    "replace-me",
    "placeholder",
    "insecure",
)
MIN_SECRET_LENGTH = 32
MIN_DISTINCT_SECRET_CHARACTERS = 10

_ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_HOST_RE = re.compile(r"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$")
_ISOLATION_LEVELS = ("READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class Environment(enum.StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"
    DEVELOPMENT = "development"
    TEST = "test"


class Secret:
    """A value that must never be printed. ``reveal()`` is the only way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and secrets.compare_digest(
            self._value.encode("utf-8"), other._value.encode("utf-8")
        )

    def __hash__(self) -> int:
        return hash(self._value)


class ConfigProblem(NamedTuple):
    variable: str
    message: str

    def __str__(self) -> str:
        return f"{self.variable}: {self.message}"


class ConfigurationError(Exception):
    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in problems))


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    environment: Environment
    secret_key: Secret
    secret_key_previous: tuple[Secret, ...] = ()
    secret_key_generated: bool = False
    database_url: Secret
    redis_url: Secret | None = None
    redis_key_prefix: str = "fv:"
    redis_socket_timeout: float = 0.2
    enable_distributed_rate_limiting: bool = True
    require_secure_secrets: bool = True
    access_token_expire_minutes: int = 15
    refresh_token_expire_days: int = 7
    auth_rate_limit: int = 100
    api_rate_limit: int = 300
    authenticated_rate_limit: int = 1000
    trusted_proxies: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1")
    max_request_body_bytes: int = 1_048_576
    # Load shedding, slow clients and the server's front door, per worker process (README).
    max_concurrent_requests: int = 64
    body_read_timeout_seconds: float = 10.0
    max_header_bytes: int = 32_768
    header_read_timeout_seconds: float = 10.0
    max_connections: int = 1000
    db_pool_size: int = 10
    db_max_overflow: int = 20
    db_pool_timeout: float = 30.0
    db_pool_recycle: int = 3600
    db_pool_pre_ping: bool = True
    db_isolation_level: str = "READ COMMITTED"
    db_statement_timeout_ms: int = 30_000
    db_idle_in_transaction_timeout_ms: int = 60_000
    db_connect_timeout: float = 10.0
    metrics_token: Secret | None = None
    log_level: str = "INFO"
    log_format: str = "json"

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def is_development(self) -> bool:
        return self.environment is Environment.DEVELOPMENT

    @property
    def docs_enabled(self) -> bool:
        return self.environment in (Environment.DEVELOPMENT, Environment.STAGING)

    @property
    def debug(self) -> bool:
        return self.is_development

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.reveal().startswith("sqlite")


ASYNC_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


def with_async_driver(url: URL) -> URL:
    """``postgresql://`` is accepted and used through asyncpg; ``sqlite://`` through aiosqlite."""
    return url.set(drivername=ASYNC_DRIVERS.get(url.drivername, url.drivername))


def secret_strength_problems(value: str) -> list[str]:
    """Why a signing key or token is too weak; an empty list when it is fine."""
    problems: list[str] = []
    lowered = value.lower()
    if len(value) < MIN_SECRET_LENGTH:
        problems.append(f"must be at least {MIN_SECRET_LENGTH} characters long")
    if any(lowered.startswith(prefix) for prefix in KNOWN_PLACEHOLDER_PREFIXES):
        problems.append("is a known placeholder value")
    if value and len(set(value)) == 1:
        problems.append("is a single character repeated")
    elif len(set(value)) < MIN_DISTINCT_SECRET_CHARACTERS:
        problems.append(f"must contain at least {MIN_DISTINCT_SECRET_CHARACTERS} distinct characters")
    return problems


def generate_secret_key() -> str:
    """A new signing key: 64 URL-safe characters from 48 random bytes."""
    while True:
        key = secrets.token_urlsafe(48)
        if not secret_strength_problems(key):
            return key


class _Reader:
    """Reads variables one by one, remembering every problem instead of stopping at the first."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self.problems: list[ConfigProblem] = []

    def problem(self, variable: str, message: str) -> None:
        self.problems.append(ConfigProblem(variable, message))

    def raw(self, name: str) -> str | None:
        value = self._environ.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def text(self, name: str, default: str) -> str:
        return self.raw(name) or default

    def choice(self, name: str, default: str, allowed: tuple[str, ...], *, upper: bool = False) -> str:
        value = self.raw(name)
        if value is None:
            return default
        normalised = value.upper() if upper else value.lower()
        if normalised not in allowed:
            self.problem(name, f"must be one of {', '.join(allowed)}")
            return default
        return normalised

    def integer(self, name: str, default: int, *, minimum: int, maximum: int) -> int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            self.problem(name, "must be a whole number")
            return default
        if not minimum <= number <= maximum:
            self.problem(name, f"must be between {minimum} and {maximum}")
            return default
        return number

    def number(self, name: str, default: float, *, minimum: float, maximum: float) -> float:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            self.problem(name, "must be a number")
            return default
        if not minimum <= number <= maximum:
            self.problem(name, f"must be between {minimum:g} and {maximum:g}")
            return default
        return number

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        self.problem(name, "must be true or false")
        return default

    def items(self, name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.raw(name)  # empty counts as unset, like every other variable
        if value is None:
            return default
        return tuple(item.strip() for item in value.split(",") if item.strip())

    def validated_items(
        self, name: str, default: tuple[str, ...], check: Callable[[str], str | None]
    ) -> tuple[str, ...]:
        """Each comma-separated item normalised by ``check``; ``None`` marks a bad item."""
        good: list[str] = []
        for item in self.items(name, default):
            normalised = check(item)
            if normalised is None:
                self.problem(name, f"{item!r} is not valid")
            else:
                good.append(normalised)
        return tuple(good)


def _cidr(item: str) -> str | None:
    try:
        return str(ipaddress.ip_network(item, strict=False))
    except ValueError:
        return None


def _origin(item: str) -> str | None:
    if item == "*":
        return item
    return item.rstrip("/") if _ORIGIN_RE.match(item.rstrip("/")) else None


def _host(item: str) -> str | None:
    """A host name, ``*.``-wildcard or IP address, optionally with a port it must be reached on
    (``shop.example:8443``, ``[::1]:8000``)."""
    item = item.lower()
    if item == "*":
        return item
    port = ""
    match = re.fullmatch(r"(\[[0-9a-f:.]+\]|[^:\[\]]+):([0-9]{1,5})", item)
    if match:
        item, port = match.group(1), match.group(2)
        if not 0 < int(port) < 65536:
            return None
    try:
        address = ipaddress.ip_address(item.strip("[]"))
    except ValueError:
        return (item + (f":{port}" if port else "")) if _HOST_RE.match(item) else None
    if port:
        return f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"
    return str(address)


def _database_url(reader: _Reader, environment: Environment) -> Secret | None:
    """Accepts ``postgresql://`` (used through asyncpg); SQLite only for the embedded default."""
    name = "DATABASE_URL"
    raw = reader.raw(name)
    if raw is None:
        if environment is Environment.DEVELOPMENT:
            return Secret(DEV_DATABASE_URL)
        reader.problem(name, f"is required when ENVIRONMENT={environment.value}")
        return None
    try:
        url: URL = make_url(raw)
        port = url.port  # a non-numeric port only fails here, with part of the URL in the message
    except (ArgumentError, ValueError):
        # The value may hold a password: say what is wrong, never what was given.
        reader.problem(name, "is not a valid database URL")
        return None
    if url.drivername in ("postgresql", "postgres", "postgresql+asyncpg"):
        if not url.host and not url.query.get("host"):
            reader.problem(name, "must name a database host")
            return None
        if not url.database:
            reader.problem(name, "must name a database")
            return None
        if port is not None and not 0 < port < 65536:
            reader.problem(name, "has a port outside 1-65535")
            return None
        return Secret(with_async_driver(url).render_as_string(hide_password=False))
    if url.drivername in ("sqlite", "sqlite+aiosqlite"):
        if environment is not Environment.DEVELOPMENT:
            reader.problem(name, "SQLite is only for the embedded development default; use PostgreSQL")
            return None
        return Secret(with_async_driver(url).render_as_string(hide_password=False))
    reader.problem(name, "must be a postgresql:// URL")
    return None


def _redis_url(reader: _Reader, environment: Environment) -> Secret | None:
    name = "REDIS_URL"
    raw = reader.raw(name)
    if raw is None:
        if environment is not Environment.DEVELOPMENT:
            reader.problem(name, f"is required when ENVIRONMENT={environment.value} (rate limits and sessions)")
        return None
    if not re.match(r"^(redis|rediss|unix)://", raw):
        reader.problem(name, "must be a redis://, rediss:// or unix:// URL")
        return None
    return Secret(raw)


def _secret_key(reader: _Reader, environment: Environment, *, check_strength: bool) -> tuple[Secret | None, bool]:
    name = "SECRET_KEY"
    raw = reader.raw(name)
    if raw is None:
        if environment is Environment.DEVELOPMENT:
            return Secret(generate_secret_key()), True
        reader.problem(name, f"is required when ENVIRONMENT={environment.value}")
        return None, False
    if check_strength:
        for message in secret_strength_problems(raw):
            reader.problem(name, message)
    return Secret(raw), False


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build settings from an environment mapping, or raise ``ConfigurationError`` listing every problem."""
    reader = _Reader(environ)

    environment = Environment.PRODUCTION
    raw_environment = reader.raw("ENVIRONMENT")
    if raw_environment is not None:
        try:
            environment = Environment(raw_environment.lower())
        except ValueError:
            reader.problem("ENVIRONMENT", "must be one of production, staging, development, test")
    development = environment is Environment.DEVELOPMENT
    production = environment is Environment.PRODUCTION

    require_secure = reader.boolean("REQUIRE_SECURE_SECRETS", True)
    if production and not require_secure:
        reader.problem("REQUIRE_SECURE_SECRETS", "false is refused in production")
        require_secure = True
    # The embedded default generates its own key; weak keys pass only where explicitly allowed.
    check_strength = require_secure

    secret_key, generated = _secret_key(reader, environment, check_strength=check_strength)
    previous: list[Secret] = []
    for index, item in enumerate(reader.items("SECRET_KEY_PREVIOUS"), start=1):
        problems = secret_strength_problems(item) if check_strength else []
        for message in problems:
            reader.problem("SECRET_KEY_PREVIOUS", f"entry {index} {message}")
        if not problems:
            previous.append(Secret(item))

    database_url = _database_url(reader, environment)
    redis_url = _redis_url(reader, environment)

    distributed = reader.boolean("ENABLE_DISTRIBUTED_RATE_LIMITING", not development)
    if distributed and redis_url is None and development:
        reader.problem("ENABLE_DISTRIBUTED_RATE_LIMITING", "needs REDIS_URL")

    metrics_token: Secret | None = None
    raw_metrics = reader.raw("METRICS_TOKEN")
    if raw_metrics is not None:
        if check_strength:
            for message in secret_strength_problems(raw_metrics):
                reader.problem("METRICS_TOKEN", message)
        metrics_token = Secret(raw_metrics)

    cors_origins = reader.validated_items("CORS_ORIGINS", (), _origin)
    if production and "*" in cors_origins:
        reader.problem("CORS_ORIGINS", "'*' is refused in production; list exact origins")
    allowed_hosts = reader.validated_items("ALLOWED_HOSTS", ("localhost", "127.0.0.1"), _host)
    if production and "*" in allowed_hosts:
        reader.problem("ALLOWED_HOSTS", "'*' is refused in production; list the served host names")
    if not allowed_hosts and reader.raw("ALLOWED_HOSTS") is not None:
        reader.problem("ALLOWED_HOSTS", "must list at least one host")

    trusted_proxies = reader.validated_items("TRUSTED_PROXIES", (), _cidr)
    if production and any(network.endswith("/0") for network in trusted_proxies):
        reader.problem("TRUSTED_PROXIES", "a /0 network would let anyone choose their client address")

    settings_kwargs = {
        "environment": environment,
        "secret_key_previous": tuple(previous),
        "secret_key_generated": generated,
        "redis_url": redis_url,
        "redis_key_prefix": reader.text("REDIS_KEY_PREFIX", "fv:"),
        "redis_socket_timeout": reader.number("REDIS_SOCKET_TIMEOUT", 0.2, minimum=0.01, maximum=10),
        "enable_distributed_rate_limiting": distributed,
        "require_secure_secrets": require_secure,
        "access_token_expire_minutes": reader.integer("ACCESS_TOKEN_EXPIRE_MINUTES", 15, minimum=1, maximum=60),
        "refresh_token_expire_days": reader.integer("REFRESH_TOKEN_EXPIRE_DAYS", 7, minimum=1, maximum=90),
        "auth_rate_limit": reader.integer("AUTH_RATE_LIMIT", 100, minimum=1, maximum=1_000_000),
        "api_rate_limit": reader.integer("API_RATE_LIMIT", 300, minimum=1, maximum=1_000_000),
        "authenticated_rate_limit": reader.integer("AUTHENTICATED_RATE_LIMIT", 1000, minimum=1, maximum=1_000_000),
        "trusted_proxies": trusted_proxies,
        "cors_origins": cors_origins,
        "allowed_hosts": allowed_hosts,
        "max_request_body_bytes": reader.integer(
            "MAX_REQUEST_BODY_BYTES", 1_048_576, minimum=1024, maximum=100 * 1_048_576
        ),
        "max_concurrent_requests": reader.integer("MAX_CONCURRENT_REQUESTS", 64, minimum=1, maximum=10_000),
        "body_read_timeout_seconds": reader.number("BODY_READ_TIMEOUT_SECONDS", 10, minimum=0.1, maximum=300),
        # The server's front door, per worker process: request line plus headers, the time to send
        # them, open connections.
        "max_header_bytes": reader.integer("MAX_HEADER_BYTES", 32_768, minimum=4096, maximum=1_048_576),
        "header_read_timeout_seconds": reader.number("HEADER_READ_TIMEOUT_SECONDS", 10, minimum=0.5, maximum=300),
        "max_connections": reader.integer("MAX_CONNECTIONS", 1000, minimum=1, maximum=100_000),
        "db_pool_size": reader.integer("DB_POOL_SIZE", 10, minimum=1, maximum=500),
        "db_max_overflow": reader.integer("DB_MAX_OVERFLOW", 20, minimum=0, maximum=500),
        "db_pool_timeout": reader.number("DB_POOL_TIMEOUT", 30, minimum=0.1, maximum=600),
        "db_pool_recycle": reader.integer("DB_POOL_RECYCLE", 3600, minimum=1, maximum=86_400),
        "db_pool_pre_ping": reader.boolean("DB_POOL_PRE_PING", True),
        "db_isolation_level": reader.choice("DB_ISOLATION_LEVEL", "READ COMMITTED", _ISOLATION_LEVELS, upper=True),
        "db_statement_timeout_ms": reader.integer("DB_STATEMENT_TIMEOUT_MS", 30_000, minimum=100, maximum=3_600_000),
        "db_idle_in_transaction_timeout_ms": reader.integer(
            "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", 60_000, minimum=100, maximum=3_600_000
        ),
        "db_connect_timeout": reader.number("DB_CONNECT_TIMEOUT", 10, minimum=0.1, maximum=120),
        "metrics_token": metrics_token,
        "log_level": reader.choice("LOG_LEVEL", "INFO", _LOG_LEVELS, upper=True),
        "log_format": reader.choice("LOG_FORMAT", "console" if development else "json", ("json", "console")),
    }
    if reader.problems or secret_key is None or database_url is None:
        raise ConfigurationError(reader.problems)
    return Settings(secret_key=secret_key, database_url=database_url, **settings_kwargs)  # type: ignore[arg-type]
