"""The order intents of a mass-operation file, as registered with the engine:
their schema (`intent_inputs`) and how a batch of them is applied.

Names and fields follow @crystallize/schema (src/mass-operation/order.ts).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.massops.intents import BatchContext, IntentFamily
from geode.orders.intent_inputs import OrderRegister, OrderSchema, OrderUpdate, OrderUpsert
from geode.orders.writer import OrderBatch, OrderPending, fingerprint
from geode.outcomes import Applied

__all__ = ["OrderIntents", "OrderRegister", "OrderUpdate", "OrderUpsert"]


class _Batch:
    def __init__(self, batch: OrderBatch) -> None:
        self.batch = batch

    def prefetch(self, ops: Sequence[Any]) -> None:
        order_ids: list[str] = []
        resource_identifiers: list[str] = []
        updated_ids: list[str] = []
        updated_ris: list[str] = []
        for op in ops:
            if isinstance(op, OrderUpsert | OrderUpdate) and isinstance(op.id, str):
                order_ids.append(op.id)
            if isinstance(op.resourceIdentifier, str):
                resource_identifiers.append(op.resourceIdentifier)
            if isinstance(op, OrderUpdate):  # rebuilt from the stored document
                if isinstance(op.id, str):
                    updated_ids.append(op.id)
                elif isinstance(op.resourceIdentifier, str):
                    updated_ris.append(op.resourceIdentifier)
        self.batch.prefetch(ids=order_ids, resource_identifiers=resource_identifiers)
        self.batch.prefetch_documents(ids=updated_ids, resource_identifiers=updated_ris)

    def apply(self, op: Any, documents: dict[str, str] | None) -> Applied:
        orders = self.batch
        match op:
            case OrderUpsert():
                return orders.upsert(op, _opt(op.id), _opt(op.resourceIdentifier), documents)
            case OrderRegister():
                return orders.register(op, _opt(op.resourceIdentifier), documents)
            case OrderUpdate():
                return orders.update(op, _opt(op.id), _opt(op.resourceIdentifier))
        raise AssertionError(f"not an order intent: {type(op).__name__}")

    def record(self, batch: int) -> None:
        self.batch.record(batch)

    def plan(self) -> list[Any]:
        return self.batch.plan()


def _opt(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class _Keys(msgspec.Struct):
    intent: str
    id: Any = None
    resourceIdentifier: Any = None


_upsert_decoder = msgspec.msgpack.Decoder(OrderUpsert)


class _Planner:
    """An order is named by id, by resourceIdentifier, or (an upsert with
    neither) by its content. Where two of those could name the same order in
    one file, or a key is a template, all orders share one key."""

    def __init__(self) -> None:
        self.fingerprint_templated = False
        self.by_id = self.by_ri = self.both = self.templated = False

    def survey(self, op: _Keys, key_templated: bool, templated: bool) -> None:
        has_id, has_ri = op.id is not None, op.resourceIdentifier is not None
        if key_templated:
            self.templated = True
        elif op.intent == "order/upsert" and not has_id and not has_ri:
            self.fingerprint_templated |= templated
        elif has_id and has_ri:
            self.both = True
        elif has_id:
            self.by_id = True
        elif has_ri:
            self.by_ri = True

    def key(self, op: _Keys, raw: msgspec.Raw) -> str | None:
        has_id, has_ri = op.id is not None, op.resourceIdentifier is not None
        if op.intent == "order/upsert" and not has_id and not has_ri:
            if self.fingerprint_templated:
                return "fingerprint"
            return "fingerprint\x1f" + fingerprint(_upsert_decoder.decode(raw))
        if op.intent == "order/register" and not has_ri:
            return None  # always a new order: nothing else can touch it in this file
        if self.templated or self.both or (self.by_id and self.by_ri):
            return "order"
        if has_id:
            return f"id\x1f{op.id}"
        return f"ri\x1f{op.resourceIdentifier}"


class OrderIntents(OrderSchema, IntentFamily):
    lookup_tables = ("orders",)
    planning_fields = _Keys

    def new_pending(self) -> OrderPending:
        return OrderPending()

    def open_batch(self, context: BatchContext, pending: Any) -> _Batch:
        return _Batch(OrderBatch(context.connection, context.tenant_id, context.now, pending))

    def key_planner(self) -> _Planner:
        return _Planner()

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        from geode.orders.export import order_operations

        return order_operations(connection, tenant_id)
