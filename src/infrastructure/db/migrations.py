"""Alembic, driven from code: used by `flower-vendor db ...`, `flower-vendor dev` and the tests."""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url

from infrastructure.config import with_async_driver

# src/infrastructure/db/migrations.py -> the project root holds alembic/.
PROJECT_ROOT = Path(__file__).resolve().parents[3]
SCRIPT_LOCATION = PROJECT_ROOT / "alembic"


def alembic_config(database_url: str | None = None, *, connection: Connection | None = None) -> Config:
    config = Config(stdout=io.StringIO())
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("path_separator", "os")
    if database_url is not None:
        url = with_async_driver(make_url(database_url))
        config.attributes["database_url"] = url.render_as_string(hide_password=False)
        if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


__all__ = ["Config", "alembic_config", "current", "downgrade", "revisions", "upgrade"]


def upgrade(config: Config, revision: str = "head") -> str:
    """Apply migrations up to ``revision``; answer the revision the database is then at."""
    command.upgrade(config, revision)
    return current(config)


def downgrade(config: Config, revision: str) -> str:
    command.downgrade(config, revision)
    return current(config)


def current(config: Config) -> str:
    """The revision(s) the database is at, as alembic prints them; empty when none."""
    out = io.StringIO()
    config.stdout = out
    command.current(config)
    return out.getvalue().strip()


def revisions(config: Config) -> list[str]:
    """Every revision id from base to head, oldest first."""
    script = ScriptDirectory.from_config(config)
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]
