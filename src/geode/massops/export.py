"""Export stored records as a mass-operation file that re-imports to the same data.

Streamed in keyset-paginated pages so a million orders never sit in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import sqlalchemy as sa

from geode.customers.models import Customer, CustomerGroup
from geode.customers.schemas import AddressInput, CustomerParentInput
from geode.jsontext import encode_for_file, loads
from geode.massops.schemas import CustomerGroupUpsert, CustomerUpsert, OrderUpsert
from geode.orders.documents import order_document
from geode.orders.models import Order
from geode.schemas import KeyValuePair
from geode.timestamps import stored_timestamp

PAGE = 1000
_customers: sa.Table = Customer.__table__  # type: ignore[assignment]
_groups: sa.Table = CustomerGroup.__table__  # type: ignore[assignment]
_orders: sa.Table = Order.__table__  # type: ignore[assignment]


def write_file(out: IO[bytes], operations: Iterator[Any]) -> int:
    out.write(b'{"version": "0.0.1", "operations": [\n')
    count = 0
    for op in operations:
        if count:
            out.write(b",\n")
        out.write(encode_for_file(op))
        count += 1
    out.write(b"\n]}\n")
    return count


def _pages(
    connection: sa.Connection, table: sa.Table, tenant_id: str, key: str
) -> Iterator[list[Any]]:
    last: str | None = None
    while True:
        query = (
            sa.select(table)
            .where(table.c.tenant_id == tenant_id)
            .order_by(table.c[key])
            .limit(PAGE)
        )
        if last is not None:
            query = query.where(table.c[key] > last)
        rows = list(connection.execute(query).mappings())
        if not rows:
            return
        yield rows
        last = rows[-1][key]


def _optional(values: dict[str, Any], name: str, text: str | None, type_: Any = None) -> None:
    if text is not None:
        values[name] = loads(text, type_) if type_ is not None else text


def customer_operations(connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
    for rows in _pages(connection, _groups, tenant_id, "identifier"):
        for row in rows:
            values: dict[str, Any] = {"identifier": row["identifier"]}
            _optional(values, "name", row["name"])
            _optional(values, "parents", row["parents"], list[CustomerParentInput])
            yield CustomerGroupUpsert(**values)
    for rows in _pages(connection, _customers, tenant_id, "identifier"):
        for row in rows:
            values = {"identifier": row["identifier"], "type": row["type"]}
            for name, column in (
                ("firstName", "first_name"), ("middleName", "middle_name"),
                ("lastName", "last_name"), ("email", "email"), ("phone", "phone"),
                ("companyName", "company_name"), ("taxNumber", "tax_number"),
                ("birthDate", "birth_date"),
            ):  # fmt: skip
                _optional(values, name, row[column])
            _optional(values, "addresses", row["addresses"], list[AddressInput])
            _optional(values, "meta", row["meta"], list[KeyValuePair])
            _optional(values, "externalReferences", row["external_references"], list[KeyValuePair])
            _optional(values, "parents", row["parents"], list[CustomerParentInput])
            yield CustomerUpsert(**values)


def order_operations(connection: sa.Connection, tenant_id: str) -> Iterator[OrderUpsert]:
    for rows in _pages(connection, _orders, tenant_id, "id"):
        for row in rows:
            document = order_document(row, stored_timestamp(row["created_at"]))
            fields = {
                f: getattr(document, f) for f in document.__struct_fields__ if f != "pipelines"
            }
            yield OrderUpsert(**fields)
