"""`flow/create|update|upsert` and `item/flow/stage/addItems`.

Stages are identified by their identifier within the tenant, so a stage
belongs to one flow: a flow naming another flow's stage fails. `stages`, when
present, merge by identifier like every keyed list: the stages listed replace
theirs and come first, in the file's order; stages left out are kept, after
them (deleting a stage takes an intent the reference does not have).

`item/flow/stage/addItems` puts items (each in one language and version) in a
stage: an item sits in at most one stage of a flow per language, so it leaves
the flow's other stage, and `moveFromFlowIdentifier`'s stages too. The items
must exist and the stage too. `actionConfig` is checked (its stages exist, its
dates are dates) but not kept: Geode runs no stage actions yet.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.documents import dump_or_none, load_as
from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.flow_inputs import (
    MAX_ITEMS_PER_ADD,
    AddItemsToStage,
    FlowCreate,
    FlowSchema,
    FlowUpdate,
    FlowUpsert,
    ItemInStage,
    Restrictions,
    StageAction,
    StageInput,
)
from geode.catalogue.intents.flow_store import (
    FlowStore,
    stage_items_table,
    stages_table,
)
from geode.catalogue.intents.keyed import named_output, write_keyed
from geode.db.base import table_of
from geode.db.pages import tenant_pages
from geode.outcomes import Applied, OperationFailed, Outcome
from geode.schemas import UNSET, KeyValuePair


def _literal(value: Any) -> bool:
    return isinstance(value, str) and "{{" not in value


def _check_stages(store: FlowStore, op: FlowCreate | FlowUpdate | FlowUpsert) -> None:
    if not isinstance(op.stages, list):
        return
    for index, stage in enumerate(op.stages):
        row = store.stages.get(stage.identifier)
        if row is not None and row["flow_identifier"] != op.identifier:
            raise OperationFailed(
                "stage_of_another_flow",
                f"`stages[{index}].identifier` is {stage.identifier!r}, a stage of the flow "
                f"{row['flow_identifier']!r}; stage identifiers are unique per tenant",
                key=op.identifier,
            )


def _write_stages(store: FlowStore, flow: str, stages: list[StageInput]) -> bool:
    listed = [stage.identifier for stage in stages]
    kept = [s for s in store.stage_list(flow) if s not in listed]
    changed = False
    for position, stage in enumerate(stages):
        values = {
            "flow_identifier": flow,
            "name": stage.name,
            "position": position,
            "meta": dump_or_none(stage.meta),
            "actions": dump_or_none(stage.actions),
        }
        changed |= store.stages.upsert(stage.identifier, values).outcome != "unchanged"
    for position, identifier in enumerate(kept, start=len(stages)):
        changed |= store.stages.update(identifier, {"position": position}).outcome != "unchanged"
    if listed + kept != store.stage_list(flow):
        store.set_stage_list(flow, listed + kept)
    return changed


def apply_flow(batch: CatalogueBatch, op: FlowCreate | FlowUpdate | FlowUpsert) -> Applied:
    store = batch.flows
    _check_stages(store, op)
    values: dict[str, Any] = {}
    if isinstance(op.name, str):
        values["name"] = op.name
    if isinstance(op, FlowCreate | FlowUpsert):
        values["type"] = op.type
    if op.restrictions is not UNSET:
        values["restrictions"] = dump_or_none(op.restrictions)
    if op.meta is not UNSET:
        values["meta"] = dump_or_none(op.meta)
    applied = write_keyed(store.flows, op, op.identifier, values)
    stages_changed = isinstance(op.stages, list) and _write_stages(store, op.identifier, op.stages)
    if stages_changed and applied.outcome == "unchanged":
        applied.outcome = "updated"
    return applied


def _stage(store: FlowStore, identifier: str, at: str) -> dict[str, Any]:
    row = store.stages.get(identifier)
    if row is None:
        raise OperationFailed(
            "unknown_stage",
            f"`{at}` names the flow stage {identifier!r}, which does not exist; "
            "create it with flow/upsert before this operation",
            key=identifier,
        )
    return row


def apply_add_items(batch: CatalogueBatch, op: AddItemsToStage) -> Applied:
    store = batch.flows
    stage = _stage(store, op.stageIdentifier, "stageIdentifier")
    flows = {stage["flow_identifier"]}
    if op.moveFromFlowIdentifier is not UNSET:
        if store.flows.get(op.moveFromFlowIdentifier) is None:
            raise OperationFailed(
                "unknown_flow",
                f"`moveFromFlowIdentifier` names the flow {op.moveFromFlowIdentifier!r}, "
                "which does not exist",
                key=op.stageIdentifier,
            )
        flows.add(op.moveFromFlowIdentifier)
    for index, config in enumerate(op.actionConfig or []):
        if config.stageIdentifier is not UNSET:
            _stage(store, config.stageIdentifier, f"actionConfig[{index}].stageIdentifier")
    entries = [_entry(batch, item, index) for index, item in enumerate(op.items)]
    changed = False
    for item_id, language, version in entries:
        changed |= _place(store, op.stageIdentifier, flows, item_id, language, version)
    outcome: Outcome = "updated" if changed else "unchanged"
    return Applied(outcome, op.stageIdentifier, op.stageIdentifier, named_output(stage))


def _entry(batch: CatalogueBatch, item: ItemInStage, index: int) -> tuple[str, str, str]:
    if batch.items.get(item.id) is None:  # stored, pending, or written by this batch
        raise OperationFailed(
            "unknown_item",
            f"`items[{index}].id` names the item {item.id!r}, which does not exist; "
            "create it before this operation",
            key=item.id,
        )
    if item.language is UNSET:
        language = batch.settings().languages[0].code
    else:
        batch.require_language(item.language, f"items[{index}].language")
        language = item.language
    version = "draft" if item.version is UNSET else item.version
    return item.id, language, version


def _place(
    store: FlowStore, stage: str, flows: set[str], item_id: str, language: str, version: str
) -> bool:
    rows = store.stage_items.rows(item_id)
    changed = False
    for stage_identifier, row_language in list(rows):
        if row_language != language or stage_identifier == stage:
            continue
        other = store.stages.get(stage_identifier)
        if other is not None and other["flow_identifier"] in flows:
            changed |= store.stage_items.delete(item_id, (stage_identifier, row_language))
    existing = rows.get((stage, language))
    if existing is not None and existing["version"] == version:
        return changed
    row = {
        "stage_identifier": stage,
        "language": language,
        "version": version,
        "position": store.next_position(stage) if existing is None else existing["position"],
        "added_at": store.context.now if existing is None else existing["added_at"],
    }
    return store.stage_items.put(item_id, row) or changed


# -- export ---------------------------------------------------------------------------------


def flow_operations(connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
    """Every flow as an upsert with its stages in order, then each stage's items."""
    table = table_of(models.Flow)
    stage_ids: list[str] = []
    for rows in tenant_pages(connection, table, tenant_id, "identifier"):
        for row in rows:
            stages = connection.execute(
                sa.select(stages_table)
                .where(
                    stages_table.c.tenant_id == tenant_id,
                    stages_table.c.flow_identifier == row["identifier"],
                )
                .order_by(stages_table.c.position)
            ).mappings()
            op = FlowUpsert(
                identifier=row["identifier"],
                name=row["name"],
                type=row["type"],
                stages=[_stage_input(stage) for stage in stages],
            )
            stage_ids.extend(stage.identifier for stage in op.stages)
            if row["restrictions"] is not None:
                op.restrictions = load_as(row["restrictions"], Restrictions)
            if row["meta"] is not None:
                op.meta = load_as(row["meta"], list[KeyValuePair])
            yield op
    for stage_id in stage_ids:
        yield from _stage_items(connection, tenant_id, stage_id)


def _stage_input(row: Any) -> StageInput:
    stage = StageInput(identifier=row["identifier"], name=row["name"])
    if row["actions"] is not None:
        stage.actions = load_as(row["actions"], list[StageAction])
    if row["meta"] is not None:
        stage.meta = load_as(row["meta"], list[KeyValuePair])
    return stage


def _stage_items(connection: sa.Connection, tenant_id: str, stage: str) -> Iterator[Any]:
    t = stage_items_table
    last: tuple[int, str, str] | None = None
    while True:
        query = (
            sa.select(t.c.item_id, t.c.language, t.c.version, t.c.position)
            .where(t.c.tenant_id == tenant_id, t.c.stage_identifier == stage)
            .order_by(t.c.position, t.c.item_id, t.c.language)
            .limit(MAX_ITEMS_PER_ADD)
        )
        if last is not None:
            query = query.where(sa.tuple_(t.c.position, t.c.item_id, t.c.language) > last)
        rows = list(connection.execute(query))
        if not rows:
            return
        yield AddItemsToStage(
            stageIdentifier=stage,
            items=[ItemInStage(id=r[0], language=r[1], version=r[2]) for r in rows],
        )
        last = (rows[-1][3], rows[-1][0], rows[-1][1])


class Flows(FlowSchema):
    lookup_tables: tuple[str, ...] = ("flows", "flow_stages", "flow_stage_items")

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        store = batch.flows
        flows = {op.identifier for op in ops if not isinstance(op, AddItemsToStage)}
        flows |= {
            op.moveFromFlowIdentifier
            for op in ops
            if isinstance(op, AddItemsToStage) and isinstance(op.moveFromFlowIdentifier, str)
        }
        store.prefetch_flows(flows)
        adds = [op for op in ops if isinstance(op, AddItemsToStage)]
        stages = {
            stage.identifier
            for op in ops
            if not isinstance(op, AddItemsToStage) and isinstance(op.stages, list)
            for stage in op.stages
        }
        stages |= {op.stageIdentifier for op in adds}
        store.stages.prefetch(stages)
        item_ids = {item.id for op in adds for item in op.items if _literal(item.id)}
        batch.items.prefetch(item_ids, set())
        store.prefetch_items(item_ids)

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied:
        if isinstance(op, AddItemsToStage):
            return apply_add_items(batch, op)
        return apply_flow(batch, op)

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        return flow_operations(connection, tenant_id)
