"""A batch's flows: the flows, their stages (identified by their identifier
alone within the tenant) with each flow's stage order, and the items sitting
in stages.

Stage items are loaded per item (an item sits in at most one stage of a flow
per language, so adding it to a stage looks at where it is now); each stage's
next free position is kept so items are appended in the order they are added.
Whether an item exists is the batch's item writer's to say (`batch.items`): it
knows the items of this batch and of batches not committed yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.intents.grouped_rows import Group, GroupedRows, normalise_timestamps
from geode.catalogue.intents.keyed import keyed_writer
from geode.db import bulk
from geode.db.base import table_of
from geode.db.keyed_writer import Row
from geode.massops.intents import BatchContext
from geode.pending import MISSING, Pending

stages_table = table_of(models.FlowStage)
stage_items_table = table_of(models.FlowStageItem)


@dataclass
class FlowPending:
    flows: Pending[Row] = field(default_factory=Pending)
    stages: Pending[Row] = field(default_factory=Pending)
    stage_lists: Pending[list[str]] = field(default_factory=Pending)
    stage_ends: Pending[int] = field(default_factory=Pending)
    stage_items: Pending[Group] = field(default_factory=Pending)

    def committed(self, batch: int) -> None:
        for pending in (
            self.flows,
            self.stages,
            self.stage_lists,
            self.stage_ends,
            self.stage_items,
        ):
            pending.committed(batch)


class FlowStore:
    def __init__(self, context: BatchContext, pending: FlowPending) -> None:
        self.context = context
        self.pending = pending

        self.flows = keyed_writer(
            context, models.Flow, "flow", pending.flows, restrictions=None, meta=None
        )
        self.stages = keyed_writer(
            context, models.FlowStage, "flow stage", pending.stages, meta=None, actions=None
        )
        self.stage_items = GroupedRows(
            context.connection,
            stage_items_table,
            context.tenant_id,
            group="item_id",
            key=("stage_identifier", "language"),
            pending=pending.stage_items,
            normalise=normalise_timestamps,
        )
        self._lists: dict[str, list[str]] = {}
        self._ends: dict[str, int] = {}
        self._changed_lists: set[str] = set()
        self._changed_ends: set[str] = set()

    # -- a flow's stages, in order ------------------------------------------------------

    def prefetch_flows(self, identifiers: Iterable[str]) -> None:
        wanted = set(identifiers)
        self.flows.prefetch(wanted)
        missing = []
        for flow in wanted - set(self._lists):
            found = self.pending.stage_lists.get(flow)
            if found is MISSING:
                missing.append(flow)
                self._lists[flow] = []
            else:
                self._lists[flow] = list(found)  # type: ignore[call-overload]
        for chunk in bulk.chunked(missing):
            query = (
                sa.select(stages_table.c.flow_identifier, stages_table.c.identifier)
                .where(
                    stages_table.c.tenant_id == self.context.tenant_id,
                    stages_table.c.flow_identifier.in_(chunk),
                )
                .order_by(stages_table.c.position)
            )
            for flow, stage in self.context.connection.execute(query):
                self._lists[flow].append(stage)
        self.stages.prefetch(s for flow in wanted for s in self._lists[flow])

    def stage_list(self, flow: str) -> list[str]:
        if flow not in self._lists:
            self.prefetch_flows([flow])
        return list(self._lists[flow])

    def set_stage_list(self, flow: str, stages: list[str]) -> None:
        self._lists[flow] = list(stages)
        self._changed_lists.add(flow)

    # -- items in stages ----------------------------------------------------------------

    def prefetch_items(self, item_ids: Iterable[str]) -> None:
        """The stages these items sit in (and those stages' rows)."""
        wanted = set(item_ids)
        self.stage_items.prefetch(wanted)
        stages = {key[0] for item in wanted for key in self.stage_items.rows(item)}
        self.stages.prefetch(stages)

    def next_position(self, stage: str) -> int:
        if stage not in self._ends:
            found = self.pending.stage_ends.get(stage)
            if found is MISSING:
                query = sa.select(sa.func.max(stage_items_table.c.position)).where(
                    stage_items_table.c.tenant_id == self.context.tenant_id,
                    stage_items_table.c.stage_identifier == stage,
                )
                last = self.context.connection.execute(query).scalar()
                self._ends[stage] = 0 if last is None else int(last) + 1
            else:
                self._ends[stage] = int(found)  # type: ignore[call-overload]
        position = self._ends[stage]
        self._ends[stage] = position + 1
        self._changed_ends.add(stage)
        return position

    # -- the batch's writes ---------------------------------------------------------------

    def record(self, batch: int) -> None:
        self.flows.record(batch)
        self.stages.record(batch)
        self.stage_items.record(batch)
        for flow in self._changed_lists:
            self.pending.stage_lists.put(batch, flow, list(self._lists[flow]))
        for stage in self._changed_ends:
            self.pending.stage_ends.put(batch, stage, self._ends[stage])

    def plan(self) -> list[bulk.WriteStep]:
        return [*self.flows.plan(), *self.stages.plan(), *self.stage_items.plan()]
