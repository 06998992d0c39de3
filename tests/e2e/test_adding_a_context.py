"""The README's "How to add a feature", applied: the example `notes` context in `tests/examples/notes/`
is dropped into a copy of the repository, the README's registration edits are applied to the copy,
and the copy is linted, migrated and served for real. The README's code blocks are checked against
the example's files, so neither can drift from the other."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.api_helpers import add_staff, bearer, login, signup
from tests.e2e.conftest import base_environ, run_cli, start_server

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
EXAMPLE = REPO / "tests" / "examples" / "notes"
EXAMPLE_PREFIX = "tests/examples/notes/"
BIN = Path(sys.executable).parent
# What the README says adding a context may edit outside the context's own files.
COMPOSITION_ROOTS = {
    "src/infrastructure/di/providers.py",
    "src/interfaces/http/app.py",
    "src/interfaces/cli/main.py",
    "src/infrastructure/di/tables.py",
}
CONTRACTS = "pyproject.toml"


@dataclass(frozen=True)
class Block:
    lang: str
    path: str  # from the block's first line, a `# path` comment
    lines: list[str]  # the rest


def readme_blocks() -> list[Block]:
    blocks = []
    for match in re.finditer(r"^```(\w*)\n(.*?)^```$", README.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL):
        first, _, rest = match.group(2).partition("\n")
        if first.startswith("# ") and ("/" in first or first.endswith(".toml")):
            blocks.append(Block(match.group(1), first[2:].strip(), rest.splitlines()))
    return blocks


def example_blocks() -> list[Block]:
    return [b for b in readme_blocks() if b.lang != "diff" and b.path.startswith(EXAMPLE_PREFIX)]


def edit_blocks() -> list[Block]:
    return [b for b in readme_blocks() if b.lang == "diff"]


def example_files() -> dict[str, Path]:
    """Each example file by the path it would have in the repository."""
    return {
        path.relative_to(EXAMPLE).as_posix(): path
        for path in sorted(EXAMPLE.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    return any(haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))


def apply_edit(root: Path, block: Block) -> None:
    """Apply one README `diff` block (context ` `, removed `-`, added `+` lines, no `@@` header) to
    every place its old lines occur; fail loudly when they occur nowhere."""
    before: list[str] = []
    after: list[str] = []
    for line in block.lines:
        marker, content = line[:1], line[1:]
        if marker not in (" ", "-", "+"):
            pytest.fail(f"README diff for {block.path}: a line must start with ' ', '-' or '+': {line!r}")
        if marker in (" ", "-"):
            before.append(content)
        if marker in (" ", "+"):
            after.append(content)
    target = root / block.path
    lines = target.read_text(encoding="utf-8").splitlines()
    starts = [i for i in range(len(lines) - len(before) + 1) if lines[i : i + len(before)] == before]
    if not before or not starts:
        pytest.fail(
            f"the README's edit to {block.path} no longer applies; these lines are not in the file:\n"
            + "\n".join(before)
        )
    for start in reversed(starts):
        lines[start : start + len(before)] = after
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def copy_with_notes(root: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("src", "alembic"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    for name in ("alembic.ini", "pyproject.toml"):
        shutil.copy2(REPO / name, root / name)
    for relative, source in example_files().items():
        target = root / relative
        assert not target.exists(), f"the example would overwrite {relative}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    for block in edit_blocks():
        apply_edit(root, block)
    return root


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_with_notes(tmp_path_factory.mktemp("repo-with-notes"))


def copy_environ(copy: Path, **extra: str) -> dict[str, str]:
    # PYTHONPATH comes before the site-packages entry of the editable install of the real src/.
    return {**base_environ(), "PYTHONPATH": str(copy / "src"), **extra}


def run(copy: Path, *args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=copy,
        env=copy_environ(copy),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


# --- the README and the example agree ---------------------------------------------------------


def test_readme_code_blocks_are_the_example_files() -> None:
    blocks = example_blocks()
    files = example_files()
    shown = {b.path.removeprefix(EXAMPLE_PREFIX) for b in blocks}
    assert len(blocks) >= 10, "the README's walkthrough lost its code blocks"
    assert {
        "src/domain/notes/note.py",
        "src/application/notes/add_note.py",
        "src/infrastructure/notes/provider.py",
        "src/interfaces/http/notes/__init__.py",
    } <= shown
    for block in blocks:
        relative = block.path.removeprefix(EXAMPLE_PREFIX)
        assert relative in files, f"the README shows {block.path}, which does not exist"
        content = files[relative].read_text(encoding="utf-8").splitlines()
        assert block.lines, f"the README's block for {block.path} is empty"
        assert block.lines == content or _contains_run(content, block.lines), (
            f"the README's block for {block.path} is neither the file nor a contiguous excerpt of it"
        )


def test_readme_edits_touch_only_the_composition_roots_and_the_contracts() -> None:
    edited = {b.path for b in edit_blocks()}
    assert edited == {*COMPOSITION_ROOTS, CONTRACTS}
    for root in COMPOSITION_ROOTS:
        added = [line for b in edit_blocks() if b.path == root for line in b.lines if line.startswith("+")]
        removed = [line for b in edit_blocks() if b.path == root for line in b.lines if line.startswith("-")]
        # One registration line plus its import: added outright, or an existing line extended.
        assert 1 <= len(added) <= 2, (root, added)
        assert len(removed) <= len(added), (root, removed)


def test_the_example_adds_only_its_own_files() -> None:
    for relative in example_files():
        assert not (REPO / relative).exists(), f"{relative} exists in the repository: the example must stay apart"
        parts = Path(relative).parts
        assert "notes" in parts or Path(relative).stem == "notes" or relative == "alembic/versions/0011_notes.py", (
            f"{relative} is outside the notes context's own folders"
        )


# --- the copy, statically ---------------------------------------------------------------------


def test_the_copy_is_what_python_imports(copy: Path) -> None:
    probe = (
        "import interfaces.http.app as app, infrastructure.di.providers as di, infrastructure.notes.provider as p; "
        "print(app.__file__, di.__file__, p.__file__)"
    )
    result = run(copy, sys.executable, "-c", probe)
    assert result.returncode == 0, result.stderr
    for path in result.stdout.split():
        assert Path(path).is_relative_to(copy / "src"), f"imported {path}, not the copy's module"


def test_the_copy_passes_ruff(copy: Path) -> None:
    for args in (("check", "src", "alembic"), ("format", "--check", "src", "alembic")):
        result = run(copy, BIN / "ruff", *args, "--no-cache")
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_copy_passes_mypy_strict(copy: Path) -> None:
    """`make lint` type-checks only src/, so the example is type-checked here, inside the copy."""
    result = run(copy, BIN / "mypy", "--cache-dir", copy / ".mypy_cache", timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    checked = len([p for p in (copy / "src").rglob("*.py") if "__pycache__" not in p.parts])
    assert f"no issues found in {checked} source files" in result.stdout  # the notes files among them


def test_the_contracts_keep_the_new_context_apart(copy: Path) -> None:
    lint = (BIN / "lint-imports", "--config", copy / "pyproject.toml", "--no-cache")
    kept = run(copy, *lint)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "0 broken" in kept.stdout
    note = copy / "src" / "domain" / "notes" / "note.py"
    original = note.read_text(encoding="utf-8")
    note.write_text(original + "\nimport domain.accounts.vendor  # noqa: E402, F401\n", encoding="utf-8")
    try:
        broken = run(copy, *lint)
    finally:
        note.write_text(original, encoding="utf-8")
    assert broken.returncode != 0, broken.stdout
    assert "Domain: contexts are independent" in broken.stdout
    assert "domain.notes.note -> domain.accounts.vendor" in broken.stdout


# --- the copy, migrated and served --------------------------------------------------------------

DRIFT = textwrap.dedent(
    """
    import asyncio, sys
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine
    from infrastructure.di.tables import metadata

    async def main():
        engine = create_async_engine(sys.argv[1].replace("postgresql://", "postgresql+asyncpg://", 1))
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), metadata)
            )
        await engine.dispose()
        print(diff)

    asyncio.run(main())
    """
)


@pytest.fixture(scope="module")
def served(
    copy: Path,
    make_database: Callable[[], str],
    redis_url: str,
    redis_key_prefix: str,
    secret_key: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    database_url = make_database()
    env = {
        "ENVIRONMENT": "production",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_key_prefix,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "LOG_FORMAT": "json",
        "PYTHONPATH": str(copy / "src"),
    }
    migrated = run_cli("db", "upgrade", env=env, cwd=copy)
    assert migrated.returncode == 0, migrated.stderr
    assert "0011" in migrated.stdout
    drift = run(copy, sys.executable, "-c", DRIFT, database_url)
    assert drift.returncode == 0, drift.stderr
    assert drift.stdout.strip() == "[]", f"0011 and NoteModel disagree: {drift.stdout}"
    server = start_server(["serve"], env, tmp_path_factory.mktemp("notes-server") / "server.log", cwd=copy)
    yield server.client, env
    server.stop()


def _problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    if code is not None:
        assert body["code"] == code
    return body


def test_notes_over_http(served: tuple[httpx.Client, dict[str, str]]) -> None:
    client, env = served
    shop = signup(client)
    token = login(client, shop.email)["access_token"]

    written = client.post("/api/notes", json={"text": "  Roses\u200b arrive   at 9  "}, headers=bearer(token))
    assert written.status_code == 201, written.text
    note = written.json()
    assert note["text"] == "Roses arrive at 9"
    assert note["author_id"] == shop.owner["id"]

    read = client.get(f"/api/notes/{note['id']}", headers=bearer(token))
    assert read.status_code == 200, read.text
    assert read.json() == note

    other = signup(client)
    other_token = login(client, other.email)["access_token"]
    _problem(client.get(f"/api/notes/{note['id']}", headers=bearer(other_token)), 404, "NOT_FOUND")
    _problem(client.get("/api/notes/not-a-uuid", headers=bearer(token)), 404, "NOT_FOUND")
    _problem(client.get(f"/api/notes/{uuid.uuid4()}", headers=bearer(token)), 404, "NOT_FOUND")

    empty = _problem(client.post("/api/notes", json={"text": " \u200b "}, headers=bearer(token)), 400)
    assert "text" in str(empty)
    _problem(client.post("/api/notes", json={"text": "x" * 501}, headers=bearer(token)), 400)
    _problem(client.post("/api/notes", json={"text": "hi", "pinned": True}, headers=bearer(token)), 400)
    _problem(client.post("/api/notes", json={"text": 5}, headers=bearer(token)), 400)

    _problem(client.post("/api/notes", json={"text": "hi"}), 401)
    _problem(client.get(f"/api/notes/{note['id']}"), 401)

    _, driver_email = add_staff(client, token, "DRIVER")
    driver = login(client, driver_email)["access_token"]
    _problem(client.post("/api/notes", json={"text": "hi"}, headers=bearer(driver)), 403, "FORBIDDEN")
    _problem(client.get(f"/api/notes/{note['id']}", headers=bearer(driver)), 403, "FORBIDDEN")

    counted = run_cli("notes", "count", "--vendor-id", shop.vendor["id"], env=env)
    assert counted.returncode == 0, counted.stderr
    assert counted.stdout.strip() == "1"
