"""Set-based writes on the raw driver connection, inside the caller's transaction.

The bulk path skips the ORM and SQLAlchemy's per-row processing: SQLite gets
`executemany`, PostgreSQL gets `COPY` for inserts. Parameters are canonical
text (money, timestamps) that both databases accept, so rows are built once.
The plan's vocabulary (`Insert`, `Update`) lives in `db.write_plan`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
import sqlalchemy as sa

from geode.db.redact import redact_driver_error
from geode.db.write_plan import (
    BulkConflict,
    Insert,
    Row,
    Update,
    WriteStep,
    execute_sqlite,
    row_counts,
    sql_text,
)
from geode.errors import ConflictError

__all__ = [
    "BulkConflict",
    "Insert",
    "Row",
    "Update",
    "WriteStep",
    "chunked",
    "execute",
    "insert_rows",
    "row_counts",
    "update_rows",
]


def _driver(connection: sa.Connection) -> Any:
    return connection.connection.driver_connection


def insert_rows(
    connection: sa.Connection, table: str, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    execute(connection, [Insert(table, columns, rows)])


def update_rows(
    connection: sa.Connection,
    table: str,
    set_columns: Sequence[str],
    key_columns: Sequence[str],
    rows: Sequence[Row],
) -> None:
    """Each row holds the `set_columns` values followed by the `key_columns` values."""
    execute(connection, [Update(table, set_columns, key_columns, rows)])


def chunked(values: Sequence[Any], size: int = 5000) -> list[Sequence[Any]]:
    """Keep IN lists under SQLite's bound-parameter limit."""
    return [values[i : i + size] for i in range(0, len(values), size)]


def execute(connection: sa.Connection, steps: Sequence[WriteStep]) -> None:
    """Run a write plan built beforehand: on the pipelined path the plan is
    built by the main thread, and the writer only talks to the database."""
    if connection.dialect.name != "postgresql":
        execute_sqlite(_driver(connection), steps)
        return
    driver = _driver(connection)
    for step in steps:
        if step.rows:
            try:
                _execute_postgresql(driver, step)
            except psycopg.Error as exc:
                redact_driver_error(exc)  # the raw driver: SQLAlchemy's hook does not see it
                if isinstance(exc, psycopg.IntegrityError):
                    raise BulkConflict(str(exc).splitlines()[0]) from exc
                raise


def _execute_postgresql(driver: psycopg.Connection[Any], step: WriteStep) -> None:
    with driver.cursor() as cursor:
        if isinstance(step, Insert):
            names = ", ".join(step.columns)
            with cursor.copy(f"COPY {step.table} ({names}) FROM STDIN") as copy:
                for row in step.rows:
                    copy.write_row(row)
        elif step.conflict is not None:
            for row in step.rows:
                cursor.execute(sql_text(step, "%s"), row)
                if cursor.rowcount != 1:
                    raise ConflictError(step.conflict)
        else:
            cursor.executemany(sql_text(step, "%s"), step.rows)
