"""A write plan: the set-based steps a bulk path builds before it talks to the database.

Domains build plans (`Insert`, `Update`, `Delete`) from rows of canonical text; the caller
runs them inside its own transaction (`db.bulk.execute`). The SQLite half of
this module needs nothing but the standard library, so that the writer process
(`db.sqlite_writer`) can run plans without importing SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geode.errors import ConflictError

Row = Sequence[Any]


class BulkRefused(Exception):
    """The database refused a write because of the rows it was given: a
    constraint, a trigger, a value it cannot store. Such a failure belongs to
    one row, so a runner re-runs the write in smaller parts to find that row.

    The message is the first line of the database's own text: for the server
    log, never for a client (it may name constraints; the lines after it may
    hold values).
    """


class BulkConflict(BulkRefused):
    """A unique or foreign key constraint refused a bulk write: another
    operation or writer stored the same key first."""


@dataclass(frozen=True, slots=True)
class Insert:
    table: str
    columns: Sequence[str]
    rows: Sequence[Row]


@dataclass(frozen=True, slots=True)
class Update:
    """Each row holds the `set_columns` values followed by the `key_columns` values.

    With `conflict` set, every row must change exactly one stored row, or the
    write stops with `ConflictError(conflict)`: a compare-and-set, such as a
    task's checkpoint that another process may have moved first.
    """

    table: str
    set_columns: Sequence[str]
    key_columns: Sequence[str]
    rows: Sequence[Row]
    conflict: str | None = None


@dataclass(frozen=True, slots=True)
class Delete:
    """Each row holds the `key_columns` values of the rows to remove; a key
    that matches nothing is no error (the record may be gone already)."""

    table: str
    key_columns: Sequence[str]
    rows: Sequence[Row]


WriteStep = Insert | Update | Delete


def row_counts(steps: Sequence[WriteStep]) -> dict[str, int]:
    """Rows each table gains, changes or loses."""
    counts: dict[str, int] = {}
    for step in steps:
        if step.rows:
            counts[step.table] = counts.get(step.table, 0) + len(step.rows)
    return counts


def conflict_of(step: WriteStep) -> str | None:
    """The compare-and-set message of an `Update` (None: no row count is checked)."""
    return step.conflict if isinstance(step, Update) else None


def sql_text(step: WriteStep, mark: str = "?") -> str:
    """The statement for one row of `step`, with `mark` as the placeholder."""
    if isinstance(step, Insert):
        names = ", ".join(step.columns)
        marks = ", ".join([mark] * len(step.columns))
        return f"INSERT INTO {step.table} ({names}) VALUES ({marks})"
    condition = " AND ".join(f"{column} = {mark}" for column in step.key_columns)
    if isinstance(step, Delete):
        return f"DELETE FROM {step.table} WHERE {condition}"
    assignments = ", ".join(f"{column} = {mark}" for column in step.set_columns)
    return f"UPDATE {step.table} SET {assignments} WHERE {condition}"


def run_sqlite(
    connection: sqlite3.Connection, sql: str, rows: Sequence[Row], conflict: str | None
) -> None:
    """Run one step's statement over its rows on a raw `sqlite3` connection."""
    if not rows:
        return
    try:
        if conflict is None:
            connection.executemany(sql, rows)
            return
        for row in rows:
            if connection.execute(sql, row).rowcount != 1:
                raise ConflictError(conflict)
    except (sqlite3.IntegrityError, sqlite3.DataError, OverflowError, UnicodeError) as exc:
        raise sqlite_refusal(exc) from None


_CONFLICTS = frozenset((2067, 1555, 787))
"""SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY and _FOREIGNKEY."""


def sqlite_refusal(exc: Exception) -> BulkRefused:
    """What a refused row raises on SQLite: too big a value or integer, text
    that is not Unicode, a constraint, a trigger's RAISE."""
    code = getattr(exc, "sqlite_errorcode", None)
    kind = BulkConflict if code in _CONFLICTS else BulkRefused
    return kind(first_line(exc))


def first_line(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def execute_sqlite(connection: sqlite3.Connection, steps: Sequence[WriteStep]) -> None:
    for step in steps:
        run_sqlite(connection, sql_text(step), step.rows, conflict_of(step))
