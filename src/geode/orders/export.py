"""A tenant's orders as operations that re-import to the same data."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from geode.db.pages import tenant_pages
from geode.orders.documents import order_document
from geode.orders.intents import OrderUpsert
from geode.orders.models import Order
from geode.timestamps import stored_timestamp

_orders: sa.Table = Order.__table__  # type: ignore[assignment]


def order_operations(connection: sa.Connection, tenant_id: str) -> Iterator[OrderUpsert]:
    for rows in tenant_pages(connection, _orders, tenant_id, "id"):
        for row in rows:
            document = order_document(row, stored_timestamp(row["created_at"]))
            fields = {
                f: getattr(document, f) for f in document.__struct_fields__ if f != "pipelines"
            }
            yield OrderUpsert(**fields)
