"""`item/publish`, `item/unpublish`, `item/delete` and `item/updateComponent/item`.

Every edit changes an item's `draft` version of a language; publishing copies
it to the `published` version (with `includeDescendants`, the whole subtree's
drafts in that language), unpublishing removes the published version. Deleting
an item removes its subtree, with versions, paths and variants (the rows go
with their item: foreign keys cascade).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geode.catalogue.components.check import check_component, check_required, merge_content
from geode.catalogue.components.content import ComponentContent, decode_components
from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.item_edit import (
    BatchContent,
    _fail_content,
    content_text,
    item_output,
    locate,
)
from geode.catalogue.intents.item_needs import prefetch_items
from geode.catalogue.intents.item_state import DRAFT, PUBLISHED, ItemState
from geode.catalogue.intents.publishing_inputs import (
    ItemDelete,
    ItemPublish,
    ItemUnpublish,
    ItemUpdateComponent,
    PublishingSchema,
)
from geode.outcomes import Applied, OperationFailed, Outcome


def _found(batch: CatalogueBatch, op: Any) -> ItemState:
    state, named = locate(batch, op)
    if state is None:
        raise OperationFailed("not_found", f"no item {named} exists", key=named)
    return state


def _publish(batch: CatalogueBatch, state: ItemState, language: str, publish: bool) -> bool:
    """Publish or unpublish one item in `language`; True if that changed it."""
    draft = state.versions.get((language, DRAFT))
    published = state.versions.get((language, PUBLISHED))
    if publish:
        if draft is None or (
            published is not None
            and (published["name"], published["components"]) == (draft["name"], draft["components"])
        ):
            return False
        changed = state.copy()
        changed.versions[(language, PUBLISHED)] = {**draft, "updated_at": batch.context.now}
    else:
        if published is None:
            return False
        changed = state.copy()
        del changed.versions[(language, PUBLISHED)]
    batch.items.touch(changed)
    return True


def apply_publishing(batch: CatalogueBatch, op: ItemPublish | ItemUnpublish) -> Applied:
    batch.require_language(op.language)
    state = _found(batch, op)
    publish = isinstance(op, ItemPublish)
    if publish and (op.language, DRAFT) not in state.versions:
        raise OperationFailed(
            "no_version",
            f"item {state.id} has no {op.language!r} version to publish; "
            "write one with its upsert intent first",
            key=state.id,
        )
    subtree = [state]
    if op.includeDescendants is True:
        subtree.extend(batch.items.descendants(state.id))
    changed = [_publish(batch, item, op.language, publish) for item in subtree]
    outcome: Outcome = "updated" if any(changed) else "unchanged"
    return Applied(outcome, state.id, state.id, {"id": state.id, "language": op.language})


def apply_delete(batch: CatalogueBatch, op: ItemDelete) -> Applied:
    state, named = locate(batch, op)
    if state is None:  # deleted already: a re-run changes nothing
        return Applied("unchanged", named, named, {"id": named})
    for item in [*batch.items.descendants(state.id), state]:
        if item.row["type"] == "product":  # its variants go with it, in this batch's view too
            for sku in batch.variants.skus_of(item.id):
                batch.variants.delete(sku)
        batch.items.remove(item)
    return Applied("deleted", state.id, state.id, {"id": state.id})


def apply_update_component(batch: CatalogueBatch, op: ItemUpdateComponent) -> Applied:
    batch.require_language(op.language)
    state = _found(batch, op)
    draft = state.versions.get((op.language, DRAFT))
    if draft is None:
        raise OperationFailed(
            "no_version",
            f"item {state.id} has no {op.language!r} version; write one with its upsert "
            "intent first",
            key=state.id,
        )
    shape = batch.shapes.get(state.row["shape_identifier"])
    definitions = batch.definitions(shape["components"]) if shape else []
    content = BatchContent(batch)
    _fail_content(check_component(op.component, definitions, content), state.id)
    merged: Sequence[ComponentContent] = merge_content(
        decode_components(draft["components"]), [op.component]
    )
    _fail_content(check_required(merged, definitions), state.id)
    text = content_text(merged)
    if text == draft["components"]:
        return Applied("unchanged", state.id, state.id, item_output(state, op.language))
    changed = state.copy()
    changed.versions[(op.language, DRAFT)] = {
        **draft,
        "components": text,
        "updated_at": batch.context.now,
    }
    batch.items.touch(changed)
    return Applied("updated", state.id, state.id, item_output(changed, op.language))


class Publishing(PublishingSchema):
    lookup_tables: tuple[str, ...] = ()

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        prefetch_items(batch, ops)

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied:
        if isinstance(op, ItemDelete):
            return apply_delete(batch, op)
        if isinstance(op, ItemUpdateComponent):
            return apply_update_component(batch, op)
        return apply_publishing(batch, op)

    def export(self, connection: Any, tenant_id: str) -> Any:
        return iter(())  # items export their publishing themselves
