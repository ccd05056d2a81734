"""A tenant's customer groups and customers as operations that re-import to the same data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from geode.customers.intents import CustomerGroupUpsert, CustomerUpsert
from geode.customers.models import Customer, CustomerGroup
from geode.customers.schemas import AddressInput, CustomerParentInput
from geode.db.pages import tenant_pages
from geode.jsontext import loads
from geode.schemas import KeyValuePair

_customers: sa.Table = Customer.__table__  # type: ignore[assignment]
_groups: sa.Table = CustomerGroup.__table__  # type: ignore[assignment]


def _optional(values: dict[str, Any], name: str, text: str | None, type_: Any = None) -> None:
    if text is not None:
        values[name] = loads(text, type_) if type_ is not None else text


def customer_operations(connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
    """Groups first: a customer may name its groups as parents."""
    for rows in tenant_pages(connection, _groups, tenant_id, "identifier"):
        for row in rows:
            values: dict[str, Any] = {"identifier": row["identifier"]}
            _optional(values, "name", row["name"])
            _optional(values, "parents", row["parents"], list[CustomerParentInput])
            yield CustomerGroupUpsert(**values)
    for rows in tenant_pages(connection, _customers, tenant_id, "identifier"):
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
