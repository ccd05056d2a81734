"""Migration 0003 moves cart lines into the order document, and back, losing nothing;
and the migrated schema is exactly what the models declare."""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from geode.db.base import Base
from geode.db.migrate import alembic_config, upgrade

LINES = [
    {"sku": "sku-1", "name": "Mug", "quantity": 2, "price": {"gross": "10.50", "currency": "EUR"}},
    {"name": "Gift wrap", "quantity": 1},
]


def _seed_0002(engine: Engine) -> None:
    upgrade(engine, "0002")
    now = "2024-01-01T00:00:00.000000Z"
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO tenants (id, identifier, created_at) VALUES ('t', 'shop', :n)"),
            {"n": now},
        )
        for order_id in ("with-lines", "empty"):
            connection.execute(
                sa.text(
                    "INSERT INTO orders (tenant_id, id, content_hash, customer_identifier,"
                    " customer, created_at, updated_at) VALUES ('t', :i, 'h', 'c', '{}', :n, :n)"
                ),
                {"i": order_id, "n": now},
            )
        for position, line in reversed(list(enumerate(LINES))):  # stored out of order
            connection.execute(
                sa.text(
                    "INSERT INTO order_lines (tenant_id, order_id, position, sku, name, quantity,"
                    " details) VALUES ('t', 'with-lines', :p, :s, :name, :q, :d)"
                ),
                {
                    "p": position,
                    "s": line.get("sku"),
                    "name": line["name"],
                    "q": str(line["quantity"]),
                    "d": json.dumps(line, separators=(",", ":")),
                },
            )


def _carts(engine: Engine) -> dict[str, list[object]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, cart FROM orders")).all()
    return {order_id: json.loads(cart) for order_id, cart in rows}


def test_lines_become_the_cart_in_position_order_and_come_back(engine: Engine) -> None:
    _seed_0002(engine)

    upgrade(engine, "0003")
    assert _carts(engine) == {"with-lines": LINES, "empty": []}
    assert "order_lines" not in sa.inspect(engine).get_table_names()

    command.downgrade(alembic_config(engine), "0002")
    with engine.connect() as connection:
        lines = connection.execute(
            sa.text("SELECT position, sku, name, details FROM order_lines ORDER BY position")
        ).all()
    assert [(p, sku, name, json.loads(d)) for p, sku, name, d in lines] == [
        (0, "sku-1", "Mug", LINES[0]),
        (1, None, "Gift wrap", LINES[1]),
    ]


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
