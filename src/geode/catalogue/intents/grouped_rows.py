"""A batch's view of rows that are read and written a group at a time: the SKUs
of one price list, the flow stages one item sits in, one image, one contract.

`IdentifierKeyedWriter` fits a table with one row per identifier; these tables
have several rows per group (or a key that is not called `identifier`), and
lose rows too (a SKU removed, an item moved to another stage). A group is
loaded whole (after the rows of batches still being written, see
`geode.pending`), changed in memory by the batch's operations, and written as
the difference from what was loaded: deletes, then updates, then inserts, so a
key that leaves and comes back in one batch is never inserted twice.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from geode.db import bulk
from geode.db.key_lookup import KeyLookup
from geode.pending import MISSING, Pending
from geode.timestamps import stored_timestamp

Row = dict[str, Any]
Group = dict[tuple[Any, ...], Row]
"""A group's rows by the values of the key columns that tell them apart."""


_TIMESTAMPS = frozenset({"created_at", "updated_at", "start_date", "end_date", "added_at"})


def normalise_timestamps(row: Row) -> Row:
    """Timestamps as Geode writes them (PostgreSQL returns datetimes)."""
    return {
        k: stored_timestamp(v) if v is not None and k in _TIMESTAMPS else v for k, v in row.items()
    }


@functools.cache
def _by_groups(table: sa.Table, column: str) -> KeyLookup:
    return KeyLookup.of(
        sa.select(table).where(table.c.tenant_id == sa.bindparam("tenant_id")), table.c[column]
    )


class GroupedRows:
    def __init__(
        self,
        connection: sa.Connection,
        table: sa.Table,
        tenant_id: str,
        *,
        group: str,
        key: Sequence[str] = (),
        pending: Pending[Group],
        normalise: Any = None,
    ) -> None:
        """`group` is the column rows are loaded by; `key` the other columns of
        the primary key; `normalise(row)` turns a row as the driver returns it
        into the values the batch writes (timestamps, say), so equal is equal."""
        self.connection = connection
        self.table = table
        self.tenant_id = tenant_id
        self.group = group
        self.key = tuple(key)
        self.pending = pending
        self.normalise = normalise
        self.columns = [c.name for c in table.columns]
        self.key_columns = ("tenant_id", group, *self.key)
        self.set_columns = [c for c in self.columns if c not in self.key_columns]
        self._loaded: dict[str, Group] = {}
        self._current: dict[str, Group] = {}

    def prefetch(self, groups: Iterable[str]) -> None:
        wanted = []
        for name in set(groups):
            if name in self._current:
                continue
            rows = self.pending.get(name)
            if rows is MISSING:
                wanted.append(name)
                self._loaded[name] = {}
            else:
                self._loaded[name] = dict(rows)  # type: ignore[call-overload]
            self._current[name] = dict(self._loaded[name])
        for chunk in bulk.chunked(wanted):
            result = _by_groups(self.table, self.group).execute(
                self.connection, {"tenant_id": self.tenant_id, "keys": chunk}
            )
            for found in result.mappings().all():
                row = dict(found)
                if self.normalise is not None:
                    row = self.normalise(row)
                self._loaded[row[self.group]][self._key(row)] = row
                self._current[row[self.group]][self._key(row)] = row

    def _key(self, row: Row) -> tuple[Any, ...]:
        return tuple(row[c] for c in self.key)

    def rows(self, group: str) -> Group:
        """The group's rows as the batch sees them now (do not change them: `put`)."""
        self.prefetch([group])
        return self._current[group]

    def put(self, group: str, values: Row) -> bool:
        """Store the row (`values` holds every column but `tenant_id` and the
        group); False when it is already stored as it is."""
        row = {**values, "tenant_id": self.tenant_id, self.group: group}
        rows = self.rows(group)
        key = self._key(row)
        if rows.get(key) == row:
            return False
        rows[key] = row
        return True

    def delete(self, group: str, key: tuple[Any, ...]) -> bool:
        return self.rows(group).pop(key, None) is not None

    def record(self, batch: int) -> None:
        for group, rows in self._current.items():
            if rows != self._loaded[group]:
                self.pending.put(batch, group, dict(rows))

    def plan(self) -> list[bulk.WriteStep]:
        inserts, updates, deletes = [], [], []
        for group, rows in self._current.items():
            loaded = self._loaded[group]
            for key in loaded:
                if key not in rows:
                    deletes.append((self.tenant_id, group, *key))
            for key, row in rows.items():
                before = loaded.get(key)
                if before is None:
                    inserts.append(tuple(row[c] for c in self.columns))
                elif before != row:
                    updates.append(
                        (*(row[c] for c in self.set_columns), *(row[c] for c in self.key_columns))
                    )
        name = self.table.name
        steps: list[bulk.WriteStep] = [bulk.Delete(name, self.key_columns, deletes)]
        if self.set_columns:
            steps.append(bulk.Update(name, self.set_columns, self.key_columns, updates))
        steps.append(bulk.Insert(name, self.columns, inserts))
        return steps
