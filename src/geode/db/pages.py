"""Keyset pagination: a tenant's rows page by page, never all in memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

PAGE = 1000


def tenant_pages(
    connection: sa.Connection, table: sa.Table, tenant_id: str, key: str, page: int = PAGE
) -> Iterator[list[Any]]:
    """The tenant's rows of `table` ordered by the unique column `key`, a page at a time."""
    last: str | None = None
    while True:
        query = (
            sa.select(table)
            .where(table.c.tenant_id == tenant_id)
            .order_by(table.c[key])
            .limit(page)
        )
        if last is not None:
            query = query.where(table.c[key] > last)
        rows = list(connection.execute(query).mappings())
        if not rows:
            return
        yield rows
        last = rows[-1][key]
