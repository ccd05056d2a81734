"""Procrastinate's tables, created on first start of a server or worker on PostgreSQL.

Procrastinate's schema is not part of our Alembic migrations: it belongs to
the library and ships with it. Two processes starting at once must not both
create it, so the check and the creation run under one advisory lock.
"""

from __future__ import annotations

import sqlalchemy as sa
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import Engine

# An arbitrary, fixed key: every geode process asks for the same lock.
_SCHEMA_LOCK = 0x6765_6F64_6501  # "geode" + 1


def ensure_queue_schema(engine: Engine) -> bool:
    """Create Procrastinate's tables unless they exist; True when this call created them."""
    with engine.connect() as connection:
        if _exists(connection):
            return False
        connection.rollback()
        # Session-scoped, and taken outside the transaction that looks again: a
        # transaction begun after the wait sees the tables the holder committed.
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": _SCHEMA_LOCK})
        connection.commit()
        try:
            if _exists(connection):
                return False  # another process created them while we waited
            # Straight to the driver: the schema is many statements, with `%` in them.
            driver = connection.connection.driver_connection
            driver.execute(SchemaManager.get_schema())  # type: ignore[union-attr]
            connection.commit()
            return True
        finally:
            connection.rollback()
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _SCHEMA_LOCK})
            connection.commit()


def _exists(connection: sa.Connection) -> bool:
    query = sa.text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
    return bool(connection.execute(query).scalar_one())
