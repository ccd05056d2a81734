"""Apply one batch of operations: prepare in memory, then write set-based.

Order within the batch is kept: each operation sees the ones before it and
the rows of earlier batches, committed or still pending. `prepare` only reads;
its `plan` holds the net effect and one log row per operation, for the
caller to write inside its own transaction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from msgspec import UNSET

from geode.customers.service import CustomerBatch, CustomerPending
from geode.db import bulk
from geode.incidents import storable
from geode.jsontext import dumps
from geode.massops import repository
from geode.massops.references import ReferenceState
from geode.massops.schemas import (
    CustomerCreate,
    CustomerGroupCreate,
    CustomerGroupUpdate,
    CustomerGroupUpsert,
    CustomerUpdate,
    CustomerUpsert,
    OrderRegister,
    OrderUpdate,
    OrderUpsert,
)
from geode.massops.spool import SpoolEntry
from geode.massops.templates import TemplateError, compile_template, set_path
from geode.orders.writer import OrderBatch, OrderPending
from geode.outcomes import Applied, OperationFailed

Counts = dict[str, Counter[str]]
_CUSTOMER_INTENTS = (CustomerCreate, CustomerUpdate, CustomerUpsert)
_GROUP_INTENTS = (CustomerGroupCreate, CustomerGroupUpdate, CustomerGroupUpsert)
_ORDER_INTENTS = (OrderUpsert, OrderUpdate, OrderRegister)
_KEY_FIELDS = frozenset(("identifier", "id", "resourceIdentifier"))
LOOKUP_TABLES = ("customers", "customer_groups", "orders")
"""What preparing a batch reads by key (see `_prefetch`)."""


@dataclass
class BatchResult:
    counts: Counts = field(default_factory=dict)
    references: ReferenceState | None = None


@dataclass
class PendingWrites:
    """Rows of prepared batches whose transactions have not committed yet."""

    customers: CustomerPending = field(default_factory=CustomerPending)
    orders: OrderPending = field(default_factory=OrderPending)

    def committed(self, batch: int) -> None:
        self.customers.committed(batch)
        self.orders.committed(batch)


class BatchApplier:
    def __init__(
        self,
        connection: sa.Connection,
        task_id: str,
        tenant_id: str,
        now: str,
        refs: ReferenceState,
        pending: PendingWrites | None = None,
    ) -> None:
        self.task_id = task_id
        pending = pending or PendingWrites()
        self.customers = CustomerBatch(connection, tenant_id, now, pending.customers)
        self.orders = OrderBatch(connection, tenant_id, now, pending.orders)
        self.connection = connection
        # This batch's outputs: a layer over the run's, merged once prepared.
        self.refs = refs.layer()
        self.logs: list[tuple[Any, ...]] = []
        self.plan: list[bulk.WriteStep] = []
        """The batch's net effect, once prepared: the writer runs it (only SQL there)."""
        self.counts: Counts = {}

    def prepare(self, entries: list[tuple[int, SpoolEntry]]) -> BatchResult:
        """Decide every operation's outcome; reads, never writes."""
        self._prefetch(entries)
        for index, entry in entries:
            self._apply_one(index, entry)
        self.plan = [
            *self.customers.plan(),
            *self.orders.plan(),
            bulk.Insert(repository.LOG_TABLE, repository.LOG_COLUMNS, self.logs),
        ]
        return BatchResult(self.counts, self.refs)

    def record(self, batch: int) -> None:
        self.customers.record(batch)
        self.orders.record(batch)

    def apply(self, entries: list[tuple[int, SpoolEntry]]) -> BatchResult:
        """prepare and write on one connection: the sequential path."""
        result = self.prepare(entries)
        bulk.execute(self.connection, self.plan)
        return result

    def _prefetch(self, entries: list[tuple[int, SpoolEntry]]) -> None:
        customers: list[str] = []
        groups: list[str] = []
        order_ids: list[str] = []
        resource_identifiers: list[str] = []
        updated_ids: list[str] = []
        updated_ris: list[str] = []
        for _, entry in entries:
            op = entry.op
            if entry.templates and any(path[0] in _KEY_FIELDS for path, _ in entry.templates):
                continue  # looked up one by one once rendered
            if isinstance(op, _CUSTOMER_INTENTS):
                customers.append(op.identifier)
            elif isinstance(op, _GROUP_INTENTS):
                groups.append(op.identifier)
            elif isinstance(op, _ORDER_INTENTS):
                if isinstance(op, OrderUpsert | OrderUpdate) and isinstance(op.id, str):
                    order_ids.append(op.id)
                if isinstance(op.resourceIdentifier, str):
                    resource_identifiers.append(op.resourceIdentifier)
                if isinstance(op, OrderUpdate):  # rebuilt from the stored document
                    if isinstance(op.id, str):
                        updated_ids.append(op.id)
                    elif isinstance(op.resourceIdentifier, str):
                        updated_ris.append(op.resourceIdentifier)
        self.customers.customers.prefetch(customers)
        self.customers.groups.prefetch(groups)
        self.orders.prefetch(ids=order_ids, resource_identifiers=resource_identifiers)
        self.orders.prefetch_documents(ids=updated_ids, resource_identifiers=updated_ris)

    def _apply_one(self, index: int, entry: SpoolEntry) -> None:
        op: Any = entry.op
        intent: str = op.__struct_config__.tag
        ref = op.ref if op.ref is not UNSET else None
        key = _key_of(op)
        try:
            if entry.templates:
                templates = [(path, compile_template(text)) for path, text in entry.templates]
                references = [r for _, template in templates for r in template.references]
                blocker = self.refs.blocker(references)
                if blocker is not None:
                    self._log(index, intent, ref, "skipped", None, None, key, "skipped", blocker)
                    return
                for path, template in templates:
                    set_path(op, path, template.render(self.refs.lookup))
                key = _key_of(op)
            applied = self._dispatch(op, entry.documents)
        except TemplateError as exc:
            self._log(index, intent, ref, "failure", None, None, key, "invalid_reference", str(exc))
            return
        except OperationFailed as exc:
            self._log(
                index, intent, ref, "failure", None, None, exc.key or key, exc.code, exc.message
            )
            return
        output = None
        if ref is not None:
            output = dumps(applied.output)
            self.refs.remember(ref, applied.output)
        self._log(
            index, intent, ref, "success", applied.outcome, applied.resource_id,
            applied.key, None, None, output,
        )  # fmt: skip

    def _dispatch(self, op: Any, documents: dict[str, str] | None) -> Applied:
        customers, orders = self.customers, self.orders
        match op:
            case CustomerUpsert():
                return customers.upsert_customer(op.identifier, op)
            case CustomerCreate():
                return customers.create_customer(op.identifier, op)
            case CustomerUpdate():
                return customers.update_customer(op.identifier, op)
            case CustomerGroupUpsert():
                return customers.upsert_group(op.identifier, op)
            case CustomerGroupCreate():
                return customers.create_group(op.identifier, op)
            case CustomerGroupUpdate():
                return customers.update_group(op.identifier, op)
            case OrderUpsert():
                return orders.upsert(op, _opt(op.id), _opt(op.resourceIdentifier), documents)
            case OrderRegister():
                return orders.register(op, _opt(op.resourceIdentifier), documents)
            case OrderUpdate():
                return orders.update(op, _opt(op.id), _opt(op.resourceIdentifier))
        raise AssertionError(f"no handler for {type(op).__name__}")

    def _log(
        self,
        index: int,
        intent: str,
        ref: str | None,
        status: str,
        outcome: str | None,
        resource_id: str | None,
        key: str | None,
        error_code: str | None,
        message: str | None,
        output: str | None = None,
    ) -> None:
        self.logs.append(
            (
                self.task_id,
                index,
                intent,
                ref,
                status,
                outcome,
                resource_id,
                key,
                error_code,
                message,
                output,
            )
        )
        self.counts.setdefault(intent, Counter())[
            outcome or ("skipped" if status == "skipped" else "failed")
        ] += 1
        if status != "success" and ref is not None:
            self.refs.mark_unavailable(ref, index, status)


def failure_row(
    task_id: str, index: int, entry: SpoolEntry, code: str, message: str
) -> tuple[Any, ...]:
    """A log row for an operation the store refused outright. Its key and
    `_ref` are made storable: either may be the very value that was refused."""
    op: Any = entry.op
    ref = op.ref if op.ref is not UNSET else None
    key = _key_of(op)
    return (
        task_id,
        index,
        op.__struct_config__.tag,
        None if ref is None else storable(ref),
        "failure",
        None,
        None,
        None if key is None else storable(key),
        code,
        message,
        None,
    )


def _opt(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _key_of(op: Any) -> str | None:
    for name in ("identifier", "id", "resourceIdentifier"):
        value = getattr(op, name, UNSET)
        if isinstance(value, str):
            return value
    return None
