"""The order intents as a file declares them: structs, outputs, and the JSON
documents spooled pre-encoded.

What a validation worker process loads of orders (`IntentSchema`): it imports
no SQLAlchemy; `orders.intents` adds how to apply them.
Names and fields follow @crystallize/schema (src/mass-operation/order.ts).
"""

from __future__ import annotations

from typing import Any

from geode.massops.intents import IntentSchema, Ref, Templates, ref_field
from geode.orders.documents import detach_documents
from geode.orders.schemas import OrderFields, OrderInput, PipelineAssociation
from geode.schemas import UNSET, IdText, Key, UnsetType


class OrderRegister(OrderInput, tag_field="intent", tag="order/register", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    resourceIdentifier: Key | UnsetType = UNSET
    pipelines: list[PipelineAssociation] | UnsetType | None = UNSET


class OrderUpdate(OrderFields, tag_field="intent", tag="order/update", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    id: IdText | UnsetType = UNSET
    resourceIdentifier: Key | UnsetType = UNSET

    def __post_init__(self) -> None:
        if self.id is UNSET and self.resourceIdentifier is UNSET:
            raise ValueError("order/update needs `id` or `resourceIdentifier` to find the order")


class OrderUpsert(OrderInput, tag_field="intent", tag="order/upsert", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    id: IdText | UnsetType = UNSET
    resourceIdentifier: Key | UnsetType = UNSET


_OUTPUT = frozenset(
    {
        "id", "resourceIdentifier", "createdAt", "customer.identifier", "total.gross",
        "total.net", "total.currency", "paymentStatus", "type",
    }
)  # fmt: skip


class OrderSchema(IntentSchema):
    name = "orders"
    operations = (OrderRegister, OrderUpdate, OrderUpsert)
    key_fields = frozenset({"id", "resourceIdentifier"})
    lean_keys = True

    def outputs(self, intent: str) -> frozenset[str]:
        return _OUTPUT

    def spool_documents(self, op: Any, templates: Templates | None) -> dict[str, str] | None:
        """An order's JSON documents (cart, payment, ...) are encoded by the
        validation processes rather than decoded and encoded again by the run's
        single thread: reading the benchmark's spool (200k) back takes half as
        long (4.9 -> 2.4 us per operation). Not for fields holding templates
        (rendered during the run), nor for an upsert keyed by its content (its
        fingerprint reads the whole input)."""
        if isinstance(op, OrderRegister) or (
            isinstance(op, OrderUpsert)
            and (op.id is not UNSET or op.resourceIdentifier is not UNSET)
        ):
            keep = {path[0] for path, _ in templates} if templates else ()
            return detach_documents(op, keep)
        return None

    def log_key(self, op: Any) -> str | None:
        for value in (getattr(op, "id", UNSET), op.resourceIdentifier):
            if isinstance(value, str):
                return value
        return None
