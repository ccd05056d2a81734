"""Item inputs, field for field as `@crystallize/schema` 6.14 (pim/items, mass-operation/item.ts).

Not tagged: `items` subclasses them per intent. Geode adds `itemId` to the create
intents (the reference strips it as an unknown key): a file exported from one
tenant creates its items with their ids in another.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from geode import limits
from geode.catalogue.components.content import ComponentContent
from geode.catalogue.components.fields import check_datetime
from geode.schemas import UNSET, DateTimeText, IdText, Input, Key, Name, UnsetType

__all__ = [
    "ITEM_OUTPUT",
    "ItemCreateInput",
    "ItemLocator",
    "ItemTree",
    "ItemUpdateInput",
    "ItemUpsertInput",
    "require_locator",
]

ITEM_OUTPUT = frozenset({"id", "path", "name", "language", "type", "shapeIdentifier"})
"""What `{{ ref.field }}` reads from an item operation."""

Position = Annotated[int, msgspec.Meta(ge=0, le=limits.QUANTITY_MAX)]
Language = Key


class ItemTree(Input, kw_only=True):
    parentId: IdText
    position: Position | UnsetType | None = UNSET


def require_locator(op: ItemLocator) -> None:
    """What the reference's `checkResourceIdentifierOrId` asks of update-like intents."""
    if op.itemId is UNSET and op.resourceIdentifier is UNSET:
        raise ValueError(
            "`resourceIdentifier`: name the item by `itemId` or `resourceIdentifier` (at least one)"
        )


class ItemLocator(Input, kw_only=True):
    itemId: IdText | UnsetType = UNSET
    resourceIdentifier: Key | UnsetType = UNSET


class _ItemFields(ItemLocator, kw_only=True):
    language: Language
    createdAt: DateTimeText | UnsetType | None = UNSET
    externalReference: Name | UnsetType | None = UNSET
    topicIds: list[IdText] | UnsetType | None = UNSET
    components: list[ComponentContent] | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_datetime("createdAt", self.createdAt)


class ItemCreateInput(_ItemFields, kw_only=True):
    """`*/create` and `*/upsert`: a name, a shape and a place in the tree."""

    name: Name
    shapeIdentifier: Key
    tree: ItemTree


class ItemUpsertInput(ItemCreateInput, kw_only=True):
    pass


class ItemUpdateInput(_ItemFields, kw_only=True):
    """`*/update`: everything optional but the item's id or resourceIdentifier."""

    name: Name | UnsetType = UNSET
    tree: ItemTree | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        super().__post_init__()
        require_locator(self)
