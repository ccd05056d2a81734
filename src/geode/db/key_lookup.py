"""`SELECT ... WHERE column IN (keys)` for a batch's keys, written for each database.

SQLite takes the keys as an expanded list of parameters. PostgreSQL takes them
as one array (`column = ANY(:keys)`): an expanded list is a new statement for
every number of keys, parsed and planned again each time, which measured about
2.5 ms more per 800-key lookup of order ids (1.3-3.5 ms against 3.5-6.1 ms).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

Query = sa.Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class KeyLookup:
    expanded: Query
    array: Query

    @classmethod
    def of(cls, query: Query, column: sa.ColumnElement[Any], name: str = "keys") -> KeyLookup:
        """`query` restricted to rows whose `column` is one of the parameter `name`.

        Build it once (at import, say): a statement built per batch leaves
        reference cycles, holding the batch's keys, that nobody collects while
        the bulk path pauses the collector.
        """
        array = sa.bindparam(name, type_=sa.ARRAY(column.type))
        return cls(
            query.where(column.in_(sa.bindparam(name, expanding=True))),
            query.where(column == sa.any_(array)),
        )

    def execute(
        self, connection: sa.Connection, parameters: Mapping[str, Any]
    ) -> sa.CursorResult[*tuple[Any, ...]]:
        query = self.array if connection.dialect.name == "postgresql" else self.expanded
        return connection.execute(query, parameters)


def prefer_index_lookups(connection: sa.Connection) -> None:
    """For the rest of `connection`'s transaction, read keys through indexes.

    A batch reads a few thousand keys out of tables of hundreds of thousands of rows.
    PostgreSQL's cost model (pages on disk, `random_page_cost` 4) takes that for a
    large share and scans the whole table instead, once per batch, which makes a run
    quadratic in the catalogue: the re-run of a 200k-operation catalogue file read
    the variants' prices, names and stock (300,000 rows each) in full 297 times,
    and paths, variants and topics likewise. With sequential scans priced out (but
    still taken where no index serves), each lookup probes the index. SQLite plans
    `IN` lists through the index already.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
