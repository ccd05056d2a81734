"""`item/paths/{add,set,remove}{Aliases,History,Shortcuts}` as a file declares
them: what a validation worker process loads of them (see `kinds`). No
SQLAlchemy here.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from geode import limits
from geode.catalogue.intents.item_inputs import ItemLocator, Language, Position, require_locator
from geode.catalogue.intents.item_keys import item_needs, item_provides
from geode.massops.intents import Ref, ref_field
from geode.schemas import UNSET, IdText, Input, UnsetType

PathText = Annotated[
    str, msgspec.Meta(min_length=1, max_length=limits.KEY_MAX_LENGTH, pattern=limits.KEY_PATTERN)
]


class WithPaths(ItemLocator, kw_only=True):
    language: Language
    paths: list[PathText]

    def __post_init__(self) -> None:
        require_locator(self)


class Shortcut(Input, kw_only=True):
    parentId: IdText
    position: Position | UnsetType = UNSET


class _WithShortcuts(ItemLocator, kw_only=True):
    shortcuts: list[Shortcut]

    def __post_init__(self) -> None:
        require_locator(self)


class AddAliases(WithPaths, tag_field="intent", tag="item/paths/addAliases", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class SetAliases(WithPaths, tag_field="intent", tag="item/paths/setAliases", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class RemoveAliases(WithPaths, tag_field="intent", tag="item/paths/removeAliases", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class AddHistory(WithPaths, tag_field="intent", tag="item/paths/addHistory", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class SetHistory(WithPaths, tag_field="intent", tag="item/paths/setHistory", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class RemoveHistory(WithPaths, tag_field="intent", tag="item/paths/removeHistory", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class AddShortcuts(_WithShortcuts, tag_field="intent", tag="item/paths/addShortcuts", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class SetShortcuts(_WithShortcuts, tag_field="intent", tag="item/paths/setShortcuts", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class RemoveShortcuts(
    ItemLocator, tag_field="intent", tag="item/paths/removeShortcuts", kw_only=True
):
    ref: Ref | UnsetType = ref_field()
    parentIds: list[IdText]

    def __post_init__(self) -> None:
        require_locator(self)


PATH_INTENTS: tuple[type[Any], ...] = (
    AddAliases,
    SetAliases,
    RemoveAliases,
    AddHistory,
    SetHistory,
    RemoveHistory,
    AddShortcuts,
    SetShortcuts,
    RemoveShortcuts,
)


class ItemPathSchema:
    name: str = "item/paths"
    operations: tuple[type[Any], ...] = PATH_INTENTS
    key_fields: frozenset[str] = frozenset({"itemId", "resourceIdentifier"})

    def outputs(self, intent: str) -> frozenset[str]:
        return frozenset({"id"})

    def provides(self, op: Any) -> list[str]:
        return item_provides(op)

    def needs(self, op: Any) -> list[str]:
        return item_needs(op)
