"""The customer/order raw floor writes every operation of a generated file into
Geode's migrated tables (SQLite and PostgreSQL), and the plain floor into tables
of its own: through the writers and batching they share with the catalogue floor."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bench.floor import raw_floor
from bench.generate import generate
from bench.plain_floor import plain_floor
from geode.app import App
from geode.tenants.service import TenantInfo


def _count(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def test_the_raw_floor_writes_one_row_per_operation_in_batches(
    app: App, tenant: TenantInfo, db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "ops.json"
    generate(path, 40, 7)
    result = raw_floor(path, db_url, tenant.id, batch_ops=7)  # batches end mid-file
    assert result["ops"] == 40
    with app.engine.connect() as connection:
        rows = sum(
            int(
                connection.execute(
                    sa.text(f"SELECT count(*) FROM {table} WHERE tenant_id = :t"), {"t": tenant.id}
                ).scalar_one()
            )
            for table in ("customers", "orders")
        )
    assert rows == 40


def test_the_plain_floor_writes_the_same_rows_into_its_own_tables(tmp_path: Path) -> None:
    path = tmp_path / "ops.json"
    generate(path, 40, 7)
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    result = plain_floor(path, url, "tenant", batch_ops=7)
    assert result["ops"] == 40
    assert _count(url, "plain_customers") + _count(url, "plain_orders") == 40
