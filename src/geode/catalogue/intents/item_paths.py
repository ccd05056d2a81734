"""`item/paths/{add,set,remove}{Aliases,History,Shortcuts}`.

An alias is another path serving the item; history holds former paths, kept so
old links still resolve (a move puts the old canonical path there itself). A
path names one item per tenant and language: one held by another item fails
the operation. A shortcut shows the item under another parent too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.item_edit import locate
from geode.catalogue.intents.item_needs import prefetch_items
from geode.catalogue.intents.item_state import ALIAS, CANONICAL, HISTORY, ItemState
from geode.catalogue.intents.item_writer import NOBODY
from geode.catalogue.intents.path_inputs import (
    ItemPathSchema,
    RemoveShortcuts,
    SetShortcuts,
    WithPaths,
)
from geode.outcomes import Applied, OperationFailed


def _change_paths(batch: CatalogueBatch, state: ItemState, op: Any) -> ItemState:
    action = op.__struct_config__.tag.rpartition("/")[2]
    kind = ALIAS if action.endswith("Aliases") else HISTORY
    language = op.language
    batch.require_language(language)
    items = batch.items
    changed = state.copy()
    wanted = list(dict.fromkeys(op.paths))
    if action.startswith("remove"):
        for path in wanted:
            if changed.paths.get((language, path)) == kind:
                items.release_path(changed, language, path)
        return changed
    for index, path in enumerate(wanted):
        owner = items.path_owner(language, path)
        if owner not in (NOBODY, state.id):
            raise OperationFailed(
                "path_taken",
                f"`paths[{index}]` {path!r} serves item {owner} in {language!r}; "
                "a path names one item",
                key=state.id,
            )
        if changed.paths.get((language, path)) == CANONICAL:
            raise OperationFailed(
                "path_taken",
                f"`paths[{index}]` {path!r} is this item's canonical path in {language!r}",
                key=state.id,
            )
    if action.startswith("set"):
        for (lang, path), held in list(changed.paths.items()):
            if lang == language and held == kind and path not in wanted:
                items.release_path(changed, language, path)
    for path in wanted:
        items.claim_path(changed, language, path, kind)
    return changed


def _change_shortcuts(batch: CatalogueBatch, state: ItemState, op: Any) -> ItemState:
    changed = state.copy()
    if isinstance(op, RemoveShortcuts):
        for parent_id in op.parentIds:
            changed.shortcuts.pop(parent_id, None)
        return changed
    if isinstance(op, SetShortcuts):
        changed.shortcuts = {}
    for index, shortcut in enumerate(op.shortcuts):
        at = f"shortcuts[{index}].parentId"
        if shortcut.parentId == state.id:
            raise OperationFailed(
                "tree_cycle", f"`{at}` names this item; it cannot be its own shortcut parent"
            )
        if not batch.items.exists(shortcut.parentId):
            raise OperationFailed(
                "unknown_parent",
                f"`{at}` names {shortcut.parentId}, which is no item of this tenant",
                key=state.id,
            )
        position = shortcut.position
        if not isinstance(position, int):
            position = changed.shortcuts.get(shortcut.parentId, len(changed.shortcuts))
        changed.shortcuts[shortcut.parentId] = position
    return changed


def apply_paths(batch: CatalogueBatch, op: Any) -> Applied:
    state, named = locate(batch, op)
    if state is None:
        raise OperationFailed("not_found", f"no item {named} exists", key=named)
    if isinstance(op, WithPaths):
        changed = _change_paths(batch, state, op)
    else:
        changed = _change_shortcuts(batch, state, op)
    if (changed.paths, changed.shortcuts) == (state.paths, state.shortcuts):
        return Applied("unchanged", state.id, state.id, {"id": state.id})
    batch.items.touch(changed)
    return Applied("updated", state.id, state.id, {"id": state.id})


class ItemPaths(ItemPathSchema):
    lookup_tables: tuple[str, ...] = ("item_shortcuts",)

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        prefetch_items(batch, ops)

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied:
        return apply_paths(batch, op)

    def export(self, connection: Any, tenant_id: str) -> Any:
        return iter(())  # items export their paths themselves
