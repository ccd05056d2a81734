"""Planner statistics kept fresh during bulk runs, on a PostgreSQL database of its own
(statistics are per table, so other tests' rows would blur them)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geode.db.engine import create_engine
from geode.db.statistics import TableStatistics
from geode.tenants.service import create_tenant
from tests.conftest import _postgres_database


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    for url in _postgres_database(f"stats_{uuid.uuid4().hex[:6]}"):
        engine = create_engine(url)
        yield engine
        engine.dispose()


def _tenant(engine: Engine) -> str:
    with engine.begin() as connection:
        return create_tenant(connection, f"t-{uuid.uuid4().hex[:8]}").id


def _insert_orders(engine: Engine, tenant_id: str, count: int) -> list[str]:
    ids = [uuid.uuid4().hex[:24] for _ in range(count)]
    rows: list[dict[str, Any]] = [
        {"t": tenant_id, "id": i, "c": f"cust-{n % 500}"} for n, i in enumerate(ids)
    ]
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO orders (tenant_id, id, content_hash, customer_identifier, customer,"
                " created_at, updated_at) VALUES (:t, :id, 'h', :c, '{}',"
                " '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z')"
            ),
            rows,
        )
    return ids


def _reltuples(engine: Engine, table: str) -> float:
    with engine.connect() as connection:
        value = connection.execute(
            sa.text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table}
        ).scalar()
    return float(value or 0)


def test_tables_never_analyzed_are_analyzed_before_a_run_reads_them(pg_engine: Engine) -> None:
    _insert_orders(pg_engine, _tenant(pg_engine), 3_000)
    with pg_engine.connect() as connection:  # the server's live-row count is flushed lazily
        connection.execute(sa.text("SELECT pg_stat_force_next_flush()"))
    statistics = TableStatistics(pg_engine, ["orders", "customers"], min_rows=1_000)

    assert _reltuples(pg_engine, "orders") < 0  # never analyzed
    assert statistics.refresh_stale() == ["orders"]
    assert _reltuples(pg_engine, "orders") == 3_000
    assert statistics.refresh_stale() == []  # fresh now


def test_a_run_analyzes_each_time_its_own_rows_double(pg_engine: Engine) -> None:
    statistics = TableStatistics(pg_engine, ["orders"], min_rows=1_000)
    analyzed = []
    for _ in range(8):
        statistics.wrote("orders", 500)
        statistics.wrote("massop_logs", 500)  # not a table the run looks up by key
        analyzed.append(statistics.refresh())

    # after the first write (foreign-key checks are planned from it), then each time
    # the rows written since reach those analyzed (at least 1,000): 500, 1,500, 3,000
    assert analyzed == [["orders"], [], ["orders"], [], [], ["orders"], [], []]


def _estimated_rows(engine: Engine, tenant_id: str) -> int:
    with engine.connect() as connection:
        plan = connection.execute(
            sa.text("EXPLAIN SELECT id FROM orders WHERE tenant_id = :t"), {"t": tenant_id}
        ).scalar()
    match = re.search(r"rows=(\d+)", str(plan))
    assert match, plan
    return int(match.group(1))


def test_a_tenant_new_to_a_big_table_gets_its_share_in_the_statistics(
    pg_engine: Engine,
) -> None:
    """The bug this prevents: statistics taken while a tenant had no orders made the
    planner think it has none, and take an index on `tenant_id` alone to look up a
    batch's ids: it then read every order of the tenant, for every batch."""
    _insert_orders(pg_engine, _tenant(pg_engine), 20_000)
    with pg_engine.begin() as connection:
        connection.execute(sa.text("ANALYZE orders"))
    tenant_id = _tenant(pg_engine)
    statistics = TableStatistics(pg_engine, ["orders"], min_rows=5_000)
    _insert_orders(pg_engine, tenant_id, 5_000)
    statistics.wrote("orders", 5_000)
    assert _estimated_rows(pg_engine, tenant_id) < 100

    assert statistics.refresh() == ["orders"]
    assert 2_500 <= _estimated_rows(pg_engine, tenant_id) <= 10_000


def test_sqlite_needs_no_statistics(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    statistics = TableStatistics(engine, ["orders"], min_rows=1)
    statistics.wrote("orders", 10)

    assert statistics.refresh() == []
    assert statistics.refresh_stale() == []
    engine.dispose()
