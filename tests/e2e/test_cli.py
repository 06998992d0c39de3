"""The `flower-vendor` command as operators run it: a real process, real PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable

import pytest

from infrastructure.config import secret_strength_problems
from tests.e2e.conftest import run_cli

pytestmark = pytest.mark.e2e

WEAK_KEY = "change-me-change-me-change-me-change-me"


def _production(service_environ: dict[str, str], **overrides: str) -> dict[str, str]:
    env = {**service_environ, "ENVIRONMENT": "production", **overrides}
    return {k: v for k, v in env.items() if v != ""}


def test_serve_refuses_a_weak_secret_key_without_printing_it(service_environ: dict[str, str]) -> None:
    result = run_cli("serve", env=_production(service_environ, SECRET_KEY=WEAK_KEY), timeout=30)
    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr
    assert WEAK_KEY not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_missing_database_url(service_environ: dict[str, str]) -> None:
    result = run_cli("serve", env=_production(service_environ, DATABASE_URL=""), timeout=30)
    assert result.returncode == 1
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_reports_every_problem_at_once(service_environ: dict[str, str]) -> None:
    env = _production(
        service_environ, SECRET_KEY=WEAK_KEY, DATABASE_URL="", REDIS_URL="", CORS_ORIGINS="*", DB_POOL_SIZE="zero"
    )
    result = run_cli("serve", env=env, timeout=30)
    assert result.returncode == 1
    for variable in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CORS_ORIGINS", "DB_POOL_SIZE"):
        assert variable in result.stderr
    assert WEAK_KEY not in result.stderr


def test_database_password_never_echoed(service_environ: dict[str, str]) -> None:
    url = "mysql://admin:hunter2-very-secret@db.example/shop"
    result = run_cli("check-config", env=_production(service_environ, DATABASE_URL=url))
    assert result.returncode == 1
    assert "DATABASE_URL" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


def test_check_config_exit_codes(service_environ: dict[str, str]) -> None:
    ok = run_cli("check-config", env=_production(service_environ))
    assert ok.returncode == 0, ok.stderr
    assert "valid" in ok.stdout
    bad = run_cli("check-config", env=_production(service_environ, REQUIRE_SECURE_SECRETS="false"))
    assert bad.returncode == 1
    assert "REQUIRE_SECURE_SECRETS" in bad.stderr


def test_keys_generate_prints_a_strong_key_last(service_environ: dict[str, str]) -> None:
    first = run_cli("keys", "generate", env={})
    second = run_cli("keys", "generate", env={})
    assert first.returncode == 0
    key = first.stdout.strip().splitlines()[-1]
    assert secret_strength_problems(key) == []
    assert key != second.stdout.strip().splitlines()[-1]


def test_usage_error_exits_2() -> None:
    result = run_cli("db", "downgrade", env={})
    assert result.returncode == 2


def test_db_upgrade_current_downgrade(make_database: Callable[[], str], service_environ: dict[str, str]) -> None:
    env = _production(service_environ, DATABASE_URL=make_database())
    assert run_cli("db", "current", env=env).stdout.strip() == "base"
    upgraded = run_cli("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "head" in upgraded.stdout
    assert "head" in run_cli("db", "current", env=env).stdout
    downgraded = run_cli("db", "downgrade", "base", env=env)
    assert downgraded.returncode == 0, downgraded.stderr
    assert downgraded.stdout.strip() == "database at base"


def test_db_command_against_an_unreachable_database_is_one_clear_line(service_environ: dict[str, str]) -> None:
    from tests.e2e.conftest import free_port

    url = f"postgresql://postgres:pw-not-shown@127.0.0.1:{free_port()}/nowhere"
    result = run_cli("db", "upgrade", env=_production(service_environ, DATABASE_URL=url))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error:")
    assert "pw-not-shown" not in result.stderr


def _vendor_create(env: dict[str, str], slug: str, email: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "vendor",
        "create",
        "--name",
        "Rosa CLI",
        "--slug",
        slug,
        "--timezone",
        "Europe/Amsterdam",
        "--currency",
        "EUR",
        "--country",
        "NL",
        "--owner-email",
        email,
        "--owner-name",
        "Cli Owner",
        env=env,
    )


def test_vendor_create_and_list_through_the_use_cases(service_environ: dict[str, str]) -> None:
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    email = f"{slug}@example.com"
    env = _production(service_environ, OWNER_PASSWORD="a long owner passphrase")
    created = _vendor_create(env, slug, email)
    assert created.returncode == 0, created.stderr
    made = json.loads(created.stdout.strip().splitlines()[-1])
    assert made["slug"] == slug
    assert "a long owner passphrase" not in created.stdout + created.stderr

    again = _vendor_create(env, slug, f"other-{email}")
    assert again.returncode == 1
    assert again.stderr.startswith("error:")
    assert "slug" in again.stderr

    listed = run_cli("vendor", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    vendors = json.loads(listed.stdout)
    mine = next(v for v in vendors if v["slug"] == slug)
    assert mine["id"] == made["vendor_id"]
    assert mine["active"] is True
    assert {"id", "name", "slug", "active"} <= set(mine)


def test_vendor_create_needs_a_password_but_never_as_an_argument(service_environ: dict[str, str]) -> None:
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    result = _vendor_create(_production(service_environ), slug, f"{slug}@example.com")
    assert result.returncode == 1
    assert "OWNER_PASSWORD" in result.stderr
    weak = _vendor_create(_production(service_environ, OWNER_PASSWORD="password1234"), slug, f"{slug}@example.com")
    assert weak.returncode == 1
    assert "password" in weak.stderr
    assert "Traceback" not in weak.stderr


def test_sessions_revoke_ends_a_users_sessions(service_environ: dict[str, str]) -> None:
    import asyncio
    from uuid import UUID

    from application.accounts.login import Login, LoginCommand
    from application.accounts.ports import SessionStore
    from application.shared.access import AccessTokens
    from infrastructure.config import load_settings
    from infrastructure.di.container import make_container

    slug = f"cli-{uuid.uuid4().hex[:8]}"
    email = f"{slug}@example.com"
    env = _production(service_environ, OWNER_PASSWORD="a long owner passphrase")
    assert _vendor_create(env, slug, email).returncode == 0
    settings = load_settings(env)

    async def log_in() -> UUID:
        container = make_container(settings)
        try:
            async with container() as scope:
                pair = await (await scope.get(Login)).execute(LoginCommand(email, "a long owner passphrase"))
            return (await container.get(AccessTokens)).verify(pair.access_token).session_id  # type: ignore[type-abstract]
        finally:
            await container.close()

    async def is_live(session_id: UUID) -> bool:
        container = make_container(settings)
        try:
            return await (await container.get(SessionStore)).is_live(session_id)  # type: ignore[type-abstract]
        finally:
            await container.close()

    sessions = [asyncio.run(log_in()), asyncio.run(log_in())]
    assert all(asyncio.run(is_live(s)) for s in sessions)
    revoked = run_cli("sessions", "revoke", "--email", email.upper(), env=env)
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked 2 session(s)" in revoked.stdout
    assert not any(asyncio.run(is_live(s)) for s in sessions)

    unknown = run_cli("sessions", "revoke", "--email", "nobody@example.com", env=env)
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("error:")


def test_demo_seed_is_refused_in_production(service_environ: dict[str, str]) -> None:
    result = run_cli("demo", "seed", env=_production(service_environ))
    assert result.returncode == 1
    assert "production" in result.stderr
