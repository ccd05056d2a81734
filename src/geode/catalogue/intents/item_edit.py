"""Creating and editing an item (document, folder or product) in one language.

The operation's fields are checked against the store first (shape, parent,
topics, component content, resourceIdentifier); only then does the item change,
paths last, so a failed operation leaves the batch as it was. Fields present
replace the stored value, absent ones are kept; components merge by
`componentId`. An edit that leaves the item as stored reports `unchanged`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from geode.catalogue.components.check import (
    ContentProblem,
    check_content,
    check_required,
    merge_content,
)
from geode.catalogue.components.content import ComponentContent, decode_components
from geode.catalogue.components.definitions import ComponentDefinition
from geode.catalogue.documents import dump
from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.item_inputs import ItemCreateInput, ItemUpdateInput
from geode.catalogue.intents.item_state import DRAFT, ItemState
from geode.ids import new_id
from geode.outcomes import Applied, OperationFailed, Outcome
from geode.schemas import UNSET
from geode.timestamps import canonical_timestamp

ItemInput = ItemCreateInput | ItemUpdateInput


def item_output(state: ItemState, language: str) -> dict[str, Any]:
    draft = state.versions.get((language, DRAFT))
    return {
        "id": state.id,
        "path": state.canonical(language),
        "name": None if draft is None else draft["name"],
        "language": language,
        "type": state.row["type"],
        "shapeIdentifier": state.row["shape_identifier"],
    }


class BatchContent:
    """Component checks read the batch's pieces, items and skus (`ContentContext`)."""

    def __init__(self, batch: CatalogueBatch) -> None:
        self.batch = batch

    def piece(self, identifier: str) -> Sequence[ComponentDefinition] | None:
        row = self.batch.pieces.get(identifier)
        return None if row is None else self.batch.definitions(row["components"])

    def item_shape(self, item_id: str) -> str | None:
        state = self.batch.items.get(item_id)
        return None if state is None else str(state.row["shape_identifier"])

    def sku_exists(self, sku: str) -> bool:
        return self.batch.variants.get(sku) is not None


def _fail_content(problems: list[ContentProblem], key: str) -> None:
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise OperationFailed(first.code, f"`{first.path}`: {first.message}{more}", key=key)


def shape_of(batch: CatalogueBatch, identifier: str, item_type: str, key: str) -> Any:
    shape = batch.shapes.get(identifier)
    if shape is None:
        raise OperationFailed(
            "unknown_shape",
            f"`shapeIdentifier` names the shape {identifier!r}, which does not exist; "
            "create it with shape/upsert before this operation",
            key=key,
        )
    if shape["type"] != item_type:
        raise OperationFailed(
            "wrong_shape_type",
            f"`shapeIdentifier` names {identifier!r}, a {shape['type']} shape; "
            f"a {item_type} needs a {item_type} shape",
            key=key,
        )
    return shape


def components_text(
    batch: CatalogueBatch,
    shape: Any,
    stored: str | None,
    incoming: list[ComponentContent] | None,
    key: str,
) -> str:
    """The draft's components after the edit, checked against the shape.

    Content the same as what is stored is not checked again: it was checked when it
    was stored, and an operation that changes nothing has nothing to refuse (a
    re-run of a file spent a third of its time re-checking unchanged content).
    A shape changed since then does not make stored content fail: as in
    Crystallize, content is checked when it is written."""
    if stored is not None and incoming and content_text(incoming) == stored:
        return stored
    definitions = batch.definitions(shape["components"])
    context = BatchContent(batch)
    if stored is None:
        contents = incoming or []
        _fail_content(check_content(contents, definitions, context), key)
        return content_text(contents)
    problems = check_content(incoming or [], definitions, context, complete=False)
    _fail_content(problems, key)
    merged = merge_content(decode_components(stored), incoming or [])
    _fail_content(check_required(merged, definitions), key)
    return content_text(merged)


def content_text(contents: Sequence[ComponentContent]) -> str:
    """What is stored: a component whose content is null is cleared, so it is left
    out (one form per content; an export can clear a component with null)."""
    return dump([content for content in contents if content.value is not None])


def check_topics(batch: CatalogueBatch, topic_ids: list[str], key: str) -> None:
    batch.topics.prefetch_ids(topic_ids)
    for index, topic_id in enumerate(topic_ids):
        if not batch.topics.exists(topic_id):
            raise OperationFailed(
                "unknown_topic",
                f"`topicIds[{index}]` is {topic_id}, which is no topic of this tenant; "
                "create it with topic/upsert first",
                key=key,
            )


def _same(a: ItemState, b: ItemState) -> bool:
    def strip(state: ItemState) -> Any:
        row = {k: v for k, v in state.row.items() if k != "updated_at"}
        versions = {
            k: {n: v for n, v in version.items() if n != "updated_at"}
            for k, version in state.versions.items()
        }
        return row, versions, state.paths, state.topics, state.shortcuts

    return bool(strip(a) == strip(b))


def edit_item(
    batch: CatalogueBatch,
    op: ItemInput,
    item_type: str,
    existing: ItemState | None,
    extra: dict[str, Any] | None = None,
) -> Applied:
    """Create (existing None) or edit the item; `extra` holds type-specific columns."""
    items = batch.items
    key = op.itemId if isinstance(op.itemId, str) else new_id()
    if existing is not None:
        key = existing.id
        if existing.row["type"] != item_type:
            raise OperationFailed(
                "wrong_item_type",
                f"item {key} is a {existing.row['type']}, not a {item_type}; "
                f"use the {existing.row['type']}/ intents for it",
                key=key,
            )
    batch.require_language(op.language)
    shape_identifier = (
        op.shapeIdentifier
        if isinstance(op, ItemCreateInput)
        else str(existing.row["shape_identifier"])  # type: ignore[union-attr]
    )
    if existing is not None and shape_identifier != existing.row["shape_identifier"]:
        raise OperationFailed(
            "shape_change",
            f"`shapeIdentifier` is {shape_identifier!r}, but item {key} has the shape "
            f"{existing.row['shape_identifier']!r}, which an item keeps",
            key=key,
        )
    shape = shape_of(batch, shape_identifier, item_type, key)
    state = (
        existing.copy()
        if existing is not None
        else ItemState(
            {
                "tenant_id": batch.context.tenant_id,
                "id": key,
                "type": item_type,
                "shape_identifier": shape_identifier,
                "parent_id": items.root_id,
                "position": 0,
                "vat_type_id": None,
                "external_reference": None,
                "resource_identifier": None,
                "created_at": batch.context.now,
                "updated_at": batch.context.now,
            }
        )
    )
    row = state.row
    # -- the tree
    moved = existing is None
    if op.tree is not UNSET and op.tree is not None:
        parent_id, position = op.tree.parentId, op.tree.position
        items.check_parent(key, parent_id, "tree.parentId")
        if parent_id != row["parent_id"]:
            moved = True
        if isinstance(position, int):
            row["position"] = position
        elif moved:
            row["position"] = items.next_position(parent_id)
        row["parent_id"] = parent_id
    # -- fields of the item
    if (
        isinstance(op.resourceIdentifier, str)
        and op.resourceIdentifier != row["resource_identifier"]
    ):
        holder = items.by_resource_identifier(op.resourceIdentifier)
        if holder is not None and holder.id != key:
            raise OperationFailed(
                "resource_identifier_taken",
                f"`resourceIdentifier` {op.resourceIdentifier!r} names item {holder.id} already",
                key=key,
            )
        row["resource_identifier"] = op.resourceIdentifier
    if op.externalReference is not UNSET:
        row["external_reference"] = op.externalReference
    if isinstance(op.createdAt, str):
        row["created_at"] = canonical_timestamp(op.createdAt)
    for column, value in (extra or {}).items():
        row[column] = value
    if op.topicIds is not UNSET:
        topics = list(dict.fromkeys(op.topicIds or []))
        check_topics(batch, topics, key)
        state.topics = topics
    # -- the draft in the operation's language
    draft_key = (op.language, DRAFT)
    draft = state.versions.get(draft_key)
    name = op.name if isinstance(op.name, str) else None
    if draft is None and name is None:
        raise OperationFailed(
            "missing_name",
            f"item {key} has no {op.language!r} version yet; `name` is needed to make one",
            key=key,
        )
    incoming = op.components if isinstance(op.components, list) else None
    if op.components is None:
        incoming = []  # null clears the content: checked as a whole
    stored = None if draft is None or op.components is None else draft["components"]
    components = components_text(batch, shape, stored, incoming, key)
    new_draft = {
        "name": name if name is not None else draft["name"],  # type: ignore[index]
        "components": components,
        "updated_at": batch.context.now,
    }
    if draft is None or any(new_draft[k] != draft[k] for k in ("name", "components")):
        state.versions[draft_key] = new_draft
    # -- paths, last: nothing fails after this
    if existing is not None and _same(existing, state) and state.canonical(op.language):
        return Applied("unchanged", key, key, item_output(existing, op.language))
    if moved or existing is None:
        items.placed(row["parent_id"], row["position"])
    items.rebuild_paths(state, state.languages() if moved else [op.language])
    if existing is not None and _same(existing, state):
        return Applied("unchanged", key, key, item_output(existing, op.language))
    items.touch(state)
    outcome: Outcome = "created" if existing is None else "updated"
    return Applied(outcome, key, key, item_output(state, op.language))


def locate(
    batch: CatalogueBatch, op: Any, *, by_name: bool = False
) -> tuple[ItemState | None, str]:
    """The item an operation names (itemId, else resourceIdentifier, else, with
    `by_name`, its name under its parent in its language) and how it was named."""
    if isinstance(op.itemId, str):
        return batch.items.get(op.itemId), op.itemId
    if isinstance(op.resourceIdentifier, str):
        found = batch.items.by_resource_identifier(op.resourceIdentifier)
        if found is not None or not by_name:
            return found, op.resourceIdentifier
    if by_name and op.tree is not msgspec.UNSET:
        found = batch.items.by_name(op.tree.parentId, op.language, op.name)
        return found, op.name
    return None, str(op.resourceIdentifier)
