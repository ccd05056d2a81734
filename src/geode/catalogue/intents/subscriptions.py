"""`subscription-contract/create|update|upsert`: a customer's subscription to an item.

A contract is found by `id`, else by `resourceIdentifier`; an upsert naming
neither always creates one (as the reference), and one naming an id that does
not exist yet creates the contract with that id. The contract is kept as one
document beside its keys: fields present replace the stored ones (an explicit
null clears a nullable one), absent fields are kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.documents import dump, load
from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.subscription_inputs import (
    ContractCreate,
    ContractFields,
    ContractSchema,
    ContractUpdate,
    ContractUpsert,
)
from geode.db.base import table_of
from geode.db.pages import tenant_pages
from geode.ids import new_id
from geode.outcomes import Applied, OperationFailed, Outcome
from geode.schemas import UNSET

_KEYS = frozenset({"id", "resourceIdentifier", "customerIdentifier", "status", "intent", "_ref"})


def _find(batch: CatalogueBatch, op: ContractFields) -> tuple[str | None, dict[str, Any] | None]:
    """(the contract's id, its row): by id, else by resourceIdentifier."""
    store = batch.contracts
    if op.id is not UNSET:
        return op.id, store.get(op.id)
    if op.resourceIdentifier is not UNSET:
        found = store.id_of(op.resourceIdentifier)
        row = None if found is None else store.get(found)
        if row is not None and row["resource_identifier"] == op.resourceIdentifier:
            return found, row
    return None, None


def apply_contract(
    batch: CatalogueBatch, op: ContractCreate | ContractUpdate | ContractUpsert
) -> Applied:
    contract_id, existing = _find(batch, op)
    named = op.id if op.id is not UNSET else op.resourceIdentifier
    if existing is not None and isinstance(op, ContractCreate):
        raise OperationFailed(
            "already_exists",
            f"subscription contract {named!r} already exists; use the upsert intent to update it",
            key=str(named),
        )
    if existing is None and isinstance(op, ContractUpdate):
        raise OperationFailed(
            "not_found",
            f"subscription contract {named!r} does not exist; use the upsert intent to create it",
            key=str(named),
        )
    taken = op.resourceIdentifier
    if taken is not UNSET:
        other = batch.contracts.id_of(taken)
        if other is not None and other != contract_id and batch.contracts.get(other) is not None:
            raise OperationFailed(
                "already_exists",
                f"`resourceIdentifier` {taken!r} names another subscription contract ({other})",
                key=taken,
            )
    fields = load(dump(op))
    document = {} if existing is None else load(existing["document"])
    for name, value in fields.items():
        if name in _KEYS:
            continue
        if value is None:
            document.pop(name, None)
        else:
            document[name] = value
    row = {
        "resource_identifier": None if existing is None else existing["resource_identifier"],
        "customer_identifier": None if existing is None else existing["customer_identifier"],
        "status": "{}" if existing is None else existing["status"],
        "document": dump(document),
        "created_at": batch.now if existing is None else existing["created_at"],
        "updated_at": batch.now if existing is None else existing["updated_at"],
    }
    if op.resourceIdentifier is not UNSET:
        row["resource_identifier"] = op.resourceIdentifier
    if isinstance(op, ContractCreate | ContractUpsert):
        row["customer_identifier"] = op.customerIdentifier
    if op.status is not UNSET:
        row["status"] = dump(op.status)
    contract_id = contract_id or new_id()
    if existing is not None and all(row[k] == existing[k] for k in row if k != "updated_at"):
        return Applied("unchanged", contract_id, contract_id, {"id": contract_id})
    if existing is not None:
        row["updated_at"] = batch.now
    batch.contracts.put(contract_id, row)
    outcome: Outcome = "created" if existing is None else "updated"
    return Applied(outcome, contract_id, contract_id, {"id": contract_id})


def contract_operations(connection: sa.Connection, tenant_id: str) -> Iterator[ContractUpsert]:
    table = table_of(models.SubscriptionContract)
    for rows in tenant_pages(connection, table, tenant_id, "id"):
        for row in rows:
            fields = {
                **load(row["document"]),
                "id": row["id"],
                "customerIdentifier": row["customer_identifier"],
                "status": load(row["status"]),
            }
            if row["resource_identifier"] is not None:
                fields["resourceIdentifier"] = row["resource_identifier"]
            yield msgspec.convert(fields, ContractUpsert)


class Contracts(ContractSchema):
    lookup_tables: tuple[str, ...] = ("subscription_contracts",)

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        batch.contracts.prefetch(
            {op.id for op in ops if isinstance(op.id, str)},
            {op.resourceIdentifier for op in ops if isinstance(op.resourceIdentifier, str)},
        )

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied:
        return apply_contract(batch, op)

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        return contract_operations(connection, tenant_id)
