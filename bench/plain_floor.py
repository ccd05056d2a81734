"""The plain floor: what a careful one-off import script does, and no more.

Beside `bench.floor` (a stream parse into Geode's own migrated tables), this is the
script someone writes once: the whole file read with `json.load` while the garbage
collector is off (money as Decimal, as a careful script keeps it), then `executemany`
into two tables holding only their primary and natural keys (no foreign key, no
secondary index), one transaction per `batch_ops` operations. The same rows as the
raw floor, built by the same code (`bench.floor.Batch`); no log rows, no checks.

    python -m bench.plain_floor FILE --database-url sqlite:////tmp/floor.db --tenant-id ID

It creates its tables (`plain_customers`, `plain_orders`) when missing; the tenant id
is only a value in the rows here.
"""

from __future__ import annotations

import argparse
import gc
import json
import sqlite3
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

from bench.floor import BATCH_OPS, CUSTOMER_COLUMNS, ORDER_COLUMNS, Batch, _now

# Only the primary key and the natural key: what the script needs to be correct.
_KEYS = {
    "plain_customers": "PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, identifier)",
    "plain_orders": "PRIMARY KEY (tenant_id, id)",
}
_TABLES = (("plain_customers", CUSTOMER_COLUMNS), ("plain_orders", ORDER_COLUMNS))


def _create_statements() -> list[str]:
    statements = []
    for table, columns in _TABLES:
        # Everything as text but the keys, as plainly as a script writes it.
        body = ", ".join(f"{column} TEXT" for column in columns)
        statements.append(f"CREATE TABLE IF NOT EXISTS {table} ({body}, {_KEYS[table]})")
    return statements


def _inserts(marker: str) -> list[str]:
    return [
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"
        for table, columns in _TABLES
    ]


def _batches(operations: list[dict[str, Any]], tenant_id: str, batch_ops: int) -> Iterator[Batch]:
    batch = Batch(tenant_id)
    for start in range(0, len(operations), batch_ops):
        batch.now = _now()
        for op in operations[start : start + batch_ops]:
            batch.add(op)
        yield batch
        batch.clear()


def _write_sqlite(path: Path, batches: Iterator[Batch]) -> None:
    connection = sqlite3.connect(path, isolation_level=None, timeout=60)
    try:
        # The engine's durability (WAL, synchronous=NORMAL): the same promise, fairly.
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-65536"):
            connection.execute(f"PRAGMA {pragma}")
        for statement in _create_statements():
            connection.execute(statement)
        inserts = _inserts("?")
        for batch in batches:
            connection.execute("BEGIN IMMEDIATE")
            for sql, rows in zip(inserts, (batch.customers, batch.orders), strict=True):
                connection.executemany(sql, rows)
            connection.execute("COMMIT")
    finally:
        connection.close()


def _write_postgresql(conninfo: str, batches: Iterator[Batch]) -> None:
    with psycopg.connect(conninfo) as connection:
        with connection.transaction():
            for statement in _create_statements():
                connection.execute(statement)
        inserts = _inserts("%s")
        for batch in batches:
            with connection.transaction(), connection.cursor() as cursor:
                for sql, rows in zip(inserts, (batch.customers, batch.orders), strict=True):
                    if rows:
                        cursor.executemany(sql, rows)


def plain_floor(
    path: Path, database_url: str, tenant_id: str, batch_ops: int = BATCH_OPS
) -> dict[str, Any]:
    """Import every operation of `path`; returns the throughput and the time to parse."""
    started = time.perf_counter()
    gc.disable()
    with path.open("rb") as f:
        operations: list[dict[str, Any]] = json.load(f, parse_float=Decimal)["operations"]
    parsed = time.perf_counter() - started
    batches = _batches(operations, tenant_id, batch_ops)
    if database_url.startswith("sqlite:///"):
        _write_sqlite(Path(database_url.removeprefix("sqlite:///")), batches)
    elif database_url.startswith(("postgresql://", "postgresql+psycopg://")):
        _write_postgresql("postgresql://" + database_url.split("://", 1)[1], batches)
    else:
        raise ValueError(f"unsupported database URL: {database_url}")
    seconds = time.perf_counter() - started
    count = len(operations)
    return {
        "ops": count,
        "seconds": round(seconds, 3),
        "parse_seconds": round(parsed, 3),
        "ops_per_sec": round(count / seconds, 1) if seconds > 0 else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Plain-floor import of a mass-operation file.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--database-url", required=True, help="sqlite:///... or postgresql://...")
    parser.add_argument("--tenant-id", required=True, help="written in every row")
    parser.add_argument("--batch-ops", type=int, default=BATCH_OPS)
    args = parser.parse_args(argv)
    result = plain_floor(args.file, args.database_url, args.tenant_id, args.batch_ops)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
