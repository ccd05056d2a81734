"""Helpers for the loyalty tests: customers to credit, and handlers run like the runner does."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from geode.app import App
from geode.batches.handler import BatchHandler
from geode.customers.models import Customer
from geode.ids import new_id
from geode.jsontext import encode_for_file
from geode.tenants.service import TenantInfo
from geode.timestamps import utcnow

AddCustomers = Callable[..., None]
Apply = Callable[[BatchHandler, Sequence[Any]], list[tuple[bool, dict[str, Any]]]]


def decode(obj: Any) -> Any:
    """What the runner hands the schema: the JSON text (Decimals written as numbers)
    parsed back with floats as Decimal."""
    return json.loads(encode_for_file(obj), parse_float=Decimal)


@pytest.fixture
def add_customers(app: App, tenant: TenantInfo) -> AddCustomers:
    def add(*identifiers: str) -> None:
        now = utcnow()
        with app.engine.begin() as connection:
            connection.execute(
                sa.insert(Customer.__table__),  # type: ignore[arg-type]
                [
                    {
                        "tenant_id": tenant.id,
                        "id": new_id(),
                        "identifier": identifier,
                        "type": "individual",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for identifier in identifiers
                ],
            )

    return add


@pytest.fixture
def apply(app: App, tenant: TenantInfo) -> Apply:
    """Validate the objects with the handler's schema and apply them as one slice."""

    def run(handler: BatchHandler, objects: Sequence[Any]) -> list[tuple[bool, dict[str, Any]]]:
        models = [handler.schema.model_validate(decode(obj)) for obj in objects]
        with app.engine.begin() as connection:
            results = handler.apply(connection, tenant.id, models)
        assert len(results) == len(objects)
        return [(r.ok, r.item) for r in results]

    return run
