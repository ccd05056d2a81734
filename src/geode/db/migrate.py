"""Alembic, driven from code so `geode` works without an alembic.ini in the cwd."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from geode.db.engine import reading


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", "geode:migrations")
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def is_current(engine: Engine) -> bool:
    script = ScriptDirectory.from_config(alembic_config(engine))
    with reading(engine) as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(script.get_heads())


def ensure_schema(engine: Engine) -> None:
    """Applied on first use, so a new user never runs a migration by hand."""
    if not is_current(engine):
        upgrade(engine)
