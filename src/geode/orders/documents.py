"""Between an order's input form and its stored rows, both ways.

The same conversion serves every intent that writes orders and the exporter,
so what is written is exactly what is read back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Mapping
from typing import Any

from msgspec import UNSET

from geode.customers.schemas import CustomerInput
from geode.jsontext import dumps, loads
from geode.money import money_text
from geode.orders.schemas import (
    AppliedPromotion,
    CartItem,
    OrderDocument,
    OrderFields,
    Payment,
    PipelineAssociation,
    Price,
)
from geode.schemas import KeyValuePair

ORDER_COLUMNS = (
    "tenant_id", "id", "resource_identifier", "fingerprint", "content_hash",
    "customer_identifier", "customer", "cart", "total", "total_gross", "total_net",
    "currency", "payment", "payment_status", "type", "meta", "applied_promotions",
    "related_order_ids", "pipelines", "additional_information", "stock_location_identifier",
    "created_at", "updated_at",
)  # fmt: skip
# Stored as JSON documents: (input field, column, type to decode)
_DOCUMENT_FIELDS: tuple[tuple[str, str, Any], ...] = (
    ("total", "total", Price),
    ("payment", "payment", list[Payment]),
    ("meta", "meta", list[KeyValuePair]),
    ("appliedPromotions", "applied_promotions", list[AppliedPromotion]),
    ("relatedOrderIds", "related_order_ids", list[str]),
    ("pipelines", "pipelines", list[PipelineAssociation]),
)
# Fields that the stored row holds as JSON text and nothing else reads: the
# validation pass may encode them ahead (`detach_documents`), so that the run,
# single-threaded, neither decodes them from the spool nor encodes them again.
DETACHABLE = ("cart", "payment", "meta", "appliedPromotions", "relatedOrderIds", "pipelines")
_SCALAR_FIELDS = (
    ("paymentStatus", "payment_status"),
    ("type", "type"),
    ("additionalInformation", "additional_information"),
    ("stockLocationIdentifier", "stock_location_identifier"),
)

OrderRow = dict[str, Any]


def _money(price: Any, part: str) -> str | None:
    if price is UNSET or price is None:
        return None
    value = getattr(price, part)
    return None if value is UNSET or value is None else money_text(value)


def _document(value: Any) -> str | None:
    return None if value is UNSET or value is None else dumps(value)


def detach_documents(data: OrderFields, keep: Container[object] = ()) -> dict[str, str] | None:
    """Take the `DETACHABLE` fields out of `data` (in place) as their stored JSON text.

    `build_order(data, documents=...)` then makes the same row as it would have
    from the untouched input. Fields named in `keep` (say, ones holding
    templates, which are rendered later) stay.
    """
    documents = {}
    for name in DETACHABLE:
        value = getattr(data, name, UNSET)
        if value is UNSET or value is None or name in keep:
            continue
        documents[name] = dumps(value)
        setattr(data, name, [] if name == "cart" else UNSET)
    return documents or None


def build_order(
    data: OrderFields,
    *,
    tenant_id: str,
    order_id: str,
    resource_identifier: str | None,
    fingerprint: str | None,
    created_at: str,
    now: str,
    documents: Mapping[str, str] | None = None,
) -> OrderRow:
    """The stored row of an order, with its content hash.

    On the bulk hot path: one JSON encode per document, no per-value helpers.
    `documents` holds fields already encoded by `detach_documents`.
    """
    detached = documents or {}
    customer = data.customer
    total = data.total
    if total is UNSET:
        total = None
    row: OrderRow = {
        "tenant_id": tenant_id,
        "id": order_id,
        "resource_identifier": resource_identifier,
        "fingerprint": fingerprint,
        "customer_identifier": customer.identifier if customer is not UNSET else "",
        "customer": dumps(customer) if customer is not UNSET else "{}",
        "cart": detached.get("cart") or ("[]" if data.cart is UNSET else dumps(data.cart)),
        "total_gross": _money(total, "gross"),
        "total_net": _money(total, "net"),
        "currency": total.currency if total is not None else None,
        "created_at": created_at,
        "updated_at": now,
    }
    for name, column, _ in _DOCUMENT_FIELDS:
        text = detached.get(name)
        row[column] = _document(getattr(data, name, UNSET)) if text is None else text
    for name, column in _SCALAR_FIELDS:
        value = getattr(data, name)
        row[column] = None if value is UNSET else value
    row["content_hash"] = content_hash(row)
    return row


# What an order is made of; the other columns are derived from these.
_HASHED_COLUMNS = (
    "id", "resource_identifier", "fingerprint", "customer", "cart", "total", "payment",
    "payment_status", "type", "meta", "applied_promotions", "related_order_ids", "pipelines",
    "additional_information", "stock_location_identifier", "created_at",
)  # fmt: skip


def content_hash(row: Mapping[str, Any]) -> str:
    parts = ["\x00" if (v := row[c]) is None else v for c in _HASHED_COLUMNS]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def order_document(row: Mapping[str, Any], created_at: str) -> OrderDocument:
    """Rebuild the input form of a stored order (exports, partial updates)."""
    values: dict[str, Any] = {
        "id": row["id"],
        "customer": loads(row["customer"], CustomerInput),
        "cart": loads(row["cart"], list[CartItem]),
        "createdAt": created_at,
    }
    if row["resource_identifier"] is not None:
        values["resourceIdentifier"] = row["resource_identifier"]
    for name, column, type_ in _DOCUMENT_FIELDS:
        if row[column] is not None:
            values[name] = loads(row[column], type_)
    for name, column in _SCALAR_FIELDS:
        if row[column] is not None:
            values[name] = row[column]
    return OrderDocument(**values)


def order_output(row: Mapping[str, Any]) -> dict[str, Any]:
    """What `{{ ref.field }}` can read from an order operation."""
    return {
        "id": row["id"],
        "resourceIdentifier": row["resource_identifier"],
        "createdAt": row["created_at"],
        "customer": {"identifier": row["customer_identifier"]},
        "total": {
            "gross": row["total_gross"],
            "net": row["total_net"],
            "currency": row["currency"],
        },
        "paymentStatus": row["payment_status"],
        "type": row["type"],
    }
