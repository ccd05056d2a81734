"""Alembic, driven from code so `geode` works without an alembic.ini in the cwd.

Every CLI call checks the schema, so the check is one query against the head
revision recorded here; Alembic itself (a quarter of a second to import) is
loaded only when a migration has to run. `tests/db/test_migrate.py` fails if
`HEAD_REVISION` falls behind the newest file in `geode/migrations/versions`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geode.db.engine import reading

if TYPE_CHECKING:
    from alembic.config import Config

HEAD_REVISION = "0011"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "geode:migrations")
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    with reading(engine) as connection:
        try:
            return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        except sa.exc.DBAPIError:
            return None  # no alembic_version table yet


def ensure_schema(engine: Engine) -> None:
    """Applied on first use, so a new user never runs a migration by hand."""
    if current_revision(engine) != HEAD_REVISION:
        upgrade(engine)
