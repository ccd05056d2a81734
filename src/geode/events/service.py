"""Customer events: recorded in bulk, listed per customer. Callers commit.

Events are facts, appended and never changed. Metadata is stored as JSON
text with numbers written as numbers (`jsontext.encode_for_file`), and read
back with non-integers as Decimal, so `12.50` comes back as `12.50`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.customers.lookup import existing_customers, unknown_customer
from geode.customers.models import Customer
from geode.db import bulk
from geode.errors import InvalidInputError
from geode.events.models import CustomerEvent
from geode.events.schemas import CustomerEvents
from geode.ids import new_id
from geode.jsontext import encode_for_file
from geode.timestamps import stored_timestamp, utcnow

MAX_PAGE = 1000
COLUMNS = ("tenant_id", "id", "customer_identifier", "event_name", "metadata", "created_at")
_customers: sa.Table = Customer.__table__  # type: ignore[assignment]
_events: sa.Table = CustomerEvent.__table__  # type: ignore[assignment]
_metadata_decoder = msgspec.json.Decoder(float_hook=Decimal)


@dataclass(frozen=True, slots=True)
class Recorded:
    """What happened to one object: `count` events stored, or `error` (nothing stored)."""

    count: int = 0
    error: str | None = None


def record_events(
    connection: sa.Connection, tenant_id: str, objects: Sequence[CustomerEvents]
) -> list[Recorded]:
    """Store every event of every object whose customer exists: one read, one bulk insert."""
    known = existing_customers(connection, tenant_id, (obj.customerId for obj in objects))
    now = utcnow()
    rows: list[tuple[Any, ...]] = []
    results: list[Recorded] = []
    for obj in objects:
        if obj.customerId not in known:
            results.append(Recorded(error=unknown_customer(obj.customerId)))
            continue
        for name, metadata in obj.events.items():
            text = None if metadata is None else encode_for_file(metadata).decode()
            rows.append((tenant_id, new_id(), obj.customerId, name, text, now))
        results.append(Recorded(count=len(obj.events)))
    bulk.insert_rows(connection, "customer_events", COLUMNS, rows)
    return results


def list_events(
    connection: sa.Connection,
    tenant_id: str,
    customer_identifier: str,
    *,
    event_name: str | None = None,
    after_id: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """A customer's events, oldest first (ids grow with time); page with `after_id`."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"limit must be between 1 and {MAX_PAGE}")
    query = sa.select(_events).where(
        _events.c.tenant_id == tenant_id, _events.c.customer_identifier == customer_identifier
    )
    if event_name is not None:
        query = query.where(_events.c.event_name == event_name)
    if after_id is not None:
        query = query.where(_events.c.id > after_id)
    rows = connection.execute(query.order_by(_events.c.id).limit(limit)).mappings()
    return [
        {
            "id": row["id"],
            "customerId": row["customer_identifier"],
            "eventName": row["event_name"],
            "metadata": None
            if row["metadata"] is None
            else _metadata_decoder.decode(row["metadata"]),
            "createdAt": stored_timestamp(row["created_at"]),
        }
        for row in rows
    ]


def _decode_or_none(text: str | None) -> Any:
    return None if text is None else _metadata_decoder.decode(text)
