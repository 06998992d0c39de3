"""`flower-vendor dev`'s own files (issue 11): what it ignores from the environment, its signing key,
its sessions kept across restarts, and the private-file rules they share."""

from __future__ import annotations

import os
import stat
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from application.accounts.ports import ReuseGrace, RotationOutcome
from infrastructure.accounts.file_session_store import FileSessionStore
from infrastructure.config import DEV_DATABASE_URL, development_environ, generate_secret_key, load_settings
from infrastructure.db.database import sql_log_level
from infrastructure.security.dev_key import dev_signing_key
from infrastructure.security.private_files import UnsafeFile, read_private, write_private
from tests.fakes import MonotonicClock
from tests.session_store_contract import WEEK, SessionStoreContract, new_hash, start

PRODUCTION = {
    "ENVIRONMENT": "production",
    "DATABASE_URL": "postgresql://app@db.example/shop",
    "REDIS_URL": "redis://cache.example:6379/0",
    "SECRET_KEY": generate_secret_key(),
    "SECRET_KEY_PREVIOUS": generate_secret_key(),
    "ENABLE_DISTRIBUTED_RATE_LIMITING": "true",
    "LOG_LEVEL": "WARNING",
}


def test_dev_ignores_every_production_store_and_key_and_names_them() -> None:
    sealed, ignored = development_environ(PRODUCTION)
    assert ignored == (
        "ENVIRONMENT",
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "SECRET_KEY_PREVIOUS",
        "ENABLE_DISTRIBUTED_RATE_LIMITING",
    )
    settings = load_settings(sealed)
    assert settings.is_development
    assert settings.database_url.reveal() == DEV_DATABASE_URL
    assert settings.uses_dev_database
    assert settings.redis_url is None
    assert settings.secret_key.reveal() != PRODUCTION["SECRET_KEY"]
    assert settings.secret_key_previous == ()
    assert settings.log_level == "WARNING"  # what is not about data stays the user's choice
    assert development_environ({"ENVIRONMENT": "development", "LOG_LEVEL": "DEBUG"})[1] == ()


def test_only_the_embedded_database_is_the_dev_database() -> None:
    assert load_settings({"ENVIRONMENT": "development"}).uses_dev_database
    other = load_settings({"ENVIRONMENT": "development", "DATABASE_URL": "postgresql://app@db.example/shop"})
    assert not other.uses_dev_database
    assert other.dev_data_dir is None
    production = load_settings({k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY_PREVIOUS"})
    assert not production.uses_dev_database
    assert production.dev_data_dir is None
    assert load_settings({"ENVIRONMENT": "development"}).dev_data_dir == Path(".data")


def test_sql_is_echoed_only_in_development_at_debug() -> None:
    import logging

    assert sql_log_level(load_settings({"ENVIRONMENT": "development"})) == logging.WARNING
    assert sql_log_level(load_settings({"ENVIRONMENT": "development", "LOG_LEVEL": "DEBUG"})) == logging.INFO
    production = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY_PREVIOUS"}
    assert sql_log_level(load_settings({**production, "LOG_LEVEL": "DEBUG"})) == logging.WARNING


# --- private files and the key -----------------------------------------------------------------


def test_a_private_file_is_written_0600_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        write_private(tmp_path / "new" / "file", "one")
        write_private(tmp_path / "new" / "file", "two")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new" / "file").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert read_private(tmp_path / "new" / "file") == "two"
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["file"]  # no temporary file left
    assert read_private(tmp_path / "missing") is None


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o666, 0o700 | 0o060])
def test_a_file_others_can_use_is_refused_and_left_as_it_is(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "dev-signing-key"
    path.write_text(generate_secret_key())
    path.chmod(mode)
    with pytest.raises(UnsafeFile, match="chmod 600"):
        dev_signing_key(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_symlink_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    write_private(target, generate_secret_key())
    (tmp_path / "dev-signing-key").symlink_to(target)
    with pytest.raises(UnsafeFile, match="not a regular file"):
        dev_signing_key(tmp_path)


def test_the_dev_key_is_made_once_then_reused(tmp_path: Path) -> None:
    key, path, made = dev_signing_key(tmp_path / ".data")
    assert made
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert dev_signing_key(tmp_path / ".data") == (key, path, False)


def test_a_weak_dev_key_is_refused(tmp_path: Path) -> None:
    write_private(tmp_path / "dev-signing-key", "short\n")
    with pytest.raises(UnsafeFile, match="strong key"):
        dev_signing_key(tmp_path)


# --- sessions kept across restarts ---------------------------------------------------------------


class FileHarness:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = MonotonicClock(1_000_000.0)
        self.store = FileSessionStore(path, now=self.clock)

    async def elapse(self, seconds: float) -> None:
        self.clock.now += seconds

    def restart(self) -> FileSessionStore:
        self.store = FileSessionStore(self.path, now=self.clock)
        return self.store


@pytest.fixture
def harness(tmp_path: Path) -> FileHarness:
    return FileHarness(tmp_path / "dev-sessions.json")


class TestFileSessionStore(SessionStoreContract):
    pass


async def test_sessions_rotations_and_revocations_survive_a_restart(harness: FileHarness) -> None:
    kept = await start(harness.store)
    revoked = await start(harness.store)
    spent, current = kept.current, new_hash()
    assert (await harness.store.rotate(spent, current, WEEK)).outcome is RotationOutcome.ROTATED
    await harness.store.revoke(revoked.record.session_id)
    assert stat.S_IMODE(harness.path.stat().st_mode) == 0o600

    store = harness.restart()
    assert await store.is_live(kept.record.session_id)
    assert not await store.is_live(revoked.record.session_id)
    assert await store.find(current) == kept.record
    # A token spent before the restart is still known as spent: its reuse ends the family.
    assert (await store.rotate(spent, new_hash(), WEEK)).outcome is RotationOutcome.REUSED
    assert not await harness.restart().is_live(kept.record.session_id)


async def test_a_reuse_grace_survives_a_restart(harness: FileHarness) -> None:
    # A dev restart (or --reload) between two tabs' refreshes keeps the grace and its sealed successor.
    family = await start(harness.store)
    successor = new_hash()
    grace = ReuseGrace(timedelta(seconds=10), "sealed-successor")
    assert (await harness.store.rotate(family.current, successor, WEEK, grace=grace)).outcome is RotationOutcome.ROTATED
    store = harness.restart()
    repeated = await store.rotate(family.current, new_hash(), WEEK, grace=grace)
    assert repeated.outcome is RotationOutcome.REPEATED
    assert (repeated.successor_hash, repeated.sealed_successor) == (successor, "sealed-successor")
    await harness.elapse(11)
    assert (await harness.restart().rotate(family.current, new_hash(), WEEK)).outcome is RotationOutcome.REUSED


async def test_expiry_counts_across_a_restart(harness: FileHarness) -> None:
    family = await start(harness.store)
    await harness.elapse(WEEK.total_seconds() + 1)
    assert not await harness.restart().is_live(family.record.session_id)


async def test_revoke_all_survives_a_restart(harness: FileHarness) -> None:
    user_id = uuid.uuid4()
    one, two = await start(harness.store, user_id), await start(harness.store, user_id)
    assert await harness.store.revoke_all(user_id, except_session=two.record.session_id) == 1
    store = harness.restart()
    assert not await store.is_live(one.record.session_id)
    assert await store.is_live(two.record.session_id)


def test_an_unreadable_sessions_file_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "dev-sessions.json"
    write_private(path, "{not json")
    FileSessionStore(path)
    assert not path.exists()
    assert (tmp_path / "dev-sessions.json.unreadable").read_text() == "{not json"


def test_a_sessions_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dev-sessions.json"
    write_private(path, "{}")
    path.chmod(0o644)
    with pytest.raises(UnsafeFile):
        FileSessionStore(path)
