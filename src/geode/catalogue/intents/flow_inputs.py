"""Flow inputs, field for field as @crystallize/schema 6.14 (pim/flow/flow-input.ts,
mass-operation/flow.ts and item.ts's `item/flow/stage/addItems`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from geode import limits
from geode.catalogue.components.fields import RequiredName, check_datetime
from geode.catalogue.intents.kinds import NAMED_OUTPUT
from geode.massops.intents import Ref, ref_field
from geode.schemas import UNSET, DateTimeText, IdText, Input, Key, KeyValuePair, UnsetType

FlowStageActionType = Literal[
    "advance",
    "move",
    "publish",
    "removeFromFlow",
    "unpublish",
    "waitAbsolute",
    "waitIndividual",
    "waitRelative",
]
MoveActionType = Literal["advance", "move", "removeFromFlow"]
NotProcessed = Literal["skip", "stall"]
VersionLabel = Literal["current", "draft", "published"]
Int = Annotated[int, msgspec.Meta(ge=-limits.QUANTITY_MAX, le=limits.QUANTITY_MAX)]

MAX_ITEMS_PER_ADD = 50
"""Items one `item/flow/stage/addItems` takes, as Crystallize's runner."""


class StageMove(Input):
    targetStageIdentifier: Key


class MoveAction(Input):
    action: MoveActionType
    move: StageMove | UnsetType | None = UNSET


class OnFailure(Input):
    onFailure: MoveAction | UnsetType | None = UNSET


class WaitAbsolute(Input):
    until: DateTimeText

    def __post_init__(self) -> None:
        check_datetime("until", self.until)


class WaitIndividual(Input):
    onExpiredDatetime: NotProcessed | UnsetType | None = UNSET
    onMissingDatetime: NotProcessed | UnsetType | None = UNSET


class WaitRelative(Input):
    days: Int | UnsetType | None = UNSET
    hours: Int | UnsetType | None = UNSET
    minutes: Int | UnsetType | None = UNSET


class StageAction(Input):
    action: FlowStageActionType
    move: StageMove | UnsetType | None = UNSET
    publish: OnFailure | UnsetType | None = UNSET
    unpublish: OnFailure | UnsetType | None = UNSET
    waitAbsolute: WaitAbsolute | UnsetType | None = UNSET
    waitIndividual: WaitIndividual | UnsetType | None = UNSET
    waitRelative: WaitRelative | UnsetType | None = UNSET


class ItemRestrictions(Input):
    acceptedShapeIdentifiers: list[Key] | UnsetType | None = UNSET


class Restrictions(Input):
    item: ItemRestrictions | UnsetType | None = UNSET


class StageInput(Input):
    identifier: Key
    name: RequiredName
    actions: list[StageAction] | UnsetType | None = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET


def _check_stages(stages: object) -> None:
    if not isinstance(stages, list):
        return
    seen: set[str] = set()
    for index, stage in enumerate(stages):
        if stage.identifier in seen:
            raise ValueError(
                f"`stages[{index}].identifier` {stage.identifier!r} is listed twice; "
                "a stage identifier names one stage"
            )
        seen.add(stage.identifier)


class FlowFields(Input, kw_only=True):
    """`flow/update`: everything but the type, optional."""

    identifier: Key
    name: RequiredName | UnsetType | None = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET
    restrictions: Restrictions | UnsetType | None = UNSET
    stages: list[StageInput] | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        _check_stages(self.stages)


class FlowCreate(FlowFields, tag_field="intent", tag="flow/create", kw_only=True):
    name: RequiredName
    stages: list[StageInput]
    type: Literal["item"]
    ref: Ref | UnsetType = ref_field()


class FlowUpdate(FlowFields, tag_field="intent", tag="flow/update", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class FlowUpsert(FlowFields, tag_field="intent", tag="flow/upsert", kw_only=True):
    name: RequiredName
    stages: list[StageInput]
    type: Literal["item"]
    ref: Ref | UnsetType = ref_field()


class ItemInStage(Input):
    id: IdText
    language: Key | UnsetType = UNSET
    version: VersionLabel | UnsetType = UNSET


class WaitUntil(Input):
    until: DateTimeText

    def __post_init__(self) -> None:
        check_datetime("until", self.until)


class ActionConfig(Input):
    stageIdentifier: Key | UnsetType = UNSET
    waitIndividual: WaitUntil | UnsetType = UNSET


class AddItemsToStage(Input, tag_field="intent", tag="item/flow/stage/addItems", kw_only=True):
    stageIdentifier: Key
    items: Annotated[list[ItemInStage], msgspec.Meta(min_length=1, max_length=MAX_ITEMS_PER_ADD)]
    moveFromFlowIdentifier: Key | UnsetType = UNSET
    actionConfig: list[ActionConfig] | UnsetType = UNSET
    ref: Ref | UnsetType = ref_field()


def _literal(value: Any) -> bool:
    return isinstance(value, str) and "{{" not in value


FLOW_INTENTS = (FlowCreate, FlowUpdate, FlowUpsert, AddItemsToStage)


class FlowSchema:
    name: str = "flow"
    operations: tuple[type[Any], ...] = FLOW_INTENTS
    key_fields: frozenset[str] = frozenset({"identifier", "stageIdentifier"})

    def outputs(self, intent: str) -> frozenset[str]:
        return NAMED_OUTPUT

    def provides(self, op: Any) -> list[str]:
        if isinstance(op, AddItemsToStage):
            return []
        found = [f"flow:{op.identifier}"] if _literal(op.identifier) else []
        for stage in op.stages or []:
            if _literal(stage.identifier):
                found.append(f"stage:{stage.identifier}")
        return found

    def needs(self, op: Any) -> list[str]:
        if not isinstance(op, AddItemsToStage):
            return []
        found = [f"stage:{op.stageIdentifier}"] if _literal(op.stageIdentifier) else []
        found += [f"item:{item.id}" for item in op.items if _literal(item.id)]
        if _literal(op.moveFromFlowIdentifier):
            found.append(f"flow:{op.moveFromFlowIdentifier}")
        for config in op.actionConfig or []:
            if _literal(config.stageIdentifier):
                found.append(f"stage:{config.stageIdentifier}")
        return found
