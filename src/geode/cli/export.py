"""`geode export customers|orders`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from geode.cli.context import app_context, err
from geode.db.engine import reading
from geode.massops.export import customer_operations, order_operations, write_file
from geode.tenants.service import get_tenant


class Kind(StrEnum):
    customers = "customers"
    orders = "orders"


def export(
    kind: Kind,
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant identifier.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout).")
    ] = None,
) -> None:
    """Write a tenant's customers or orders as a mass-operation file."""
    with app_context() as app, reading(app.engine) as connection:
        tenant_id = get_tenant(connection, tenant).id
        operations = (
            customer_operations(connection, tenant_id)
            if kind is Kind.customers
            else order_operations(connection, tenant_id)
        )
        if output is None:
            count = write_file(sys.stdout.buffer, operations)
        else:
            with open(output, "wb") as handle:
                count = write_file(handle, operations)
    err.print(f"exported {count} {kind.value}")
