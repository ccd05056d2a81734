"""The customer intents of a mass-operation file, as registered with the engine:
their schema (`intent_inputs`) and how a batch of them is applied.

Names and fields follow @crystallize/schema (src/mass-operation/customer.ts).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.customers.intent_inputs import (
    CustomerCreate,
    CustomerGroupCreate,
    CustomerGroupUpdate,
    CustomerGroupUpsert,
    CustomerSchema,
    CustomerUpdate,
    CustomerUpsert,
)
from geode.customers.service import CustomerBatch, CustomerPending
from geode.massops.intents import BatchContext, IntentFamily
from geode.outcomes import Applied

__all__ = [
    "CustomerCreate",
    "CustomerGroupCreate",
    "CustomerGroupUpdate",
    "CustomerGroupUpsert",
    "CustomerIntents",
    "CustomerUpdate",
    "CustomerUpsert",
]


class _Batch:
    def __init__(self, batch: CustomerBatch) -> None:
        self.batch = batch

    def prefetch(self, ops: Sequence[Any]) -> None:
        customers: list[str] = []
        groups: list[str] = []
        for op in ops:
            (groups if _is_group(op) else customers).append(op.identifier)
        self.batch.customers.prefetch(customers)
        self.batch.groups.prefetch(groups)

    def apply(self, op: Any, documents: dict[str, str] | None) -> Applied:
        batch = self.batch
        match op:
            case CustomerUpsert():
                return batch.upsert_customer(op.identifier, op)
            case CustomerCreate():
                return batch.create_customer(op.identifier, op)
            case CustomerUpdate():
                return batch.update_customer(op.identifier, op)
            case CustomerGroupUpsert():
                return batch.upsert_group(op.identifier, op)
            case CustomerGroupCreate():
                return batch.create_group(op.identifier, op)
            case CustomerGroupUpdate():
                return batch.update_group(op.identifier, op)
        raise AssertionError(f"not a customer intent: {type(op).__name__}")

    def record(self, batch: int) -> None:
        self.batch.record(batch)

    def plan(self) -> list[Any]:
        return self.batch.plan()


class _Keys(msgspec.Struct):
    intent: str
    identifier: Any = None


class _Planner:
    """A customer and a group are keyed by identifier. Where some operation's
    identifier is a template, every record of that kind shares one key."""

    def __init__(self) -> None:
        self.collapsed: set[str] = set()

    def survey(self, op: _Keys, key_templated: bool, templated: bool) -> None:
        if key_templated:
            self.collapsed.add(_kind(op.intent))

    def key(self, op: _Keys, raw: msgspec.Raw) -> str | None:
        kind = _kind(op.intent)
        return kind if kind in self.collapsed else f"{kind}\x1f{op.identifier}"


def _kind(intent: str) -> str:
    return "group" if intent.startswith("customer/group/") else "customer"


def _is_group(op: Any) -> bool:
    return isinstance(op, CustomerGroupCreate | CustomerGroupUpdate | CustomerGroupUpsert)


class CustomerIntents(CustomerSchema, IntentFamily):
    lookup_tables = ("customers", "customer_groups")
    planning_fields = _Keys

    def new_pending(self) -> CustomerPending:
        return CustomerPending()

    def open_batch(self, context: BatchContext, pending: Any) -> _Batch:
        return _Batch(CustomerBatch(context.connection, context.tenant_id, context.now, pending))

    def key_planner(self) -> _Planner:
        return _Planner()

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        from geode.customers.export import customer_operations

        return customer_operations(connection, tenant_id)
