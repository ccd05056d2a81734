"""Which customers exist: the check every customer-keyed batch type makes first."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from geode.customers.models import Customer
from geode.db import bulk
from geode.errors import NotFoundError

_customers: sa.Table = Customer.__table__  # type: ignore[assignment]


def existing_customers(
    connection: sa.Connection, tenant_id: str, identifiers: Iterable[str]
) -> set[str]:
    """The identifiers among `identifiers` that name a customer of the tenant."""
    found: set[str] = set()
    for chunk in bulk.chunked(sorted(set(identifiers))):
        found.update(
            connection.execute(
                sa.select(_customers.c.identifier).where(
                    _customers.c.tenant_id == tenant_id, _customers.c.identifier.in_(chunk)
                )
            ).scalars()
        )
    return found


def unknown_customer(identifier: str) -> str:
    return (
        f"no customer with customerId '{identifier}'; create it with the customers batch type first"
    )


def require_customer(connection: sa.Connection, tenant_id: str, identifier: str) -> None:
    """Raise NotFoundError, saying how to create it, unless the customer exists."""
    if not existing_customers(connection, tenant_id, [identifier]):
        raise NotFoundError(unknown_customer(identifier))
