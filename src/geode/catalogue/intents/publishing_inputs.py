"""`item/publish|unpublish|delete` and `item/updateComponent/item` as a file
declares them: what a validation worker process loads of them (see `kinds`).
No SQLAlchemy here.
"""

from __future__ import annotations

from typing import Any

from geode.catalogue.components.content import ComponentContent
from geode.catalogue.intents.item_inputs import ITEM_OUTPUT, ItemLocator, Language, require_locator
from geode.catalogue.intents.item_keys import item_needs, item_provides
from geode.massops.intents import Ref, ref_field
from geode.schemas import UNSET, UnsetType


class _Publishing(ItemLocator, kw_only=True):
    language: Language
    includeDescendants: bool | UnsetType = UNSET

    def __post_init__(self) -> None:
        require_locator(self)


class ItemPublish(_Publishing, tag_field="intent", tag="item/publish", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class ItemUnpublish(_Publishing, tag_field="intent", tag="item/unpublish", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class ItemDelete(ItemLocator, tag_field="intent", tag="item/delete", kw_only=True):
    ref: Ref | UnsetType = ref_field()

    def __post_init__(self) -> None:
        require_locator(self)


class ItemUpdateComponent(
    ItemLocator, tag_field="intent", tag="item/updateComponent/item", kw_only=True
):
    ref: Ref | UnsetType = ref_field()
    language: Language
    component: ComponentContent

    def __post_init__(self) -> None:
        require_locator(self)


PUBLISHING_INTENTS: tuple[type[Any], ...] = (
    ItemPublish,
    ItemUnpublish,
    ItemDelete,
    ItemUpdateComponent,
)
PUBLISH_OUTPUT = frozenset({"id", "language"})


class PublishingSchema:
    name: str = "item/publishing"
    operations: tuple[type[Any], ...] = PUBLISHING_INTENTS
    key_fields: frozenset[str] = frozenset({"itemId", "resourceIdentifier"})

    def outputs(self, intent: str) -> frozenset[str]:
        if intent == "item/delete":
            return frozenset({"id"})
        if intent == "item/updateComponent/item":
            return ITEM_OUTPUT
        return PUBLISH_OUTPUT

    def provides(self, op: Any) -> list[str]:
        return item_provides(op)

    def needs(self, op: Any) -> list[str]:
        return item_needs(op)
