"""Configuration: every refusal rule of the contract (section 2), all problems at once, no secret ever shown."""

from __future__ import annotations

import typing

import msgspec
import pytest

from infrastructure.config import (
    ConfigProblem,
    ConfigurationError,
    Environment,
    Secret,
    Settings,
    environment_variables,
    generate_secret_key,
    load_settings,
    secret_strength_problems,
)

STRONG_KEY = "Zq8mK2vL9pW4nR7tY1xB6cD3fG5hJ0sA-uE_iO.oP"
OTHER_STRONG_KEY = "Hb4Nc7Md2Lf9Kg6Jh3Gj8Fk1Dl5Sa0Pq-Wr_Et.Yu"
STRONG_TOKEN = "mT3rIcS-t0kEn_9Xq2Wv7Zk4Jp8Lr1Nb6Hc5Gd0Fy"

VALID_PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": STRONG_KEY,
    "DATABASE_URL": "postgresql://app:db-pass@db.internal:5432/shop",
    "REDIS_URL": "redis://:redis-pass@cache.internal:6379/0",
}


def env(**overrides: str) -> dict[str, str]:
    """A valid production environment with some variables replaced."""
    return {**VALID_PRODUCTION, **overrides}


def without(*names: str, **overrides: str) -> dict[str, str]:
    return {k: v for k, v in env(**overrides).items() if k not in names}


def refusal(environ: dict[str, str]) -> tuple[ConfigProblem, ...]:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(environ)
    problems = caught.value.problems
    assert problems, "a refused configuration must name at least one problem"
    assert all(isinstance(p, ConfigProblem) for p in problems)
    return tuple(problems)


def variables(problems: tuple[ConfigProblem, ...]) -> set[str]:
    return {p.variable for p in problems}


def only_problems_of(environ: dict[str, str], variable: str) -> list[str]:
    """The messages of a refusal that must concern ``variable`` and nothing else."""
    problems = refusal(environ)
    assert variables(problems) == {variable}, problems
    return [p.message for p in problems]


# --- the valid baseline ------------------------------------------------------------------------


def test_valid_production_environment_loads() -> None:
    settings = load_settings(VALID_PRODUCTION)

    assert settings.environment is Environment.PRODUCTION
    assert settings.secret_key.reveal() == STRONG_KEY
    assert settings.secret_key_generated is False
    assert settings.is_production
    assert not settings.is_development


def test_contract_defaults_apply_when_variables_are_absent() -> None:
    settings = load_settings(VALID_PRODUCTION)

    assert settings.access_token_expire_minutes == 15
    assert settings.refresh_token_expire_days == 7
    assert settings.auth_rate_limit == 100
    assert settings.api_rate_limit == 300
    assert settings.authenticated_rate_limit == 1000
    assert settings.max_request_body_bytes == 1_048_576
    # Issue 10 changed these from the contract's 10 / 20 / 30 / 3600 (pool sized to a worker, no churn).
    assert settings.db_pool_size == 20
    assert settings.db_max_overflow == 0
    assert settings.db_pool_timeout == 5
    assert settings.db_pool_recycle == 1800
    assert settings.db_pool_pre_ping is False
    assert settings.allowed_hosts == ("localhost", "127.0.0.1")
    assert settings.cors_origins == ()
    assert settings.trusted_proxies == ()
    assert settings.secret_key_previous == ()
    assert settings.metrics_token is None
    assert settings.require_secure_secrets is True
    assert settings.enable_distributed_rate_limiting is True


def test_explicit_values_override_the_defaults() -> None:
    settings = load_settings(
        env(
            ACCESS_TOKEN_EXPIRE_MINUTES="5",
            REFRESH_TOKEN_EXPIRE_DAYS="30",
            AUTH_RATE_LIMIT="10",
            API_RATE_LIMIT="20",
            AUTHENTICATED_RATE_LIMIT="30",
            MAX_REQUEST_BODY_BYTES="2048",
            DB_POOL_SIZE="25",
            DB_MAX_OVERFLOW="0",
            DB_POOL_TIMEOUT="2.5",
            DB_POOL_RECYCLE="600",
        )
    )

    assert settings.access_token_expire_minutes == 5
    assert settings.refresh_token_expire_days == 30
    assert settings.auth_rate_limit == 10
    assert settings.api_rate_limit == 20
    assert settings.authenticated_rate_limit == 30
    assert settings.max_request_body_bytes == 2048
    assert settings.db_pool_size == 25
    assert settings.db_max_overflow == 0
    assert settings.db_pool_timeout == 2.5
    assert settings.db_pool_recycle == 600


# --- ENVIRONMENT ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["prod", "dev", "local", "qa"])
def test_unknown_environment_is_refused(value: str) -> None:
    messages = only_problems_of(env(ENVIRONMENT=value), "ENVIRONMENT")
    assert len(messages) == 1
    assert "production" in messages[0]


@pytest.mark.parametrize("value", ["production", "staging", "test"])
def test_known_environments_are_accepted(value: str) -> None:
    assert load_settings(env(ENVIRONMENT=value)).environment == Environment(value)


def test_environment_defaults_to_production() -> None:
    settings = load_settings(without("ENVIRONMENT"))
    assert settings.environment is Environment.PRODUCTION
    assert settings.is_production


def test_empty_environment_still_means_production_and_its_requirements() -> None:
    problems = refusal({})
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= variables(problems)
    assert any("production" in p.message for p in problems)


def test_production_rules_apply_when_environment_is_unset() -> None:
    # REQUIRE_SECURE_SECRETS=false is only refused in production: proves the default is production.
    only_problems_of(without("ENVIRONMENT", REQUIRE_SECURE_SECRETS="false"), "REQUIRE_SECURE_SECRETS")


# --- SECRET_KEY -------------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["production", "staging", "test"])
def test_secret_key_is_required_outside_development(environment: str) -> None:
    messages = only_problems_of(without("SECRET_KEY", ENVIRONMENT=environment), "SECRET_KEY")
    assert any("required" in m for m in messages)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("Zq8mK2vL9pW4nR7tY1xB6cD3fG5hJ0", "at least 32", id="too-short-30"),
        pytest.param("aB3$eF6&hI9*kL2", "at least 32", id="too-short-15"),
        pytest.param("change-me" + "-0123456789abcdefghijklmnopqrstu"[:31], "placeholder", id="change-me-40"),
        pytest.param("CHANGE-ME-" + "Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8", "placeholder", id="change-me-upper"),
        pytest.param("your-secure-secret-key-here-replace-in-prod", "placeholder", id="your-secure-secret-key-here"),
        pytest.param("super-secret-key-for-jwt-signing-0123456789", "placeholder", id="super-secret"),
        pytest.param("a" * 40, "repeated", id="one-repeated-character"),
        pytest.param("ab" * 20, "distinct", id="two-distinct-characters"),
        pytest.param("abcdefghi" * 5, "distinct", id="nine-distinct-characters"),
    ],
)
def test_weak_secret_key_is_refused(value: str, expected: str) -> None:
    messages = only_problems_of(env(SECRET_KEY=value), "SECRET_KEY")
    assert any(expected in m for m in messages), messages


@pytest.mark.parametrize("environment", ["production", "staging", "test"])
def test_weak_secret_key_is_refused_in_every_non_development_environment(environment: str) -> None:
    only_problems_of(env(ENVIRONMENT=environment, SECRET_KEY="short"), "SECRET_KEY")


def test_single_repeated_character_reports_repetition_not_distinctness() -> None:
    problems = secret_strength_problems("x" * 64)
    assert len(problems) == 1
    assert "repeated" in problems[0]


def test_secret_of_exactly_32_distinct_enough_characters_is_accepted() -> None:
    key = STRONG_KEY[:32]
    assert secret_strength_problems(key) == []
    assert load_settings(env(SECRET_KEY=key)).secret_key.reveal() == key


def test_secret_key_surrounding_whitespace_is_ignored() -> None:
    assert load_settings(env(SECRET_KEY=f"  {STRONG_KEY}\n")).secret_key.reveal() == STRONG_KEY


# --- SECRET_KEY_PREVIOUS ----------------------------------------------------------------------


def test_previous_keys_are_parsed_as_secrets() -> None:
    settings = load_settings(env(SECRET_KEY_PREVIOUS=f" {OTHER_STRONG_KEY} , {STRONG_TOKEN} ,"))
    assert [s.reveal() for s in settings.secret_key_previous] == [OTHER_STRONG_KEY, STRONG_TOKEN]
    assert all(isinstance(s, Secret) for s in settings.secret_key_previous)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("short", id="only-entry-short"),
        pytest.param(f"{OTHER_STRONG_KEY},change-me-0123456789abcdefghijklmnopq", id="second-entry-placeholder"),
        pytest.param(f"{'z' * 40},{OTHER_STRONG_KEY}", id="first-entry-repeated"),
    ],
)
def test_weak_previous_key_entry_is_refused(value: str) -> None:
    messages = only_problems_of(env(SECRET_KEY_PREVIOUS=value), "SECRET_KEY_PREVIOUS")
    assert all("entry" in m for m in messages)


def test_previous_key_problem_names_the_entry_position() -> None:
    messages = only_problems_of(env(SECRET_KEY_PREVIOUS=f"{OTHER_STRONG_KEY},short"), "SECRET_KEY_PREVIOUS")
    assert all("entry 2" in m for m in messages)


# --- DATABASE_URL -----------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["production", "staging", "test"])
def test_database_url_is_required_outside_development(environment: str) -> None:
    messages = only_problems_of(without("DATABASE_URL", ENVIRONMENT=environment), "DATABASE_URL")
    assert any("required" in m for m in messages)


@pytest.mark.parametrize(
    "value",
    [
        "mysql://app:pw@db.internal:3306/shop",
        "mssql+pyodbc://app:pw@db.internal/shop",
        "oracle://app:pw@db.internal/shop",
    ],
)
def test_database_url_must_be_postgres(value: str) -> None:
    messages = only_problems_of(env(DATABASE_URL=value), "DATABASE_URL")
    assert any("postgresql" in m for m in messages)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("not a url at all", id="garbage"),
        pytest.param("postgresql://app:pw@/shop", id="no-host"),
        pytest.param("postgresql://app:pw@db.internal:5432/", id="no-database"),
    ],
)
def test_malformed_database_url_is_refused(value: str) -> None:
    only_problems_of(env(DATABASE_URL=value), "DATABASE_URL")


@pytest.mark.parametrize("environment", ["production", "staging", "test"])
@pytest.mark.parametrize("value", ["sqlite:///./shop.db", "sqlite+aiosqlite:///./.data/flower-vendor.db"])
def test_sqlite_is_refused_outside_development(environment: str, value: str) -> None:
    messages = only_problems_of(env(ENVIRONMENT=environment, DATABASE_URL=value), "DATABASE_URL")
    assert any("SQLite" in m for m in messages)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "postgresql://user:pass@db.internal:5432/shop",
            "postgresql+asyncpg://user:pass@db.internal:5432/shop",
        ),
        ("postgres://user:pass@db.internal/shop", "postgresql+asyncpg://user:pass@db.internal/shop"),
        (
            "postgresql+asyncpg://user:pass@db.internal:6432/shop",
            "postgresql+asyncpg://user:pass@db.internal:6432/shop",
        ),
    ],
)
def test_postgres_url_is_accepted_and_used_with_asyncpg(value: str, expected: str) -> None:
    settings = load_settings(env(DATABASE_URL=value))
    assert settings.database_url.reveal() == expected
    assert not settings.uses_sqlite


def test_percent_encoded_password_survives_the_rewrite() -> None:
    url = load_settings(env(DATABASE_URL="postgresql://app:p%40ss%3Aw0rd@db.internal/shop")).database_url.reveal()
    assert url == "postgresql+asyncpg://app:p%40ss%3Aw0rd@db.internal/shop"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("postgresql://app:pw@db.internal:abc/shop", id="non-numeric-port"),
        pytest.param("postgresql://app:s3cr@t:LeakyPart@db.internal/shop", id="unescaped-at-in-password"),
    ],
)
def test_database_url_with_unparseable_port_is_a_configuration_problem(value: str) -> None:
    # Today: ValueError("invalid literal for int() with base 10: 'LeakyPart@db.internal'").
    problems = refusal(env(DATABASE_URL=value, DB_POOL_SIZE="0"))
    assert variables(problems) == {"DATABASE_URL", "DB_POOL_SIZE"}
    assert all("LeakyPart" not in p.message for p in problems)


# --- REDIS_URL --------------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["production", "staging", "test"])
def test_redis_url_is_required_outside_development(environment: str) -> None:
    messages = only_problems_of(without("REDIS_URL", ENVIRONMENT=environment), "REDIS_URL")
    assert any("required" in m for m in messages)


@pytest.mark.parametrize(
    "value", ["http://cache.internal:6379", "cache.internal:6379", "tcp://cache.internal:6379", "memcached://cache"]
)
def test_redis_url_must_use_a_redis_scheme(value: str) -> None:
    messages = only_problems_of(env(REDIS_URL=value), "REDIS_URL")
    assert any("redis://" in m for m in messages)


@pytest.mark.parametrize(
    "value", ["redis://cache.internal:6379/0", "rediss://:pw@cache.internal:6380/1", "unix:///run/redis.sock"]
)
def test_redis_schemes_are_accepted(value: str) -> None:
    redis_url = load_settings(env(REDIS_URL=value)).redis_url
    assert redis_url is not None
    assert redis_url.reveal() == value


# --- REQUIRE_SECURE_SECRETS -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["false", "FALSE", "0", "no"])
def test_require_secure_secrets_false_is_refused_in_production(value: str) -> None:
    messages = only_problems_of(env(REQUIRE_SECURE_SECRETS=value), "REQUIRE_SECURE_SECRETS")
    assert any("production" in m for m in messages)


def test_weak_key_is_still_refused_in_production_when_secure_secrets_is_disabled() -> None:
    problems = refusal(env(REQUIRE_SECURE_SECRETS="false", SECRET_KEY="short"))
    assert variables(problems) == {"REQUIRE_SECURE_SECRETS", "SECRET_KEY"}


@pytest.mark.parametrize("environment", ["staging", "test"])
def test_require_secure_secrets_false_allows_weak_secrets_outside_production(environment: str) -> None:
    weak = env(ENVIRONMENT=environment, SECRET_KEY="short", METRICS_TOKEN="tok", SECRET_KEY_PREVIOUS="old")
    # Without the opt-out the same values are refused...
    assert variables(refusal(weak)) == {"SECRET_KEY", "METRICS_TOKEN", "SECRET_KEY_PREVIOUS"}

    # ...and with it they are accepted.
    settings = load_settings({**weak, "REQUIRE_SECURE_SECRETS": "false"})
    assert settings.require_secure_secrets is False
    assert settings.secret_key.reveal() == "short"
    assert settings.metrics_token == Secret("tok")
    assert [s.reveal() for s in settings.secret_key_previous] == ["old"]


# --- CORS_ORIGINS / ALLOWED_HOSTS / TRUSTED_PROXIES -------------------------------------------


def test_cors_wildcard_is_refused_in_production() -> None:
    messages = only_problems_of(env(CORS_ORIGINS="https://shop.example,*"), "CORS_ORIGINS")
    assert any("*" in m for m in messages)


def test_cors_wildcard_is_allowed_in_staging() -> None:
    assert load_settings(env(ENVIRONMENT="staging", CORS_ORIGINS="*")).cors_origins == ("*",)


@pytest.mark.parametrize(
    "value",
    [
        "shop.example",
        "ftp://shop.example",
        "https://shop.example/path",
        "https://",
        "https://shop example.com",
        "https://shop.example:port",
    ],
)
def test_malformed_cors_origin_is_refused(value: str) -> None:
    only_problems_of(env(CORS_ORIGINS=f"https://ok.example,{value}"), "CORS_ORIGINS")


def test_cors_origins_are_parsed_and_trailing_slash_dropped() -> None:
    settings = load_settings(env(CORS_ORIGINS=" https://shop.example , http://localhost:3000/ ,"))
    assert settings.cors_origins == ("https://shop.example", "http://localhost:3000")


def test_allowed_hosts_wildcard_is_refused_in_production() -> None:
    messages = only_problems_of(env(ALLOWED_HOSTS="*"), "ALLOWED_HOSTS")
    assert any("*" in m for m in messages)


def test_allowed_hosts_wildcard_is_allowed_in_staging() -> None:
    assert load_settings(env(ENVIRONMENT="staging", ALLOWED_HOSTS="*")).allowed_hosts == ("*",)


def test_allowed_hosts_are_normalised() -> None:
    settings = load_settings(env(ALLOWED_HOSTS="Shop.Example, *.shop.test ,[::1],10.0.0.5"))
    assert settings.allowed_hosts == ("shop.example", "*.shop.test", "::1", "10.0.0.5")


def test_allowed_hosts_may_pin_a_port() -> None:
    settings = load_settings(env(ALLOWED_HOSTS="Shop.Example:8443,[::1]:8000,10.0.0.5:443,localhost"))
    assert settings.allowed_hosts == ("shop.example:8443", "[::1]:8000", "10.0.0.5:443", "localhost")


@pytest.mark.parametrize(
    "value",
    [
        "shop.example:evil",
        "shop.example:0",
        "shop.example:70000",
        "shop.example:",
        "http://shop.example",
        "shop_example.com",
        "-bad.example",
    ],
)
def test_malformed_allowed_host_is_refused(value: str) -> None:
    only_problems_of(env(ALLOWED_HOSTS=f"shop.example,{value}"), "ALLOWED_HOSTS")


def test_empty_allowed_hosts_is_refused() -> None:
    only_problems_of(env(ALLOWED_HOSTS=" , "), "ALLOWED_HOSTS")


@pytest.mark.parametrize("value", ["10.0.0.0/33", "300.1.1.1", "10.0.0.0/8/1", "proxy.internal", "fe80::/129"])
def test_bad_trusted_proxy_cidr_is_refused(value: str) -> None:
    only_problems_of(env(TRUSTED_PROXIES=f"10.0.0.0/8,{value}"), "TRUSTED_PROXIES")


def test_trusted_proxies_are_parsed_as_networks() -> None:
    settings = load_settings(env(TRUSTED_PROXIES="10.0.0.0/8, 192.168.1.7 ,fd00::/8"))
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.168.1.7/32", "fd00::/8")


# --- the server's front door ------------------------------------------------------------------


def test_front_door_defaults_are_safe() -> None:
    settings = load_settings(VALID_PRODUCTION)
    assert settings.max_header_bytes == 32_768
    assert settings.header_read_timeout_seconds == 10.0
    assert settings.max_connections == 1000


def test_front_door_limits_can_be_set() -> None:
    settings = load_settings(env(MAX_HEADER_BYTES="8192", HEADER_READ_TIMEOUT_SECONDS="1.5", MAX_CONNECTIONS="4"))
    assert settings.max_header_bytes == 8192
    assert settings.header_read_timeout_seconds == 1.5
    assert settings.max_connections == 4


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MAX_HEADER_BYTES", "1024"),  # too small for real browsers' headers
        ("MAX_HEADER_BYTES", "2097152"),  # a limit that no longer protects
        ("MAX_HEADER_BYTES", "32k"),
        ("HEADER_READ_TIMEOUT_SECONDS", "0"),
        ("HEADER_READ_TIMEOUT_SECONDS", "0.1"),
        ("HEADER_READ_TIMEOUT_SECONDS", "3600"),
        ("HEADER_READ_TIMEOUT_SECONDS", "soon"),
        ("MAX_CONNECTIONS", "0"),
        ("MAX_CONNECTIONS", "-5"),
        ("MAX_CONNECTIONS", "1000000"),
        ("MAX_CONNECTIONS", "many"),
    ],
)
def test_bad_front_door_limit_is_refused(variable: str, value: str) -> None:
    messages = only_problems_of(env(**{variable: value}), variable)
    assert len(messages) == 1


# --- numbers and booleans ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DB_POOL_SIZE", "0"),
        ("DB_POOL_SIZE", "-1"),
        ("DB_POOL_SIZE", "ten"),
        ("DB_MAX_OVERFLOW", "-1"),
        ("DB_POOL_TIMEOUT", "abc"),
        ("DB_POOL_TIMEOUT", "0"),
        ("DB_POOL_RECYCLE", "0"),
        ("MAX_REQUEST_BODY_BYTES", "abc"),
        ("MAX_REQUEST_BODY_BYTES", "1.5"),
        ("MAX_REQUEST_BODY_BYTES", "0"),
        ("ACCESS_TOKEN_EXPIRE_MINUTES", "0"),
        ("ACCESS_TOKEN_EXPIRE_MINUTES", "15m"),
        ("REFRESH_TOKEN_EXPIRE_DAYS", "0"),
        ("AUTH_RATE_LIMIT", "0"),
        ("API_RATE_LIMIT", "-300"),
        ("AUTHENTICATED_RATE_LIMIT", "lots"),
    ],
)
def test_bad_number_is_refused(variable: str, value: str) -> None:
    messages = only_problems_of(env(**{variable: value}), variable)
    assert len(messages) == 1


@pytest.mark.parametrize("variable", ["REQUIRE_SECURE_SECRETS", "ENABLE_DISTRIBUTED_RATE_LIMITING", "DB_POOL_PRE_PING"])
@pytest.mark.parametrize("value", ["maybe", "2", "tru", "enabled"])
def test_bad_boolean_is_refused(variable: str, value: str) -> None:
    messages = only_problems_of(env(**{variable: value}), variable)
    assert any("true or false" in m for m in messages)


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("TRUE", True), ("false", False), ("False", False)])
def test_booleans_are_case_insensitive(value: str, expected: bool) -> None:
    settings = load_settings(env(ENABLE_DISTRIBUTED_RATE_LIMITING=value))
    assert settings.enable_distributed_rate_limiting is expected


# --- METRICS_TOKEN ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["short-token", "change-me-metrics-token-0123456789abcdef", "m" * 48, "metrics-metrics-metrics-metrics"]
)
def test_weak_metrics_token_is_refused(value: str) -> None:
    only_problems_of(env(METRICS_TOKEN=value), "METRICS_TOKEN")


def test_strong_metrics_token_is_kept_as_a_secret() -> None:
    token = load_settings(env(METRICS_TOKEN=STRONG_TOKEN)).metrics_token
    assert isinstance(token, Secret)
    assert token.reveal() == STRONG_TOKEN


# --- every problem at once --------------------------------------------------------------------


def test_every_problem_is_reported_at_once() -> None:
    error_env = {
        "ENVIRONMENT": "production",
        "SECRET_KEY": "change-me",
        "DATABASE_URL": "mysql://app:pw@db.internal/shop",
        # REDIS_URL missing
        "REQUIRE_SECURE_SECRETS": "false",
        "CORS_ORIGINS": "*",
        "ALLOWED_HOSTS": "*",
        "TRUSTED_PROXIES": "10.0.0.0/99",
        "DB_POOL_SIZE": "0",
        "MAX_REQUEST_BODY_BYTES": "abc",
        "DB_POOL_PRE_PING": "maybe",
        "METRICS_TOKEN": "weak",
    }
    expected = {
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "REQUIRE_SECURE_SECRETS",
        "CORS_ORIGINS",
        "ALLOWED_HOSTS",
        "TRUSTED_PROXIES",
        "DB_POOL_SIZE",
        "MAX_REQUEST_BODY_BYTES",
        "DB_POOL_PRE_PING",
        "METRICS_TOKEN",
    }
    with pytest.raises(ConfigurationError) as caught:
        load_settings(error_env)

    assert variables(caught.value.problems) == expected
    assert len(caught.value.problems) >= len(expected)
    text = str(caught.value)
    for variable in expected:
        assert variable in text


def test_three_independent_problems_give_three_entries() -> None:
    problems = refusal(env(ENVIRONMENT="bogus", DB_POOL_SIZE="0", REDIS_URL="http://cache"))
    assert len(problems) >= 3
    assert variables(problems) == {"ENVIRONMENT", "DB_POOL_SIZE", "REDIS_URL"}


def test_problem_renders_as_variable_and_message() -> None:
    problem = ConfigProblem("DB_POOL_SIZE", "must be between 1 and 500")
    assert str(problem) == "DB_POOL_SIZE: must be between 1 and 500"


# --- secrets never shown ----------------------------------------------------------------------

CANARY = "Kq7CanaryZ"


def _texts_of(error: ConfigurationError) -> list[str]:
    return [str(error), repr(error), repr(error.problems), *(str(p) for p in error.problems)]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        pytest.param("SECRET_KEY", f"change-me-{CANARY}", id="secret-key-placeholder"),
        pytest.param("SECRET_KEY", CANARY, id="secret-key-short"),
        pytest.param("SECRET_KEY_PREVIOUS", f"{OTHER_STRONG_KEY},{CANARY}", id="previous-key"),
        pytest.param("DATABASE_URL", f"mysql://app:{CANARY}@db.internal/shop", id="database-not-postgres"),
        pytest.param("DATABASE_URL", f"postgresql://app:{CANARY}@/shop", id="database-no-host"),
        pytest.param("DATABASE_URL", f"postgresql://app:{CANARY}@db.internal/", id="database-no-name"),
        pytest.param("DATABASE_URL", f"sqlite:///{CANARY}.db", id="database-sqlite"),
        pytest.param("DATABASE_URL", f"{CANARY} not a url", id="database-garbage"),
        pytest.param("REDIS_URL", f"http://:{CANARY}@cache.internal:6379", id="redis-bad-scheme"),
        pytest.param("METRICS_TOKEN", CANARY, id="metrics-token-weak"),
    ],
)
def test_refusal_never_echoes_the_secret(variable: str, value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(env(**{variable: value}))

    assert variable in {p.variable for p in caught.value.problems}
    for text in _texts_of(caught.value):
        assert CANARY not in text


def test_many_refusals_at_once_never_echo_any_secret() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(
            {
                "SECRET_KEY": f"super-secret-{CANARY}1",
                "SECRET_KEY_PREVIOUS": f"{CANARY}2",
                "DATABASE_URL": f"mysql://app:{CANARY}3@db.internal/shop",
                "REDIS_URL": f"http://:{CANARY}4@cache.internal",
                "METRICS_TOKEN": f"{CANARY}5",
            }
        )

    assert variables(caught.value.problems) == {
        "SECRET_KEY",
        "SECRET_KEY_PREVIOUS",
        "DATABASE_URL",
        "REDIS_URL",
        "METRICS_TOKEN",
    }
    for text in _texts_of(caught.value):
        assert CANARY not in text


def test_settings_repr_and_str_never_contain_secrets() -> None:
    key = f"{CANARY}-signing-key-0123456789abcdefghij"
    previous = f"{CANARY}-retired-key-0123456789abcdefghij"
    token = f"{CANARY}-metrics-token-0123456789abcdefg"
    settings = load_settings(
        env(
            SECRET_KEY=key,
            SECRET_KEY_PREVIOUS=previous,
            DATABASE_URL=f"postgresql://app:{CANARY}db@db.internal/shop",
            REDIS_URL=f"redis://:{CANARY}redis@cache.internal:6379/0",
            METRICS_TOKEN=token,
        )
    )

    # The values are there...
    assert settings.secret_key.reveal() == key
    assert settings.metrics_token is not None
    assert settings.metrics_token.reveal() == token
    assert f"{CANARY}db" in settings.database_url.reveal()
    assert settings.redis_url is not None
    assert f"{CANARY}redis" in settings.redis_url.reveal()
    # ...but never printed.
    for text in (repr(settings), str(settings), f"{settings}", "%s" % (settings,)):  # noqa: UP031
        assert CANARY not in text
        assert "Secret(" in text


# --- Secret -----------------------------------------------------------------------------------


def test_secret_hides_its_value_in_every_rendering() -> None:
    secret = Secret(CANARY)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % secret, str([secret])):  # noqa: UP031
        assert CANARY not in text
    assert secret.reveal() == CANARY


def test_secret_equality_compares_values() -> None:
    assert Secret("abc") == Secret("abc")
    assert Secret("abc") != Secret("abd")
    assert Secret("abc") != "abc"
    assert hash(Secret("abc")) == hash(Secret("abc"))


def test_secret_equality_supports_non_ascii_values() -> None:
    value = "cl\u00e9-\u00fcn\u00efcode-\u043a\u043b\u044e\u0447"
    assert Secret(value) == Secret(value)


# --- generated keys and development defaults --------------------------------------------------


def test_generated_secret_key_is_strong() -> None:
    key = generate_secret_key()
    assert secret_strength_problems(key) == []
    assert len(key) >= 32


def test_generated_secret_keys_differ() -> None:
    assert generate_secret_key() != generate_secret_key()


def test_development_defaults_need_no_other_variable() -> None:
    settings = load_settings({"ENVIRONMENT": "development"})

    assert settings.environment is Environment.DEVELOPMENT
    assert settings.is_development
    assert settings.secret_key_generated is True
    assert secret_strength_problems(settings.secret_key.reveal()) == []
    assert settings.uses_sqlite
    assert settings.database_url.reveal().startswith("sqlite+aiosqlite:///./.data/")
    assert settings.redis_url is None
    assert settings.enable_distributed_rate_limiting is False
    assert settings.docs_enabled is True
    assert settings.debug is True


def test_each_development_start_generates_its_own_key() -> None:
    first = load_settings({"ENVIRONMENT": "development"}).secret_key
    second = load_settings({"ENVIRONMENT": "development"}).secret_key
    assert first.reveal() != second.reveal()


def test_development_keeps_an_explicit_key() -> None:
    settings = load_settings({"ENVIRONMENT": "development", "SECRET_KEY": STRONG_KEY})
    assert settings.secret_key.reveal() == STRONG_KEY
    assert settings.secret_key_generated is False


def test_development_accepts_an_explicit_sqlite_url() -> None:
    settings = load_settings({"ENVIRONMENT": "development", "DATABASE_URL": "sqlite:///./other.db"})
    assert settings.database_url.reveal() == "sqlite+aiosqlite:///./other.db"


def test_production_turns_docs_and_debug_off() -> None:
    settings = load_settings(VALID_PRODUCTION)
    assert isinstance(settings, Settings)
    assert settings.docs_enabled is False
    assert settings.debug is False
    assert settings.uses_sqlite is False


# --- one declaration --------------------------------------------------------------------------


def _bounded_fields() -> list[tuple[str, type, float, float]]:
    """(field, int or float, ge, le) for every field whose bounds ``Settings`` declares with ``msgspec.Meta``."""
    bounded = []
    for field in msgspec.structs.fields(Settings):
        if typing.get_origin(field.type) is not typing.Annotated:
            continue
        kind, *extras = typing.get_args(field.type)
        for meta in (extra for extra in extras if isinstance(extra, msgspec.Meta) and extra.ge is not None):
            assert meta.le is not None
            bounded.append((field.name, kind, meta.ge, meta.le))
    return bounded


def test_every_setting_but_one_is_read_from_the_variable_named_after_it() -> None:
    fields = [field.name for field in msgspec.structs.fields(Settings)]
    assert environment_variables() == tuple(name.upper() for name in fields if name != "secret_key_generated")


def test_every_number_setting_declares_its_bounds() -> None:
    bounded = {name for name, *_ in _bounded_fields()}
    numbers = {field.name for field in msgspec.structs.fields(Settings) if field.default.__class__ in (int, float)}
    assert numbers == bounded
    assert len(bounded) >= 19


@pytest.mark.parametrize(("field", "kind", "minimum", "maximum"), _bounded_fields())
def test_declared_bounds_are_the_ones_enforced(field: str, kind: type, minimum: float, maximum: float) -> None:
    variable = field.upper()
    for edge in (minimum, maximum):
        assert getattr(load_settings(env(**{variable: str(kind(edge))})), field) == edge
    step = 1 if kind is int else min(minimum / 2, 0.001) or 0.001
    between = f"{minimum} and {maximum}" if kind is int else f"{minimum:g} and {maximum:g}"
    for outside in (minimum - step, maximum + step):
        assert only_problems_of(env(**{variable: str(kind(outside))}), variable) == [f"must be between {between}"]


def test_declared_defaults_are_the_ones_applied() -> None:
    settings = load_settings(VALID_PRODUCTION)
    for field in msgspec.structs.fields(Settings):
        if field.name not in {"environment", "secret_key", "database_url", "redis_url"} and not field.required:
            assert getattr(settings, field.name) == field.default, field.name


def test_a_value_refused_by_a_rule_leaves_the_default_to_the_rules_after_it() -> None:
    # REQUIRE_SECURE_SECRETS=false is refused in production, so the key is still checked for strength.
    problems = refusal(env(REQUIRE_SECURE_SECRETS="false", SECRET_KEY_PREVIOUS="short"))
    assert problems == (
        ConfigProblem("REQUIRE_SECURE_SECRETS", "false is refused in production"),
        ConfigProblem("SECRET_KEY_PREVIOUS", "entry 1 must be at least 32 characters long"),
        ConfigProblem("SECRET_KEY_PREVIOUS", "entry 1 must contain at least 10 distinct characters"),
    )


def test_problems_come_in_declaration_order_with_todays_messages() -> None:
    problems = refusal(
        {
            "LOG_FORMAT": "xml",
            "DB_POOL_SIZE": "ten",
            "DB_POOL_TIMEOUT": "soon",
            "ENVIRONMENT": "qa",
            "ALLOWED_HOSTS": "http://x",
            "DB_ISOLATION_LEVEL": "chaos",
        }
    )
    assert [str(problem) for problem in problems] == [
        "ENVIRONMENT: must be one of production, staging, development, test",
        "SECRET_KEY: is required when ENVIRONMENT=production",
        "DATABASE_URL: is required when ENVIRONMENT=production",
        "REDIS_URL: is required when ENVIRONMENT=production (rate limits and sessions)",
        "ALLOWED_HOSTS: 'http://x' is not valid",
        "ALLOWED_HOSTS: must list at least one host",
        "DB_POOL_SIZE: must be a whole number",
        "DB_POOL_TIMEOUT: must be a number",
        "DB_ISOLATION_LEVEL: must be one of READ COMMITTED, REPEATABLE READ, SERIALIZABLE",
        "LOG_FORMAT: must be one of json, console",
    ]


def test_development_default_applies_only_when_the_variable_is_unset() -> None:
    assert load_settings({"ENVIRONMENT": "development", "LOG_FORMAT": " "}).log_format == "console"
    assert load_settings({"ENVIRONMENT": "development", "LOG_FORMAT": "json"}).log_format == "json"
    assert load_settings({"ENVIRONMENT": "staging", **without("ENVIRONMENT")}).log_format == "json"
