"""`document/*`, `folder/*` and `product/*` (create, update, upsert) as a file
declares them: what a validation worker process loads of the `item` kind (see
`kinds`). No SQLAlchemy here.
"""

from __future__ import annotations

from typing import Any

from geode.catalogue.intents.item_inputs import (
    ITEM_OUTPUT,
    ItemCreateInput,
    ItemUpdateInput,
    ItemUpsertInput,
)
from geode.catalogue.intents.item_keys import item_needs, item_provides
from geode.catalogue.intents.product_inputs import PRODUCT_INTENTS
from geode.massops.intents import Ref, ref_field
from geode.schemas import UnsetType


class DocumentCreate(ItemCreateInput, tag_field="intent", tag="document/create", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class DocumentUpdate(ItemUpdateInput, tag_field="intent", tag="document/update", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class DocumentUpsert(ItemUpsertInput, tag_field="intent", tag="document/upsert", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class FolderCreate(ItemCreateInput, tag_field="intent", tag="folder/create", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class FolderUpdate(ItemUpdateInput, tag_field="intent", tag="folder/update", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class FolderUpsert(ItemUpsertInput, tag_field="intent", tag="folder/upsert", kw_only=True):
    ref: Ref | UnsetType = ref_field()


ITEM_INTENTS: tuple[type[Any], ...] = (
    DocumentCreate,
    DocumentUpdate,
    DocumentUpsert,
    FolderCreate,
    FolderUpdate,
    FolderUpsert,
    *PRODUCT_INTENTS,
)


class ItemSchema:
    name: str = "item"
    operations: tuple[type[Any], ...] = ITEM_INTENTS
    key_fields: frozenset[str] = frozenset({"itemId", "resourceIdentifier"})

    def outputs(self, intent: str) -> frozenset[str]:
        return ITEM_OUTPUT

    def provides(self, op: Any) -> list[str]:
        return item_provides(op)

    def needs(self, op: Any) -> list[str]:
        return item_needs(op)
