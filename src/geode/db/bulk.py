"""Set-based writes on the raw driver connection, inside the caller's transaction.

The bulk path skips the ORM and SQLAlchemy's per-row processing: SQLite gets
`executemany`, PostgreSQL gets `COPY` for inserts. Parameters are canonical
text (money, timestamps) that both databases accept, so rows are built once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
import sqlalchemy as sa

Row = Sequence[Any]


class BulkConflict(Exception):
    """A unique or foreign key constraint refused a bulk write."""


def _driver(connection: sa.Connection) -> Any:
    return connection.connection.driver_connection


def insert_rows(
    connection: sa.Connection, table: str, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    if not rows:
        return
    names = ", ".join(columns)
    driver = _driver(connection)
    try:
        if connection.dialect.name == "postgresql":
            with (
                driver.cursor() as cursor,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            driver.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    except (sqlite3.IntegrityError, psycopg.IntegrityError) as exc:
        raise BulkConflict(str(exc).splitlines()[0]) from exc


def update_rows(
    connection: sa.Connection,
    table: str,
    set_columns: Sequence[str],
    key_columns: Sequence[str],
    rows: Sequence[Row],
) -> None:
    """Each row holds the `set_columns` values followed by the `key_columns` values."""
    if not rows:
        return
    mark = "%s" if connection.dialect.name == "postgresql" else "?"
    assignments = ", ".join(f"{column} = {mark}" for column in set_columns)
    condition = " AND ".join(f"{column} = {mark}" for column in key_columns)
    sql = f"UPDATE {table} SET {assignments} WHERE {condition}"
    driver = _driver(connection)
    try:
        if connection.dialect.name == "postgresql":
            with driver.cursor() as cursor:
                cursor.executemany(sql, rows)
        else:
            driver.executemany(sql, rows)
    except (sqlite3.IntegrityError, psycopg.IntegrityError) as exc:
        raise BulkConflict(str(exc).splitlines()[0]) from exc


def delete_where_in(
    connection: sa.Connection, table: str, tenant_id: str, column: str, values: Sequence[str]
) -> None:
    if not values:
        return
    table_ = sa.table(table, sa.column("tenant_id"), sa.column(column))
    for chunk in chunked(values):
        connection.execute(
            sa.delete(table_).where(table_.c.tenant_id == tenant_id, table_.c[column].in_(chunk))
        )


def chunked(values: Sequence[Any], size: int = 5000) -> list[Sequence[Any]]:
    """Keep IN lists under SQLite's bound-parameter limit."""
    return [values[i : i + size] for i in range(0, len(values), size)]


@dataclass(frozen=True, slots=True)
class Insert:
    table: str
    columns: Sequence[str]
    rows: Sequence[Row]


@dataclass(frozen=True, slots=True)
class Update:
    table: str
    set_columns: Sequence[str]
    key_columns: Sequence[str]
    rows: Sequence[Row]


@dataclass(frozen=True, slots=True)
class DeleteIn:
    table: str
    tenant_id: str
    column: str
    values: Sequence[str]


WriteStep = Insert | Update | DeleteIn


def row_counts(steps: Sequence[WriteStep]) -> dict[str, int]:
    """Rows each table gains or changes (deletes excluded)."""
    counts: dict[str, int] = {}
    for step in steps:
        if isinstance(step, Insert | Update) and step.rows:
            counts[step.table] = counts.get(step.table, 0) + len(step.rows)
    return counts


def execute(connection: sa.Connection, steps: Sequence[WriteStep]) -> None:
    """Run a write plan built beforehand: on the pipelined path the plan is
    built by the main thread, and the writer thread only talks to the database."""
    for step in steps:
        match step:
            case Insert():
                insert_rows(connection, step.table, step.columns, step.rows)
            case Update():
                update_rows(connection, step.table, step.set_columns, step.key_columns, step.rows)
            case DeleteIn():
                delete_where_in(connection, step.table, step.tenant_id, step.column, step.values)
