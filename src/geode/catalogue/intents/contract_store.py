"""A batch's subscription contracts: found by id, or by `resourceIdentifier`.

A contract is one row (its document beside its keys, `models.SubscriptionContract`),
kept as a group of one in `GroupedRows`; the resource identifiers the batch
has seen map to ids, and are pending like the rows until their batch commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.intents.grouped_rows import Group, GroupedRows, Row, normalise_timestamps
from geode.db import bulk
from geode.db.base import table_of
from geode.massops.intents import BatchContext
from geode.pending import MISSING, Pending

_table = table_of(models.SubscriptionContract)


@dataclass
class ContractPending:
    rows: Pending[Group] = field(default_factory=Pending)
    ids: Pending[str] = field(default_factory=Pending)
    """resourceIdentifier -> id."""

    def committed(self, batch: int) -> None:
        self.rows.committed(batch)
        self.ids.committed(batch)


class ContractStore:
    def __init__(self, context: BatchContext, pending: ContractPending) -> None:
        self.context = context
        self.pending = pending
        self.rows = GroupedRows(
            context.connection,
            _table,
            context.tenant_id,
            group="id",
            pending=pending.rows,
            normalise=normalise_timestamps,
        )
        self._ids: dict[str, str | None] = {}
        self._new_ids: dict[str, str] = {}

    def prefetch(self, ids: set[str], resource_identifiers: set[str]) -> None:
        wanted = []
        for key in resource_identifiers - set(self._ids):
            found = self.pending.ids.get(key)
            if found is MISSING:
                wanted.append(key)
                self._ids[key] = None
            else:
                self._ids[key] = str(found)
        for chunk in bulk.chunked(wanted):
            query = sa.select(_table.c.resource_identifier, _table.c.id).where(
                _table.c.tenant_id == self.context.tenant_id,
                _table.c.resource_identifier.in_(chunk),
            )
            for key, contract_id in self.context.connection.execute(query):
                self._ids[key] = contract_id
        self.rows.prefetch(ids | {i for i in self._ids.values() if i is not None})

    def get(self, contract_id: str) -> Row | None:
        return self.rows.rows(contract_id).get(())

    def id_of(self, resource_identifier: str) -> str | None:
        if resource_identifier not in self._ids:
            self.prefetch(set(), {resource_identifier})
        return self._ids[resource_identifier]

    def put(self, contract_id: str, row: Row) -> bool:
        """Store the contract's row (every column but tenant and id)."""
        key = row.get("resource_identifier")
        if key is not None and self._ids.get(key) != contract_id:
            self._ids[key] = contract_id
            self._new_ids[key] = contract_id
        return self.rows.put(contract_id, row)

    def record(self, batch: int) -> None:
        self.rows.record(batch)
        for key, contract_id in self._new_ids.items():
            self.pending.ids.put(batch, key, contract_id)

    def plan(self) -> list[bulk.WriteStep]:
        return self.rows.plan()
