"""cart in the order document

An order's cart moves from the `order_lines` table into `orders.cart`, a JSON
array of the cart items (each line's `details` document, in position order).
Order content hashes change with it: the first upsert of an unchanged order
after this migration reports `updated` once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_MONEY = sa.Numeric().with_variant(sa.Text(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cart", sa.Text(), server_default="[]", nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE orders o SET cart = '[' || l.items || ']' FROM ("
            " SELECT tenant_id, order_id, string_agg(details, ',' ORDER BY position) AS items"
            " FROM order_lines GROUP BY tenant_id, order_id) l"
            " WHERE o.tenant_id = l.tenant_id AND o.id = l.order_id"
        )
    else:
        op.execute(
            "UPDATE orders SET cart = '[' || ("
            " SELECT group_concat(details, ',') FROM ("
            "  SELECT details FROM order_lines l"
            "  WHERE l.tenant_id = orders.tenant_id AND l.order_id = orders.id"
            "  ORDER BY l.position)) || ']'"
            " WHERE EXISTS (SELECT 1 FROM order_lines l"
            "  WHERE l.tenant_id = orders.tenant_id AND l.order_id = orders.id)"
        )
    op.drop_table("order_lines")


def downgrade() -> None:
    # Carts are set aside first: on SQLite, dropping the column rebuilds `orders`,
    # which would cascade-delete lines already put back.
    op.execute("CREATE TEMPORARY TABLE geode_carts AS SELECT tenant_id, id, cart FROM orders")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("cart")
    op.create_table(
        "order_lines",
        sa.Column("tenant_id", sa.String(length=24), nullable=False),
        sa.Column("order_id", sa.String(length=24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("quantity", _MONEY, nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=True),
        sa.Column("price_gross", _MONEY, nullable=True),
        sa.Column("price_net", _MONEY, nullable=True),
        sa.Column("sub_total_gross", _MONEY, nullable=True),
        sa.Column("sub_total_net", _MONEY, nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "order_id"],
            ["orders.tenant_id", "orders.id"],
            name=op.f("fk_order_lines_tenant_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "order_id", "position", name=op.f("pk_order_lines")),
    )
    columns = (
        "tenant_id, order_id, position, sku, name, quantity, currency,"
        " price_gross, price_net, sub_total_gross, sub_total_net, details"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"INSERT INTO order_lines ({columns})"
            " SELECT o.tenant_id, o.id, i.n - 1, i.v->>'sku', i.v->>'name',"
            " (i.v->>'quantity')::numeric, COALESCE(i.v#>>'{price,currency}',"
            " i.v#>>'{subTotal,currency}'), (i.v#>>'{price,gross}')::numeric,"
            " (i.v#>>'{price,net}')::numeric, (i.v#>>'{subTotal,gross}')::numeric,"
            " (i.v#>>'{subTotal,net}')::numeric, i.v::text"
            " FROM geode_carts o, json_array_elements(o.cart::json) WITH ORDINALITY AS i(v, n)"
        )
    else:
        op.execute(
            f"INSERT INTO order_lines ({columns})"
            " SELECT o.tenant_id, o.id, CAST(i.key AS INTEGER),"
            " json_extract(i.value, '$.sku'), json_extract(i.value, '$.name'),"
            " CAST(json_extract(i.value, '$.quantity') AS TEXT),"
            " COALESCE(json_extract(i.value, '$.price.currency'),"
            "  json_extract(i.value, '$.subTotal.currency')),"
            " CAST(json_extract(i.value, '$.price.gross') AS TEXT),"
            " CAST(json_extract(i.value, '$.price.net') AS TEXT),"
            " CAST(json_extract(i.value, '$.subTotal.gross') AS TEXT),"
            " CAST(json_extract(i.value, '$.subTotal.net') AS TEXT), i.value"
            " FROM geode_carts o, json_each(o.cart) AS i"
        )
    op.execute("DROP TABLE geode_carts")
