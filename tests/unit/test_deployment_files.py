"""Static checks of the deployment files: Dockerfile, .dockerignore, compose.yaml and .env.example.

No Docker engine is needed: the files are parsed and compared with what the code actually reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytest
import yaml

from infrastructure import config
from infrastructure.config import ConfigurationError, generate_secret_key, load_settings, secret_strength_problems

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

# Read by compose.yaml for interpolation, never by the app.
COMPOSE_ONLY_VARIABLES = frozenset({"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "REDIS_PASSWORD"})
SECRET_NAME_RE = re.compile(r"SECRET|PASSWORD|TOKEN|KEY(?!_PREFIX)")
TOKEN_LIKE_RE = re.compile(r"[A-Za-z0-9_\-+/=]{32,}")
ENV_LINE_RE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")
# ${VAR}, ${VAR:?msg}, ${VAR:-default} and $VAR; "$$" is compose's escape for a literal "$".
COMPOSE_VARIABLE_RE = re.compile(r"(?<!\$)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")


# --- helpers ---------------------------------------------------------------------------------------


class RecordingEnviron(Mapping[str, str]):
    """An environment that remembers every name the code looked up."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self.looked_up: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.looked_up.add(key)
        return self._values[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.looked_up.add(key)
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("load_settings must look variables up by name, not scan the environment")

    def __len__(self) -> int:
        return len(self._values)


def parse_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = ENV_LINE_RE.match(line)
        assert match, f"{path.name}:{number}: not a NAME=value line: {line!r}"
        name, value = match.groups()
        assert name not in values, f"{path.name}:{number}: {name} is defined twice"
        values[name] = value
    return values


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        joined.append(pending + stripped)
        pending = ""
    assert not pending, "Dockerfile ends with a line continuation"
    instructions = []
    for line in joined:
        keyword, _, arguments = line.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(index for index, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


# --- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services = compose.get("services")
    assert isinstance(services, dict)
    return services


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    return parse_env_file(ENV_EXAMPLE)


@pytest.fixture(scope="module")
def app_variables() -> set[str]:
    """The variables config.py declares, checked against the names load_settings actually looks up."""
    declared = set(config.environment_variables())
    environ = RecordingEnviron({})
    with pytest.raises(ConfigurationError):
        load_settings(environ)
    assert declared == environ.looked_up, f"declared and looked up disagree: {sorted(declared ^ environ.looked_up)}"
    # A floor, so a refactor that hides the reads from this test fails it instead of passing vacuously.
    assert {"ENVIRONMENT", "SECRET_KEY", "SECRET_KEY_PREVIOUS", "DATABASE_URL", "REDIS_URL"} <= declared
    assert len(declared) >= 25
    return declared


# --- .env.example ----------------------------------------------------------------------------------


def test_env_example_documents_exactly_the_variables_config_reads(
    env_example: dict[str, str], app_variables: set[str]
) -> None:
    expected = app_variables | COMPOSE_ONLY_VARIABLES
    documented = set(env_example)
    assert not expected - documented, f"missing from .env.example: {sorted(expected - documented)}"
    assert not documented - expected, f"in .env.example but read by nothing: {sorted(documented - expected)}"


def test_env_example_covers_every_name_load_settings_looks_up(env_example: dict[str, str]) -> None:
    environ = RecordingEnviron({})
    with pytest.raises(ConfigurationError):
        load_settings(environ)
    assert environ.looked_up, "load_settings looked nothing up"
    assert not environ.looked_up - set(env_example), (
        f"read at runtime but not in .env.example: {sorted(environ.looked_up - set(env_example))}"
    )


def test_every_env_example_variable_has_a_comment(env_example: dict[str, str]) -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        match = ENV_LINE_RE.match(line)
        if match:
            assert index > 0, f"{match.group(1)} has no comment above it"
            assert lines[index - 1].startswith("# "), f"{match.group(1)} has no comment above it"


def test_env_example_is_production_and_commits_no_secret(env_example: dict[str, str]) -> None:
    assert env_example["ENVIRONMENT"] == "production"
    assert env_example["SECRET_KEY"] == "", "SECRET_KEY must be left empty in the template"
    for name, value in env_example.items():
        candidates: list[str] = []
        if SECRET_NAME_RE.search(name):
            candidates.extend(item.strip() for item in value.split(",") if item.strip())
        candidates.extend(TOKEN_LIKE_RE.findall(value))
        if "://" in value:
            password = urlsplit(value).password
            if password:
                candidates.append(password)
        for candidate in candidates:
            assert secret_strength_problems(candidate), f"{name} holds what looks like a real secret"


def test_env_example_refuses_to_start_until_filled_in(env_example: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_settings(env_example)
    assert "SECRET_KEY" in {problem.variable for problem in refused.value.problems}


def test_env_example_is_otherwise_a_valid_production_configuration(env_example: dict[str, str]) -> None:
    filled = {**env_example, "SECRET_KEY": generate_secret_key()}
    settings = load_settings(filled)
    assert settings.is_production
    assert settings.database_url.reveal().startswith("postgresql+asyncpg://")
    assert urlsplit(settings.database_url.reveal()).hostname == "postgres"
    assert settings.redis_url is not None
    assert urlsplit(settings.redis_url.reveal()).hostname == "redis"
    # The container healthchecks send "Host: 127.0.0.1:8000".
    assert "127.0.0.1" in settings.allowed_hosts


def test_env_example_tunables_equal_the_code_defaults(env_example: dict[str, str]) -> None:
    """Copying the template changes nothing the code would not do anyway (production defaults)."""
    settings = load_settings({**env_example, "SECRET_KEY": generate_secret_key()})
    not_tunables = {"secret_key_previous", "secret_key_generated", "redis_url", "metrics_token"}
    checked = 0
    for field in msgspec.structs.fields(config.Settings):
        if field.required or field.name in not_tunables:
            continue
        assert getattr(settings, field.name) == field.default, (
            f"{field.name.upper()} in .env.example differs from the code default"
        )
        checked += 1
    assert checked >= 20


# --- compose.yaml ----------------------------------------------------------------------------------


def test_compose_has_the_four_services(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == {"api", "migrate", "postgres", "redis"}
    assert str(services["postgres"]["image"]).startswith("postgres:16")
    assert str(services["redis"]["image"]).startswith("redis:7")


@pytest.mark.parametrize("name", ["api", "postgres", "redis"])
def test_long_running_services_have_a_healthcheck(services: dict[str, dict[str, Any]], name: str) -> None:
    healthcheck = services[name].get("healthcheck")
    assert isinstance(healthcheck, dict), f"{name} has no healthcheck"
    assert not healthcheck.get("disable")
    assert healthcheck.get("test"), f"{name}'s healthcheck has no test"


def test_service_healthchecks_probe_the_right_thing(services: dict[str, dict[str, Any]]) -> None:
    api_test = " ".join(services["api"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/health/ready" in api_test
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    redis = services["redis"]
    assert "redis-cli" in " ".join(redis["healthcheck"]["test"])
    assert "ping" in " ".join(redis["healthcheck"]["test"])
    # redis-cli authenticates with REDISCLI_AUTH, the same password the server requires.
    assert redis["environment"]["REDISCLI_AUTH"].startswith("${REDIS_PASSWORD")


def test_migrate_runs_once_then_the_api_starts(services: dict[str, dict[str, Any]]) -> None:
    migrate, api = services["migrate"], services["api"]
    assert migrate["command"] == ["flower-vendor", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate.get("healthcheck", {"disable": True}).get("disable") is True
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert api["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert api["depends_on"]["redis"]["condition"] == "service_healthy"
    assert api["restart"] == "unless-stopped"


@pytest.mark.parametrize("name", ["api", "migrate"])
def test_app_services_build_this_image_and_read_dot_env(services: dict[str, dict[str, Any]], name: str) -> None:
    service = services[name]
    build = service["build"]
    assert (build if isinstance(build, str) else build["context"]) == "."
    env_file = service["env_file"]
    assert (env_file if isinstance(env_file, list) else [env_file]) == [".env"]
    assert "environment" not in service, "the app's settings belong in .env, not compose.yaml"
    assert service["read_only"] is True
    assert "/tmp" in service["tmpfs"]  # noqa: S108 - a tmpfs mount, checked not created
    assert "no-new-privileges:true" in service["security_opt"]


def test_only_the_api_is_published_and_only_on_loopback(services: dict[str, dict[str, Any]]) -> None:
    assert services["api"]["ports"] == ["127.0.0.1:8000:8000"]
    for name in ("migrate", "postgres", "redis"):
        assert "ports" not in services[name], f"{name} must not be published"


def test_data_services_require_their_credentials_and_persist(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    environment = services["postgres"]["environment"]
    for name in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"):
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}]+\}}", environment[name]), f"{name} must use ${{{name}:?...}}"
    redis_command = services["redis"]["command"]
    assert redis_command[0] == "redis-server", "the entrypoint drops privileges only for redis-server"
    options = dict(zip(redis_command[1::2], redis_command[2::2], strict=True))
    assert options["--appendonly"] == "yes"
    assert re.fullmatch(r"\$\{REDIS_PASSWORD:\?[^}]+\}", options["--requirepass"])
    declared = set(compose["volumes"])
    for name in ("postgres", "redis"):
        for volume in services[name]["volumes"]:
            source = volume.split(":", 1)[0]
            assert source in declared, f"{name} mounts {source}, which is not a named volume"


def _strings(node: object) -> Iterator[str]:
    """Every string value in a parsed YAML document (what compose interpolates; comments are not)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def test_every_compose_variable_is_defined_in_env_example(compose: dict[str, Any], env_example: dict[str, str]) -> None:
    used = {braced or bare for value in _strings(compose) for braced, bare in COMPOSE_VARIABLE_RE.findall(value)}
    assert used, "compose.yaml interpolates nothing"
    assert used <= set(env_example), f"undefined in .env.example: {sorted(used - set(env_example))}"
    assert used >= COMPOSE_ONLY_VARIABLES


def test_env_example_urls_point_at_the_compose_services(env_example: dict[str, str]) -> None:
    database = urlsplit(env_example["DATABASE_URL"])
    assert (database.hostname, database.port) == ("postgres", 5432)
    assert database.username == env_example["POSTGRES_USER"]
    assert database.path.lstrip("/") == env_example["POSTGRES_DB"]
    redis = urlsplit(env_example["REDIS_URL"])
    assert (redis.hostname, redis.port) == ("redis", 6379)


# --- Dockerfile ------------------------------------------------------------------------------------


def test_dockerfile_is_multi_stage_on_python_slim() -> None:
    instructions = dockerfile_instructions()
    froms = [arguments for keyword, arguments in instructions if keyword == "FROM"]
    assert len(froms) >= 2
    args = dict(arguments.split("=", 1) for keyword, arguments in instructions if keyword == "ARG" and "=" in arguments)
    images = [args.get(ref.strip("${}"), ref) for ref in (line.split()[0] for line in froms)]
    assert all(image == "python:3.12-slim" for image in images), images
    assert any("--from=builder" in arguments for keyword, arguments in final_stage(instructions) if keyword == "COPY")


def test_dockerfile_installs_locked_dependencies_before_the_sources() -> None:
    instructions = dockerfile_instructions()
    runs = [(index, arguments) for index, (keyword, arguments) in enumerate(instructions) if keyword == "RUN"]
    copies = [(index, arguments) for index, (keyword, arguments) in enumerate(instructions) if keyword == "COPY"]
    deps = next(index for index, arguments in runs if "uv sync --frozen --no-dev --no-install-project" in arguments)
    install_project = re.compile(r"uv sync --frozen --no-dev(?! --no-install-project)")
    project = next(index for index, arguments in runs if install_project.search(arguments))
    lock_copy = next(index for index, arguments in copies if "uv.lock" in arguments)
    src_copy = next(index for index, arguments in copies if arguments.startswith("src/"))
    alembic_copy = next(index for index, arguments in copies if arguments.startswith("alembic/"))
    assert lock_copy < deps < src_copy < project
    assert alembic_copy < project


def test_dockerfile_runs_as_an_unprivileged_user() -> None:
    users = [arguments for keyword, arguments in final_stage(dockerfile_instructions()) if keyword == "USER"]
    assert users, "the runtime stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert user == "10001"


def test_dockerfile_serves_the_api_with_a_healthcheck() -> None:
    stage = final_stage(dockerfile_instructions())
    cmd = [arguments for keyword, arguments in stage if keyword == "CMD"]
    assert cmd, "no CMD"
    command = json.loads(cmd[-1])
    assert command[:2] == ["flower-vendor", "serve"]
    assert command[command.index("--host") + 1] == "0.0.0.0"  # noqa: S104 - inside the container
    assert command[command.index("--port") + 1] == "8000"
    assert ("EXPOSE", "8000") in stage
    healthchecks = [arguments for keyword, arguments in stage if keyword == "HEALTHCHECK"]
    assert healthchecks
    assert "http://127.0.0.1:8000/health/live" in healthchecks[-1]
    env = " ".join(arguments for keyword, arguments in stage if keyword == "ENV")
    assert "ENVIRONMENT=production" in env
    assert "/app/.venv/bin" in env


def test_dockerfile_bakes_in_no_secret() -> None:
    for keyword, arguments in dockerfile_instructions():
        if keyword in {"ENV", "ARG", "LABEL"}:
            assert not SECRET_NAME_RE.search(arguments), f"{keyword} {arguments} looks like configuration of a secret"
    copies = " ".join(arguments for keyword, arguments in dockerfile_instructions() if keyword in {"COPY", "ADD"})
    assert ".env" not in copies


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_context() -> None:
    patterns = {
        line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    }
    assert {".env", ".env.*", ".venv", ".git", ".data"} <= patterns
    for needed in ("src", "alembic", "alembic.ini", "pyproject.toml", "uv.lock", "README.md"):
        assert needed not in patterns, f".dockerignore excludes {needed}, which the image needs"
