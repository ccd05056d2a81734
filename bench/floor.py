"""The raw floor: the same rows Geode writes, with no validation, as fast as plain Python goes.

It stream-parses the file with the engine's parser (`ijson`), turns each operation into
plain tuples and writes them in batches, one transaction per batch: `executemany` on
SQLite, `COPY ... FROM STDIN` on PostgreSQL. The database must already be migrated and
the tenant row must exist; the floor never creates schema.

    python -m bench.floor FILE --database-url sqlite:////tmp/floor.db --tenant-id ID
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import ijson
import psycopg

BATCH_OPS = 10_000

CUSTOMER_COLUMNS = (
    "tenant_id", "id", "identifier", "type", "first_name", "last_name", "email",
    "addresses", "created_at", "updated_at",
)  # fmt: skip
ORDER_COLUMNS = (
    "tenant_id", "id", "content_hash", "customer_identifier", "customer", "cart", "total",
    "total_gross", "total_net", "currency", "payment", "payment_status", "type",
    "created_at", "updated_at",
)  # fmt: skip
TABLES = (
    ("customers", CUSTOMER_COLUMNS),
    ("orders", ORDER_COLUMNS),
)

Row = tuple[Any, ...]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# json.dumps(value, default=str) with the encoder built once instead of per call.
_dumps = json.JSONEncoder(default=str, separators=(",", ":"), ensure_ascii=False).encode


def _money(value: Any) -> str | None:
    return None if value is None else str(value)


def _timestamp(text: str | None, default: str) -> str:
    """Geode's canonical `2024-05-01T12:30:00.000000Z`, with a shortcut for `...:SSZ`."""
    if not text:
        return default
    if len(text) == 20 and text.endswith("Z"):
        return text[:-1] + ".000000Z"
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _resolve(value: str, refs: dict[str, str]) -> str:
    """`{{ c12.identifier }}` -> the identifier of the customer with `_ref` c12."""
    if value.startswith("{{") and value.endswith("}}"):
        ref = value[2:-2].strip().split(".", 1)[0]
        return refs[ref]
    return value


class FloorBatch(Protocol):
    """Rows of up to a batch of operations, ready for one transaction: what the
    writers here take, from this floor and from the catalogue's."""

    now: str
    """One write time per batch, as in one transaction."""

    def add(self, op: dict[str, Any]) -> None: ...

    def clear(self) -> None: ...

    def tables(self) -> Iterable[tuple[str, Sequence[str], list[Row]]]:
        """(table, columns, rows) in write order."""


class Batch:
    """Rows of up to `BATCH_OPS` operations, ready for one transaction."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self.now = ""
        self.refs: dict[str, str] = {}
        self.customers: list[Row] = []
        self.orders: list[Row] = []

    def tables(self) -> tuple[tuple[str, tuple[str, ...], list[Row]], ...]:
        return tuple(
            (name, columns, rows)
            for (name, columns), rows in zip(TABLES, (self.customers, self.orders), strict=True)
        )

    def clear(self) -> None:
        self.customers.clear()
        self.orders.clear()

    def add(self, op: dict[str, Any]) -> None:
        intent = op.get("intent")
        if intent == "customer/upsert":
            self._customer(op, self.now)
        elif intent == "order/upsert":
            self._order(op, self.now)
        else:
            raise ValueError(f"the floor does not handle intent {intent!r}")

    def _customer(self, op: dict[str, Any], now: str) -> None:
        identifier = op["identifier"]
        if "_ref" in op:
            self.refs[op["_ref"]] = identifier
        addresses = op.get("addresses")
        self.customers.append(
            (
                self.tenant_id, os.urandom(12).hex(), identifier, op.get("type", "individual"),
                op.get("firstName"), op.get("lastName"), op.get("email"),
                None if addresses is None else _dumps(addresses), now, now,
            )
        )  # fmt: skip

    def _order(self, op: dict[str, Any], now: str) -> None:
        order_id = op.get("id") or os.urandom(12).hex()
        customer = dict(op["customer"])
        customer["identifier"] = _resolve(customer["identifier"], self.refs)
        total = op.get("total") or {}
        payment = op.get("payment")
        self.orders.append(
            (
                self.tenant_id, order_id, os.urandom(16).hex(), customer["identifier"],
                _dumps(customer), _dumps(op.get("cart") or []),  # the cart is in the document
                _dumps(total) if total else None,
                _money(total.get("gross")), _money(total.get("net")), total.get("currency"),
                None if payment is None else _dumps(payment), op.get("paymentStatus"),
                op.get("type"), _timestamp(op.get("createdAt"), now), now,
            )
        )  # fmt: skip


def _operations(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as f:
        yield from ijson.items(f, "operations.item")


def _write_sqlite(path: Path, batches: Iterator[FloorBatch]) -> None:
    connection = sqlite3.connect(path, isolation_level=None, timeout=60)
    try:
        # The same PRAGMAs as geode.db.engine, so the comparison is fair.
        for pragma in (
            "journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
            "busy_timeout=60000", "cache_size=-65536",
        ):  # fmt: skip
            connection.execute(f"PRAGMA {pragma}")
        for batch in batches:
            connection.execute("BEGIN IMMEDIATE")
            for table, columns, rows in batch.tables():
                marks = ", ".join("?" * len(columns))
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                connection.executemany(sql, rows)
            connection.execute("COMMIT")
    finally:
        connection.close()


def _write_postgresql(conninfo: str, batches: Iterator[FloorBatch]) -> None:
    with psycopg.connect(conninfo) as connection:
        for batch in batches:
            with connection.transaction(), connection.cursor() as cursor:
                for table, columns, rows in batch.tables():
                    if not rows:
                        continue
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)


def write_floor(
    path: Path, database_url: str, batch: FloorBatch, batch_ops: int = BATCH_OPS
) -> dict[str, Any]:
    """Add every operation of `path` to `batch`, writing it every `batch_ops`
    operations; returns the throughput."""
    started = time.perf_counter()
    count = 0

    def batches() -> Iterator[FloorBatch]:
        nonlocal count
        pending = 0
        for op in _operations(path):
            if pending == 0:
                batch.now = _now()  # one write time per batch, as in one transaction
            batch.add(op)
            pending += 1
            count += 1
            if pending >= batch_ops:
                yield batch
                batch.clear()
                pending = 0
        if pending:
            yield batch

    if database_url.startswith("sqlite:///"):
        _write_sqlite(Path(database_url.removeprefix("sqlite:///")), batches())
    elif database_url.startswith(("postgresql://", "postgresql+psycopg://")):
        conninfo = "postgresql://" + database_url.split("://", 1)[1]
        _write_postgresql(conninfo, batches())
    else:
        raise ValueError(f"unsupported database URL: {database_url}")
    seconds = time.perf_counter() - started
    return {
        "ops": count,
        "seconds": round(seconds, 3),
        "ops_per_sec": round(count / seconds, 1) if seconds > 0 else None,
    }


def raw_floor(
    path: Path, database_url: str, tenant_id: str, batch_ops: int = BATCH_OPS
) -> dict[str, Any]:
    """Write every operation of `path` into the tenant `tenant_id`; returns the throughput."""
    return write_floor(path, database_url, Batch(tenant_id), batch_ops)


def floor_arguments(description: str) -> argparse.ArgumentParser:
    """The arguments every floor takes: the file, the database and the tenant."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("file", type=Path)
    parser.add_argument("--database-url", required=True, help="sqlite:///... or postgresql://...")
    parser.add_argument("--tenant-id", required=True, help="id of an existing tenants row")
    parser.add_argument("--batch-ops", type=int, default=BATCH_OPS)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = floor_arguments("Raw-floor import of a mass-operation file.").parse_args(argv)
    result = raw_floor(args.file, args.database_url, args.tenant_id, args.batch_ops)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
