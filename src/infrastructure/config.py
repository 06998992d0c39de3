"""Settings read from the environment and validated before anything starts.

Each setting is declared once, as a field of ``Settings``: its name (the variable is the field's name
upper-cased), its type, its default and, in ``Annotated``, its rule (``msgspec.Meta`` bounds, a ``Rule``
for the rest). ``load_settings`` reads every variable from that declaration and reports every problem
at once; a secret's value never appears in a message, a repr or a log line.
"""

import enum
import functools
import ipaddress
import math
import re
import secrets
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import msgspec
from msgspec import Meta
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEV_DATABASE_URL = "sqlite+aiosqlite:///./.data/flower-vendor.db"
# What `flower-vendor dev` never takes from the environment: it runs on its own SQLite database,
# in-memory adapters and its own signing key, so production variables left exported cannot make it
# migrate, seed or sign for a database or Redis that `serve` uses.
DEV_IGNORED_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "SECRET_KEY_PREVIOUS",
    "ENABLE_DISTRIBUTED_RATE_LIMITING",
)
# The usual front-end dev servers (Vite, then Create React App / Next.js), allowed under `dev`
# unless CORS_ORIGINS says otherwise.
DEV_CORS_ORIGINS = ("http://localhost:5173", "http://127.0.0.1:5173", "http://localhost:3000")

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
_MIB = 1_048_576


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


# --- rules -------------------------------------------------------------------------------------

_UNSET: Any = msgspec.NODEFAULT

# What a rule sees besides the value: the settings declared before it that could be read, by field name.
Earlier = Mapping[str, Any]


class _Invalid(ValueError):
    """Raised by a ``Rule.parse`` function; its text is the problem's message (never the value)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """How a setting is read, beyond what its type, default and ``msgspec.Meta`` bounds say.

    A value that breaks a rule is a problem, and the setting's default stands in for it while the
    settings after it are read. ``parse`` and ``refuse`` see only values that are set.
    """

    read: bool = True  # False: set by load_settings, not read from the environment
    choices: tuple[str, ...] = ()  # the value, case-folded, must be one of these
    upper: bool = False  # choices are upper case (else lower case)
    item: Callable[[str], str | None] | None = None  # normalises one comma-separated item; None: not valid
    parse: Callable[[str, Earlier], object] | None = None  # raises _Invalid
    strong: bool = False  # a secret whose strength REQUIRE_SECURE_SECRETS checks
    required_outside_development: bool = False
    because: str = ""  # why it is required, added to the message
    development_default: object = _UNSET  # a value, or a function making one
    refuse: Callable[[Any, Earlier], str | None] | None = None  # why the value is refused, given earlier settings


def _database_url(raw: str, earlier: Earlier) -> Secret:
    """Accepts ``postgresql://`` (used through asyncpg); SQLite only for the embedded default."""
    try:
        url: URL = make_url(raw)
        port = url.port  # a non-numeric port only fails here, with part of the URL in the message
    except (ArgumentError, ValueError):
        # The value may hold a password: say what is wrong, never what was given.
        raise _Invalid("is not a valid database URL") from None
    if url.drivername in ("postgresql", "postgres", "postgresql+asyncpg"):
        if not url.host and not url.query.get("host"):
            raise _Invalid("must name a database host")
        if not url.database:
            raise _Invalid("must name a database")
        if port is not None and not 0 < port < 65536:
            raise _Invalid("has a port outside 1-65535")
        return Secret(with_async_driver(url).render_as_string(hide_password=False))
    if url.drivername in ("sqlite", "sqlite+aiosqlite"):
        if earlier["environment"] is not Environment.DEVELOPMENT:
            raise _Invalid("SQLite is only for the embedded development default; use PostgreSQL")
        return Secret(with_async_driver(url).render_as_string(hide_password=False))
    raise _Invalid("must be a postgresql:// URL")


def _redis_url(raw: str, earlier: Earlier) -> Secret:
    if not re.match(r"^(redis|rediss|unix)://", raw):
        raise _Invalid("must be a redis://, rediss:// or unix:// URL")
    return Secret(raw)


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


def _production(earlier: Earlier) -> bool:
    return earlier["environment"] is Environment.PRODUCTION


def _insecure_secrets(require: bool, earlier: Earlier) -> str | None:
    return "false is refused in production" if _production(earlier) and not require else None


def _distributed_without_redis(distributed: bool, earlier: Earlier) -> str | None:
    development = earlier["environment"] is Environment.DEVELOPMENT
    return "needs REDIS_URL" if distributed and earlier.get("redis_url") is None and development else None


def _any_origin(origins: tuple[str, ...], earlier: Earlier) -> str | None:
    if _production(earlier) and "*" in origins:
        return "'*' is refused in production; list exact origins"
    return None


def _cookies_without_exact_origins(enabled: bool, earlier: Earlier) -> str | None:
    # Cookie mode answers only requests whose Origin is listed exactly (never '*'): without one, no
    # browser could use it.
    exact = [origin for origin in earlier.get("cors_origins", ()) if origin != "*"]
    return "true needs the browser origins listed exactly in CORS_ORIGINS" if enabled and not exact else None


def _any_host(hosts: tuple[str, ...], earlier: Earlier) -> str | None:
    if _production(earlier) and "*" in hosts:
        return "'*' is refused in production; list the served host names"
    return None if hosts else "must list at least one host"


def _everyone_a_proxy(networks: tuple[str, ...], earlier: Earlier) -> str | None:
    if _production(earlier) and any(network.endswith("/0") for network in networks):
        return "a /0 network would let anyone choose their client address"
    return None


# --- the settings ------------------------------------------------------------------------------


class Settings(msgspec.Struct, frozen=True, kw_only=True, rename="upper"):
    """Every setting, once. Read in this order: a rule may look at the settings above it."""

    environment: Environment = Environment.PRODUCTION
    # The embedded default generates its own key; weak secrets pass only where explicitly allowed.
    require_secure_secrets: Annotated[bool, Rule(refuse=_insecure_secrets)] = True
    secret_key: Annotated[Secret, Rule(strong=True, development_default=lambda: Secret(generate_secret_key()))]
    secret_key_previous: Annotated[tuple[Secret, ...], Rule(strong=True)] = ()
    secret_key_generated: Annotated[bool, Rule(read=False)] = False
    database_url: Annotated[Secret, Rule(parse=_database_url, development_default=Secret(DEV_DATABASE_URL))]
    redis_url: Annotated[
        Secret | None,
        Rule(parse=_redis_url, required_outside_development=True, because="rate limits and sessions"),
    ] = None
    enable_distributed_rate_limiting: Annotated[
        bool, Rule(development_default=False, refuse=_distributed_without_redis)
    ] = True
    metrics_token: Annotated[Secret | None, Rule(strong=True)] = None
    cors_origins: Annotated[
        tuple[str, ...], Rule(item=_origin, refuse=_any_origin, development_default=DEV_CORS_ORIGINS)
    ] = ()
    # Cookie mode for browsers (README, "Browser sessions"): the refresh token in an HttpOnly cookie,
    # CSRF checks, and CORS credentials for the exact CORS_ORIGINS. Off unless asked for, on under dev.
    auth_cookies: Annotated[bool, Rule(refuse=_cookies_without_exact_origins, development_default=True)] = False
    allowed_hosts: Annotated[tuple[str, ...], Rule(item=_host, refuse=_any_host)] = ("localhost", "127.0.0.1")
    trusted_proxies: Annotated[tuple[str, ...], Rule(item=_cidr, refuse=_everyone_a_proxy)] = ()
    redis_key_prefix: str = "fv:"
    redis_socket_timeout: Annotated[float, Meta(ge=0.01, le=10)] = 0.2
    access_token_expire_minutes: Annotated[int, Meta(ge=1, le=60)] = 15
    refresh_token_expire_days: Annotated[int, Meta(ge=1, le=90)] = 7
    # Seconds a just-spent refresh token may be presented again and get the same new one (two tabs
    # refreshing at once); 0: any second presentation revokes the session.
    refresh_reuse_grace_seconds: Annotated[int, Meta(ge=0, le=60)] = 10
    auth_rate_limit: Annotated[int, Meta(ge=1, le=1_000_000)] = 100
    api_rate_limit: Annotated[int, Meta(ge=1, le=1_000_000)] = 300
    authenticated_rate_limit: Annotated[int, Meta(ge=1, le=1_000_000)] = 1000
    max_request_body_bytes: Annotated[int, Meta(ge=1024, le=100 * _MIB)] = _MIB
    # Load shedding, slow clients and the server's front door (request line plus headers, the time
    # to send them, open connections), per worker process (README).
    max_concurrent_requests: Annotated[int, Meta(ge=1, le=10_000)] = 64
    body_read_timeout_seconds: Annotated[float, Meta(ge=0.1, le=300)] = 10.0
    max_header_bytes: Annotated[int, Meta(ge=4096, le=_MIB)] = 32_768
    header_read_timeout_seconds: Annotated[float, Meta(ge=0.5, le=300)] = 10.0
    max_connections: Annotated[int, Meta(ge=1, le=100_000)] = 1000
    # The database pool, per worker process (README, "Sizing the database pool"): connections kept
    # open, none opened and closed per burst; a request waits for one at most DB_POOL_TIMEOUT, then 503.
    db_pool_size: Annotated[int, Meta(ge=1, le=500)] = 20
    db_max_overflow: Annotated[int, Meta(ge=0, le=500)] = 0
    db_pool_timeout: Annotated[float, Meta(ge=0.1, le=600)] = 5.0
    db_pool_recycle: Annotated[int, Meta(ge=1, le=86_400)] = 1800
    db_pool_pre_ping: bool = False
    db_isolation_level: Annotated[str, Rule(choices=_ISOLATION_LEVELS, upper=True)] = "READ COMMITTED"
    db_statement_timeout_ms: Annotated[int, Meta(ge=100, le=3_600_000)] = 30_000
    db_idle_in_transaction_timeout_ms: Annotated[int, Meta(ge=100, le=3_600_000)] = 60_000
    db_connect_timeout: Annotated[float, Meta(ge=0.1, le=120)] = 10.0
    log_level: Annotated[str, Rule(choices=_LOG_LEVELS, upper=True)] = "INFO"
    log_format: Annotated[str, Rule(choices=("json", "console"), development_default="console")] = "json"

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

    @property
    def uses_dev_database(self) -> bool:
        """Development on the embedded SQLite database: the only place the demo shop may be seeded."""
        return self.is_development and self.database_url.reveal() == DEV_DATABASE_URL

    @property
    def dev_data_dir(self) -> Path | None:
        """Where development keeps its files (the directory of its SQLite database file); ``None``
        outside development or without a database file."""
        if not self.is_development or not self.uses_sqlite:
            return None
        database = make_url(self.database_url.reveal()).database
        if not database or database == ":memory:":
            return None
        return Path(database).parent


def development_environ(environ: Mapping[str, str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """The environment `flower-vendor dev` runs with, and the names of the variables it ignored
    (set, but never used: ``DEV_IGNORED_VARIABLES``, and ``ENVIRONMENT`` when it said otherwise)."""
    ignored = [name for name in DEV_IGNORED_VARIABLES if (environ.get(name) or "").strip()]
    if (environ.get("ENVIRONMENT") or "").strip().lower() not in ("", Environment.DEVELOPMENT.value):
        ignored.insert(0, "ENVIRONMENT")
    sealed = {name: value for name, value in environ.items() if name not in DEV_IGNORED_VARIABLES}
    sealed["ENVIRONMENT"] = Environment.DEVELOPMENT.value
    return sealed, tuple(ignored)


# --- reading -----------------------------------------------------------------------------------


class _Setting(NamedTuple):
    """One field of ``Settings`` as ``load_settings`` reads it."""

    field: str
    variable: str
    kind: type  # int, float, bool, str, an enum or Secret; for a tuple, its items' type
    many: bool  # a comma-separated tuple
    default: object  # _UNSET when required
    bounds: tuple[float, float]
    rule: Rule


def _describe(field: msgspec.structs.FieldInfo) -> _Setting:
    kind, extras = field.type, list[object]()
    if typing.get_origin(kind) is Annotated:
        kind, *extras = typing.get_args(kind)
    rule = next((extra for extra in extras if isinstance(extra, Rule)), Rule())
    meta = next((extra for extra in extras if isinstance(extra, Meta)), Meta())
    bounds = (-math.inf if meta.ge is None else meta.ge, math.inf if meta.le is None else meta.le)
    if isinstance(kind, types.UnionType):  # X | None: None unless set
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    many = typing.get_origin(kind) is tuple
    if many:
        kind = typing.get_args(kind)[0]
    return _Setting(field.name, field.encode_name, kind, many, field.default, bounds, rule)


@functools.cache
def _settings() -> tuple[_Setting, ...]:
    described = (_describe(field) for field in msgspec.structs.fields(Settings))
    return tuple(setting for setting in described if setting.rule.read)


def environment_variables() -> tuple[str, ...]:
    """The name of every variable ``load_settings`` reads, in the order it reads them."""
    return tuple(setting.variable for setting in _settings())


class _Reader:
    """Converts the variables that are set, remembering every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []

    def problem(self, setting: _Setting, message: str) -> object:
        self.problems.append(ConfigProblem(setting.variable, message))
        return _UNSET

    def convert(self, setting: _Setting, value: str, earlier: Earlier) -> object:
        """The setting's value, or ``_UNSET`` once the problem is reported."""
        kind, rule = setting.kind, setting.rule
        if setting.many:
            return tuple(self._items(setting, [item.strip() for item in value.split(",") if item.strip()], earlier))
        if rule.parse is not None:
            try:
                return rule.parse(value, earlier)
            except _Invalid as invalid:
                return self.problem(setting, str(invalid))
        if kind is Secret:
            for message in self._weaknesses(setting, value, earlier):
                self.problem(setting, message)
            return Secret(value)
        if kind is bool:
            lowered = value.lower()
            if lowered in _TRUE or lowered in _FALSE:
                return lowered in _TRUE
            return self.problem(setting, "must be true or false")
        if kind is int or kind is float:
            try:
                number = kind(value)
            except ValueError:
                return self.problem(setting, "must be a whole number" if kind is int else "must be a number")
            minimum, maximum = setting.bounds
            if not minimum <= number <= maximum:
                between = f"{minimum} and {maximum}" if kind is int else f"{minimum:g} and {maximum:g}"
                return self.problem(setting, f"must be between {between}")
            return number
        choices = tuple(member.value for member in kind) if issubclass(kind, enum.Enum) else rule.choices
        if not choices:
            return value
        normalised = value.upper() if rule.upper else value.lower()
        if normalised not in choices:
            return self.problem(setting, f"must be one of {', '.join(choices)}")
        return kind(normalised)

    def _items(self, setting: _Setting, items: list[str], earlier: Earlier) -> list[object]:
        good: list[object] = []
        for index, item in enumerate(items, start=1):
            if setting.kind is Secret:
                weaknesses = self._weaknesses(setting, item, earlier)
                for message in weaknesses:
                    self.problem(setting, f"entry {index} {message}")
                if not weaknesses:
                    good.append(Secret(item))
            elif (normalised := setting.rule.item(item) if setting.rule.item else item) is None:
                self.problem(setting, f"{item!r} is not valid")
            else:
                good.append(normalised)
        return good

    @staticmethod
    def _weaknesses(setting: _Setting, value: str, earlier: Earlier) -> list[str]:
        strong = setting.rule.strong and earlier["require_secure_secrets"]
        return secret_strength_problems(value) if strong else []


def _default(setting: _Setting, development: bool) -> object:
    """What stands in for a variable that is unset or refused; ``_UNSET`` when it is required."""
    rule = setting.rule
    if development and rule.development_default is not _UNSET:
        made = rule.development_default
        return made() if callable(made) else made
    if rule.required_outside_development and not development:
        return _UNSET
    return setting.default


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build settings from an environment mapping, or raise ``ConfigurationError`` listing every problem."""
    reader = _Reader()
    values: dict[str, Any] = {}
    made_up: set[str] = set()  # left to a development default
    for setting in _settings():
        environment = values.get("environment")
        development = environment is Environment.DEVELOPMENT
        raw = (environ.get(setting.variable) or "").strip() or None  # empty counts as unset
        value = _UNSET if raw is None else reader.convert(setting, raw, values)
        refuse = setting.rule.refuse
        if value is not _UNSET and refuse is not None and (refusal := refuse(value, values)) is not None:
            value = reader.problem(setting, refusal)
        if value is _UNSET:
            value = _default(setting, development)
            if raw is None and value is _UNSET:
                because = f" ({setting.rule.because})" if setting.rule.because else ""
                reader.problem(setting, f"is required when ENVIRONMENT={environment}{because}")
            elif raw is None and development and setting.rule.development_default is not _UNSET:
                made_up.add(setting.field)
        if value is not _UNSET:
            values[setting.field] = value
    if reader.problems:
        raise ConfigurationError(reader.problems)
    values["secret_key_generated"] = "secret_key" in made_up  # the one setting derived, not read
    return Settings(**values)
