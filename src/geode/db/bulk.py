"""Set-based writes on the raw driver connection, inside the caller's transaction.

The bulk path skips the ORM and SQLAlchemy's per-row processing: SQLite gets
`executemany`, PostgreSQL gets `COPY` for inserts. Parameters are canonical
text (money, timestamps) that both databases accept, so rows are built once.
The plan's vocabulary (`Insert`, `Update`, `Delete`) lives in `db.write_plan`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import psycopg
import psycopg.errors
import sqlalchemy as sa

from geode.db.redact import redact_driver_error
from geode.db.write_plan import (
    BulkConflict,
    BulkRefused,
    Delete,
    Insert,
    Row,
    Update,
    WriteStep,
    conflict_of,
    execute_sqlite,
    first_line,
    row_counts,
    sql_text,
    sqlite_refusal,
)
from geode.errors import ConflictError

__all__ = [
    "BulkConflict",
    "BulkRefused",
    "Delete",
    "Insert",
    "Row",
    "Update",
    "WriteStep",
    "chunked",
    "execute",
    "insert_rows",
    "refusal",
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
            except Exception as exc:
                if isinstance(exc, psycopg.Error):
                    redact_driver_error(exc)  # the raw driver: SQLAlchemy's hook does not see it
                refused = refusal(exc)
                if refused is None:
                    raise
                raise refused from None


_PG_CONFLICTS = (psycopg.errors.UniqueViolation, psycopg.errors.ForeignKeyViolation)
_PG_REFUSALS = (
    psycopg.IntegrityError,
    psycopg.DataError,
    psycopg.errors.RaiseException,  # a trigger's RAISE
    psycopg.errors.ProgramLimitExceeded,  # e.g. a value too big for its index
)
_OTHER_REFUSALS = (sqlite3.IntegrityError, sqlite3.DataError, OverflowError, UnicodeError)


def refusal(exc: BaseException) -> BulkRefused | None:
    """`exc` as a refusal of the rows written, or None when it is not one.

    A refusal belongs to the rows (a constraint, a trigger, a value the column
    cannot hold, text the driver cannot encode, an integer out of range), so
    the same write in smaller parts isolates it. Anything else (a lost
    connection, a lock timeout, a missing table, a bug in our code) would fail
    every part alike: it stops the run, which can be resumed once it is fixed.
    """
    if isinstance(exc, BulkRefused):
        return exc
    if isinstance(exc, sa.exc.StatementError) and isinstance(exc.orig, BaseException):
        exc = exc.orig  # SQLAlchemy's wrapper: judge the driver's own error
    if isinstance(exc, _PG_CONFLICTS):
        return BulkConflict(first_line(exc))
    if isinstance(exc, _PG_REFUSALS):
        return BulkRefused(first_line(exc))
    if isinstance(exc, _OTHER_REFUSALS):
        return sqlite_refusal(exc)
    return None


def _execute_postgresql(driver: psycopg.Connection[Any], step: WriteStep) -> None:
    with driver.cursor() as cursor:
        if isinstance(step, Insert):
            names = ", ".join(step.columns)
            with cursor.copy(f"COPY {step.table} ({names}) FROM STDIN") as copy:
                for row in step.rows:
                    copy.write_row(row)
        elif (conflict := conflict_of(step)) is not None:
            for row in step.rows:
                cursor.execute(sql_text(step, "%s"), row)
                if cursor.rowcount != 1:
                    raise ConflictError(conflict)
        else:
            cursor.executemany(sql_text(step, "%s"), step.rows)
