"""The customer intents of a mass-operation file, as registered with the engine.

Names and fields follow @crystallize/schema (src/mass-operation/customer.ts).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.customers.schemas import CustomerGroupInput, CustomerInput
from geode.customers.service import CustomerBatch, CustomerPending
from geode.massops.intents import BatchContext, IntentFamily, Ref, ref_field
from geode.outcomes import Applied
from geode.schemas import UnsetType


class CustomerCreate(CustomerInput, tag_field="intent", tag="customer/create", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class CustomerUpdate(CustomerInput, tag_field="intent", tag="customer/update", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class CustomerUpsert(CustomerInput, tag_field="intent", tag="customer/upsert", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class CustomerGroupCreate(
    CustomerGroupInput, tag_field="intent", tag="customer/group/create", kw_only=True
):
    ref: Ref | UnsetType = ref_field()


class CustomerGroupUpdate(
    CustomerGroupInput, tag_field="intent", tag="customer/group/update", kw_only=True
):
    ref: Ref | UnsetType = ref_field()


class CustomerGroupUpsert(
    CustomerGroupInput, tag_field="intent", tag="customer/group/upsert", kw_only=True
):
    ref: Ref | UnsetType = ref_field()


_CUSTOMER_OUTPUT = frozenset(
    {
        "id", "identifier", "type", "email", "firstName", "middleName", "lastName",
        "companyName", "phone", "taxNumber", "birthDate",
    }
)  # fmt: skip
_GROUP_OUTPUT = frozenset({"id", "identifier", "name"})


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


class CustomerIntents(IntentFamily):
    name = "customers"
    operations = (
        CustomerCreate,
        CustomerUpdate,
        CustomerUpsert,
        CustomerGroupCreate,
        CustomerGroupUpdate,
        CustomerGroupUpsert,
    )
    key_fields = frozenset({"identifier"})
    lookup_tables = ("customers", "customer_groups")
    planning_fields = _Keys
    lean_keys = True

    def outputs(self, intent: str) -> frozenset[str]:
        return _GROUP_OUTPUT if intent.startswith("customer/group/") else _CUSTOMER_OUTPUT

    def new_pending(self) -> CustomerPending:
        return CustomerPending()

    def open_batch(self, context: BatchContext, pending: Any) -> _Batch:
        return _Batch(CustomerBatch(context.connection, context.tenant_id, context.now, pending))

    def key_planner(self) -> _Planner:
        return _Planner()

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        from geode.customers.export import customer_operations

        return customer_operations(connection, tenant_id)
