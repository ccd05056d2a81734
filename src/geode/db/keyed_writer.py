"""A batch's unit of work for records keyed by identifier (customers, groups,
shapes, pieces).

Operations of one batch are applied in order against an in-memory view
(prefetched in one query, after the rows of batches still being written),
so later operations see earlier ones; `flush` then writes the net result
set-based on the connection it is given. Services never commit: the
caller's transaction holds the flush.

A table with an `id` column gets a new id per record and is updated by it;
one without (shapes, pieces: the identifier is the primary key) is updated by
`(tenant_id, identifier)` and reports the identifier as the resource id.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from geode.db import bulk
from geode.db.key_lookup import KeyLookup
from geode.ids import new_id
from geode.outcomes import Applied, OperationFailed
from geode.pending import MISSING, Pending

Row = dict[str, Any]


@functools.cache
def _by_identifiers(table: sa.Table) -> KeyLookup:
    """Built once per table (see `KeyLookup.of`)."""
    return KeyLookup.of(
        sa.select(table).where(table.c.tenant_id == sa.bindparam("tenant_id")),
        table.c.identifier,
    )


class IdentifierKeyedWriter:
    def __init__(
        self,
        connection: sa.Connection,
        table: sa.Table,
        tenant_id: str,
        now: str,
        *,
        noun: str,
        defaults: Row,
        output: Callable[[Row], dict[str, Any]],
        pending: Pending[Row] | None = None,
    ) -> None:
        self.connection = connection
        self.table = table
        self.tenant_id = tenant_id
        self.now = now
        self.noun = noun
        self.defaults = defaults
        self.output = output
        self.pending = pending if pending is not None else Pending[Row]()
        self.columns = [c.name for c in table.columns]
        self.has_id = "id" in table.c
        self.key_columns = ("tenant_id", "id") if self.has_id else ("tenant_id", "identifier")
        self._rows: dict[str, Row | None] = {}
        self._inserts: dict[str, Row] = {}
        self._updates: dict[str, Row] = {}

    def prefetch(self, identifiers: Iterable[str]) -> None:
        wanted = []
        for identifier in set(identifiers):
            if identifier in self._rows:
                continue
            row = self.pending.get(identifier)
            if row is MISSING:
                self._rows[identifier] = None
                wanted.append(identifier)
            else:
                self._rows[identifier] = row  # type: ignore[assignment]
        for chunk in bulk.chunked(wanted):
            result = _by_identifiers(self.table).execute(
                self.connection, {"tenant_id": self.tenant_id, "keys": chunk}
            )
            for row in result.mappings().all():
                self._rows[row["identifier"]] = dict(row)

    def _get(self, identifier: str) -> Row | None:
        if identifier not in self._rows:
            self.prefetch([identifier])
        return self._rows[identifier]

    def get(self, identifier: str) -> Row | None:
        """A copy of the row as this batch sees it now (stored, pending, or as
        earlier operations of the batch left it); None if there is none."""
        row = self._get(identifier)
        return None if row is None else dict(row)

    def create(self, identifier: str, values: Row) -> Applied:
        if self._get(identifier) is not None:
            raise OperationFailed(
                "already_exists",
                f"{self.noun} '{identifier}' already exists; use the upsert intent to update it",
                key=identifier,
            )
        return self._insert(identifier, values)

    def update(self, identifier: str, values: Row) -> Applied:
        existing = self._get(identifier)
        if existing is None:
            raise OperationFailed(
                "not_found",
                f"{self.noun} '{identifier}' does not exist; use the upsert intent to create it",
                key=identifier,
            )
        return self._merge(identifier, existing, values)

    def upsert(self, identifier: str, values: Row) -> Applied:
        existing = self._get(identifier)
        if existing is None:
            return self._insert(identifier, values)
        return self._merge(identifier, existing, values)

    def _insert(self, identifier: str, values: Row) -> Applied:
        row = {
            **self.defaults,
            **{k: v for k, v in values.items() if v is not None or k not in self.defaults},
            "tenant_id": self.tenant_id,
            "identifier": identifier,
            "created_at": self.now,
            "updated_at": self.now,
        }
        if self.has_id:
            row["id"] = new_id()
        self._rows[identifier] = row
        self._inserts[identifier] = row
        return Applied("created", self._id(row), identifier, self.output(row))

    def _id(self, row: Row) -> str:
        return str(row["id"] if self.has_id else row["identifier"])

    def _merge(self, identifier: str, existing: Row, values: Row) -> Applied:
        changed: Row = {}
        for column, value in values.items():
            if value is None and self.defaults.get(column) is not None:
                value = self.defaults[column]  # null resets a required column
            if existing.get(column) != value:
                changed[column] = value
        if not changed:
            return Applied("unchanged", self._id(existing), identifier, self.output(existing))
        row = {**existing, **changed, "updated_at": self.now}
        self._rows[identifier] = row
        if identifier in self._inserts:
            self._inserts[identifier] = row
        else:
            self._updates[identifier] = row
        return Applied("updated", self._id(row), identifier, self.output(row))

    def record(self, batch: int) -> None:
        """Make this batch's rows visible to the next batches before they commit."""
        for identifier, row in (*self._inserts.items(), *self._updates.items()):
            self.pending.put(batch, identifier, row)

    def plan(self) -> list[bulk.WriteStep]:
        """The net effect of the batch as set-based writes."""
        columns = self.columns
        keys = self.key_columns
        set_columns = [c for c in columns if c not in (*keys, "created_at")]
        return [
            bulk.Insert(
                self.table.name,
                columns,
                [tuple(row[c] for c in columns) for row in self._inserts.values()],
            ),
            bulk.Update(
                self.table.name,
                set_columns,
                keys,
                [
                    (*(row[c] for c in set_columns), *(row[c] for c in keys))
                    for row in self._updates.values()
                ],
            ),
        ]
