"""Customer and customer-group writes for one batch, behind one object per batch.

Upsert semantics: fields present in the input replace stored values (an
explicit null clears one); absent fields keep theirs. `unchanged` is reported
when nothing present differs.

Below the batch: what the APIs need that no intent does (finding a customer
by record id or identifier, deleting one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from msgspec import UNSET

from geode.customers.models import Customer, CustomerGroup
from geode.customers.schemas import CustomerFields, CustomerGroupFields
from geode.db import bulk
from geode.db.base import table_of
from geode.db.keyed_writer import IdentifierKeyedWriter, Row
from geode.jsontext import dumps_or_none
from geode.outcomes import Applied
from geode.pending import Pending
from geode.timestamps import canonical_timestamp

# (input field, column, stored as JSON document)
CUSTOMER_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("type", "type", False),
    ("firstName", "first_name", False),
    ("middleName", "middle_name", False),
    ("lastName", "last_name", False),
    ("email", "email", False),
    ("phone", "phone", False),
    ("companyName", "company_name", False),
    ("taxNumber", "tax_number", False),
    ("birthDate", "birth_date", False),
    ("addresses", "addresses", True),
    ("meta", "meta", True),
    ("externalReferences", "external_references", True),
    ("parents", "parents", True),
)
GROUP_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("name", "name", False),
    ("parents", "parents", True),
)
CUSTOMER_OUTPUT = ("id", "identifier", *(f for f, _, is_json in CUSTOMER_FIELDS if not is_json))


def _values(data: Any, fields: tuple[tuple[str, str, bool], ...]) -> Row:
    values: Row = {}
    for name, column, is_json in fields:
        value = getattr(data, name)
        if value is UNSET:
            continue
        if is_json:
            value = dumps_or_none(value)
        elif name == "birthDate" and value is not None:
            value = canonical_timestamp(value)
        values[column] = value
    return values


def customer_values(data: CustomerFields) -> Row:
    return _values(data, CUSTOMER_FIELDS)


def group_values(data: CustomerGroupFields) -> Row:
    return _values(data, GROUP_FIELDS)


def _customer_output(row: Row) -> dict[str, Any]:
    output = {"id": row["id"], "identifier": row["identifier"]}
    for name, column, is_json in CUSTOMER_FIELDS:
        if not is_json:
            output[name] = row[column]
    return output


def _group_output(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "identifier": row["identifier"], "name": row["name"]}


@dataclass
class CustomerPending:
    """Rows of batches not committed yet, by identifier (see geode.pending)."""

    customers: Pending[Row] = field(default_factory=Pending)
    groups: Pending[Row] = field(default_factory=Pending)

    def committed(self, batch: int) -> None:
        self.customers.committed(batch)
        self.groups.committed(batch)


class CustomerBatch:
    """Customers and groups touched by one batch of operations."""

    def __init__(
        self,
        connection: sa.Connection,
        tenant_id: str,
        now: str,
        pending: CustomerPending | None = None,
    ) -> None:
        pending = pending or CustomerPending()
        customer_defaults: Row = {column: None for _, column, _ in CUSTOMER_FIELDS}
        customer_defaults["type"] = "individual"
        self.customers = IdentifierKeyedWriter(
            connection,
            Customer.__table__,  # type: ignore[arg-type]
            tenant_id,
            now,
            noun="customer",
            defaults=customer_defaults,
            output=_customer_output,
            pending=pending.customers,
        )
        self.groups = IdentifierKeyedWriter(
            connection,
            CustomerGroup.__table__,  # type: ignore[arg-type]
            tenant_id,
            now,
            noun="customer group",
            defaults={column: None for _, column, _ in GROUP_FIELDS},
            output=_group_output,
            pending=pending.groups,
        )

    def create_customer(self, identifier: str, data: CustomerFields) -> Applied:
        return self.customers.create(identifier, customer_values(data))

    def update_customer(self, identifier: str, data: CustomerFields) -> Applied:
        return self.customers.update(identifier, customer_values(data))

    def upsert_customer(self, identifier: str, data: CustomerFields) -> Applied:
        return self.customers.upsert(identifier, customer_values(data))

    def create_group(self, identifier: str, data: CustomerGroupFields) -> Applied:
        return self.groups.create(identifier, group_values(data))

    def update_group(self, identifier: str, data: CustomerGroupFields) -> Applied:
        return self.groups.update(identifier, group_values(data))

    def upsert_group(self, identifier: str, data: CustomerGroupFields) -> Applied:
        return self.groups.upsert(identifier, group_values(data))

    def record(self, batch: int) -> None:
        self.customers.record(batch)
        self.groups.record(batch)

    def plan(self) -> list[bulk.WriteStep]:
        return [*self.customers.plan(), *self.groups.plan()]


# -- the API's reads and the one write no intent covers ----------------------------

_customers = table_of(Customer)


def find_customer(
    connection: sa.Connection,
    tenant_id: str,
    key: str,
    *,
    prefer: Literal["id", "identifier"] = "id",
) -> sa.RowMapping | None:
    """The customer whose record id or identifier is `key`, or None.

    The API names a customer by its record id (what a create answers), but a
    customer made by a file is known to its owner by its identifier: either
    is taken, one query, and a match on the `prefer`red column wins should an
    identifier happen to spell another customer's id."""
    rows = (
        connection.execute(
            sa.select(_customers).where(
                _customers.c.tenant_id == tenant_id,
                sa.or_(_customers.c.id == key, _customers.c.identifier == key),
            )
        )
        .mappings()
        .all()
    )
    preferred = [row for row in rows if row[prefer] == key]
    found = preferred or rows
    return found[0] if found else None


def delete_customer(connection: sa.Connection, tenant_id: str, identifier: str) -> int:
    """Delete one customer; the number of rows deleted (0 or 1). Not committed.

    No intent deletes a customer, so the API's delete is this. What refers to
    a customer by identifier (orders keep a snapshot of it; contracts, loyalty
    and events keep their history) is left as it is: it is the record of what
    happened, and it is not this customer's to take along."""
    result = connection.execute(
        sa.delete(_customers).where(
            _customers.c.tenant_id == tenant_id, _customers.c.identifier == identifier
        )
    )
    return result.rowcount
