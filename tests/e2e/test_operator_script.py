"""The README's "Calling a use case from a Python script": its example script, taken from the README
as it is, run as an operator runs it (a process of the project's Python with the production
environment) against the run's PostgreSQL and Redis; and the API refusing a token that carries a
script's session id."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import jwt
import pytest
from dishka import AsyncContainer
from litestar.testing import AsyncTestClient

from application.accounts.act_as import ActAs
from application.accounts.list_security_events import ListSecurityEvents
from application.accounts.login import Login, LoginCommand
from application.accounts.views import SecurityEventOut
from application.shared.access import AccessClaims, AccessTokens
from application.shared.context import SCRIPT_SESSION_ID
from application.shared.pagination import PageRequest
from application.shared.security_events import SecurityEventKind
from infrastructure.config import load_settings
from infrastructure.di.container import make_container
from interfaces.http.app import create_app
from tests.e2e.conftest import base_environ, run_cli

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"
SCRIPT_NAME = "add_staff.py"
OWNER_PASSWORD = "roses are red violets blue"
STAFF_PASSWORD = "tulips in the spring rain"
UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

R = TypeVar("R")


def readme_script() -> str:
    """The README's example script, exactly: the python block whose first line is ``# add_staff.py``."""
    blocks = re.findall(rf"^```python\n# {re.escape(SCRIPT_NAME)}\n(.*?)^```$", README.read_text("utf-8"), re.M | re.S)
    assert len(blocks) == 1, f"the README should show {SCRIPT_NAME} once"
    return str(blocks[0])


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("operator") / SCRIPT_NAME
    path.write_text(readme_script(), encoding="utf-8")
    return path


@pytest.fixture
def env(service_environ: dict[str, str]) -> dict[str, str]:
    """The production environment the README's invocation exports."""
    return {**service_environ, "ENVIRONMENT": "production", "NEW_STAFF_PASSWORD": STAFF_PASSWORD}


def run_script(script: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``./.venv/bin/python add_staff.py …`` from the script's own directory (not the repository)."""
    return subprocess.run(
        [sys.executable, str(script), *args],
        env={**base_environ(), **env},
        cwd=script.parent,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def new_shop(env: dict[str, str]) -> tuple[str, str, str]:
    """A shop made by ``flower-vendor vendor create``: its slug, its owner's email and id."""
    slug = f"script-{uuid.uuid4().hex[:8]}"
    email = f"owner@{slug}.example"
    created = run_cli(
        *("vendor", "create", "--name", "Rosa Script", "--slug", slug, "--timezone", "Europe/Amsterdam"),
        *("--currency", "EUR", "--country", "NL", "--owner-email", email, "--owner-name", "Olive Owner"),
        env={**env, "OWNER_PASSWORD": OWNER_PASSWORD},
    )
    assert created.returncode == 0, created.stderr
    owner_id = re.search(rf'"owner_id": "({UUID_PATTERN})"', created.stdout)
    assert owner_id is not None, created.stdout
    return slug, email, owner_id.group(1)


def in_process(env: dict[str, str], action: Callable[[AsyncContainer], Awaitable[R]]) -> R:
    """``action`` in one request scope of the service's container, in this process."""

    async def run() -> R:
        container = make_container(load_settings(env))
        try:
            async with container() as scope:
                return await action(scope)
        finally:
            await container.close()

    return asyncio.run(run())


def security_events(env: dict[str, str], slug: str, owner_email: str) -> list[SecurityEventOut]:
    async def read(scope: AsyncContainer) -> list[SecurityEventOut]:
        owner = await (await scope.get(ActAs)).execute(slug, owner_email)
        return list((await (await scope.get(ListSecurityEvents)).execute(owner, PageRequest(limit=100))).items)

    return in_process(env, read)


def log_in(env: dict[str, str], email: str, password: str) -> AccessClaims:
    async def login(scope: AsyncContainer) -> AccessClaims:
        pair = await (await scope.get(Login)).execute(LoginCommand(email, password))
        return (await scope.get(AccessTokens)).verify(pair.access_token)  # type: ignore[type-abstract]

    return in_process(env, login)


def test_the_readme_script_adds_a_member_as_the_owner_and_lists_the_staff(script: Path, env: dict[str, str]) -> None:
    slug, owner_email, owner_id = new_shop(env)
    new_email = f"sam@{slug}.example"

    result = run_script(script, env, slug, owner_email, new_email, "Sam Stem")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    first, *listing = result.stdout.splitlines()
    added = re.fullmatch(rf"added {re.escape(new_email)} \(({UUID_PATTERN})\)", first)
    assert added is not None, result.stdout
    staff = {tuple(line.split(maxsplit=2)) for line in listing}
    assert staff == {("OWNER", owner_email, "Olive Owner"), ("STAFF", new_email, "Sam Stem")}

    # The member really exists, with the role and the password the script gave.
    claims = log_in(env, new_email, STAFF_PASSWORD)
    assert (str(claims.user_id), claims.role) == (added.group(1), "STAFF")

    # Recorded under the owner, from the local operator's script.
    created = [e for e in security_events(env, slug, owner_email) if e.kind is SecurityEventKind.STAFF_CREATED]
    assert len(created) == 1
    assert str(created[0].user_id) == owner_id
    assert created[0].detail["target_user_id"] == added.group(1)
    assert created[0].client_ip == "local"
    assert re.fullmatch(r"script-[0-9a-f]{32}", created[0].request_id)


def test_the_readme_script_ends_with_one_line_when_refused(script: Path, env: dict[str, str]) -> None:
    slug, owner_email, _ = new_shop(env)
    member = f"sam@{slug}.example"
    assert run_script(script, env, slug, owner_email, member, "Sam Stem").returncode == 0

    # A STAFF member may not add staff: the use case's own refusal, recorded as for the API.
    denied = run_script(script, env, slug, member, f"eve@{slug}.example", "Eve Extra")
    assert (denied.returncode, denied.stdout) == (1, "")
    assert denied.stderr == "error: A STAFF may not manage STAFF accounts.\n"
    refusals = [e for e in security_events(env, slug, owner_email) if e.kind is SecurityEventKind.PERMISSION_DENIED]
    assert [(e.detail["action"], e.client_ip) for e in refusals] == [("staff.create", "local")]
    assert refusals[0].request_id.startswith("script-")

    unknown_member = run_script(script, env, slug, f"eve@{slug}.example", f"x@{slug}.example", "X Y")
    assert unknown_member.returncode == 1
    assert unknown_member.stderr == (
        f"error: The shop '{slug}' has no staff member with the email 'eve@{slug}.example'.\n"
    )
    unknown_shop = run_script(script, env, f"{slug}-gone", owner_email, f"x@{slug}.example", "X Y")
    assert unknown_shop.returncode == 1
    assert unknown_shop.stderr == f"error: No shop has the slug '{slug}-gone'.\n"
    taken = run_script(script, env, slug, owner_email, member, "Sam Again")
    assert taken.returncode == 1
    assert taken.stderr == "error: An account with this email already exists.\n"
    no_config = run_script(script, {**env, "SECRET_KEY": ""}, slug, owner_email, f"x@{slug}.example", "X Y")
    assert no_config.returncode == 1
    assert "SECRET_KEY" in no_config.stderr
    assert "Traceback" not in no_config.stderr


async def test_the_api_refuses_a_token_carrying_the_script_session(env: dict[str, str]) -> None:
    """Such a token is never issued; even one signed with the service's key is refused: no session is
    live under that id, and (what matters while Redis cannot say so) verification itself refuses it,
    which tests/unit/test_act_as.py checks."""
    _, owner_email, _ = new_shop(env)
    settings = load_settings(env)
    async with AsyncTestClient(app=create_app(settings)) as client:  # type: ignore[arg-type]
        login = await client.post("/api/auth/login", json={"email": owner_email, "password": OWNER_PASSWORD})
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        assert (await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200

        header = jwt.get_unverified_header(token)
        payload = jwt.decode(token, options={"verify_signature": False})
        key = settings.secret_key.reveal()
        scripted = jwt.encode({**payload, "sid": str(SCRIPT_SESSION_ID)}, key, algorithm="HS256", headers=header)
        resigned = jwt.encode(payload, key, algorithm="HS256", headers=header)  # the same, its own session

        assert (await client.get("/api/auth/me", headers={"Authorization": f"Bearer {resigned}"})).status_code == 200
        refused = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {scripted}"})
        assert refused.status_code == 401
        assert refused.json()["code"] == "INVALID_TOKEN"
