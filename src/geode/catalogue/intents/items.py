"""`document/*`, `folder/*` and `product/*` (create, update, upsert): items of the tree.

An item is found by `itemId`, else `resourceIdentifier`, else (upserts) by its
name under the same parent in the operation's language, so re-running a file
never duplicates items. An upsert or create naming an `itemId` that does not
exist yet creates the item with that id. The intent fixes the type.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.document_inputs import (
    DocumentUpsert,
    FolderUpsert,
    ItemSchema,
)
from geode.catalogue.intents.item_edit import edit_item, locate
from geode.catalogue.intents.item_export import tree_operations
from geode.catalogue.intents.item_needs import prefetch_items
from geode.catalogue.intents.item_state import ItemState
from geode.catalogue.intents.path_inputs import PATH_INTENTS
from geode.catalogue.intents.product_inputs import PRODUCT_INTENTS, ProductUpsert
from geode.catalogue.intents.products import apply_product, product_export_fields
from geode.catalogue.intents.publishing_inputs import PUBLISHING_INTENTS
from geode.catalogue.intents.variant_store import load_variants
from geode.outcomes import Applied, OperationFailed

__all__ = ["DocumentUpsert", "Items", "apply_item"]


def apply_item(
    batch: CatalogueBatch, op: Any, extra: dict[str, Any] | None = None
) -> tuple[Applied, str]:
    """Create, update or upsert the item `op` names; (outcome, the item's id)."""
    item_type, _, action = op.__struct_config__.tag.partition("/")
    existing, named = locate(batch, op, by_name=action == "upsert")
    if action == "create":
        if existing is None and isinstance(op.resourceIdentifier, str):
            existing = batch.items.by_resource_identifier(op.resourceIdentifier)
        if existing is not None:
            raise OperationFailed(
                "already_exists",
                f"item {existing.id} ({named}) already exists; use {item_type}/upsert to update it",
                key=existing.id,
            )
    elif action == "update" and existing is None:
        raise OperationFailed(
            "not_found",
            f"no item {named} exists; use {item_type}/upsert to create it",
            key=named,
        )
    applied = edit_item(batch, op, item_type, existing, extra)
    return applied, applied.resource_id


class Items(ItemSchema):
    lookup_tables: tuple[str, ...] = (
        "items",
        "item_versions",
        "item_paths",
        "item_topics",
        "item_shortcuts",
    )

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        prefetch_items(batch, ops)

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied:
        if isinstance(op, PRODUCT_INTENTS):
            return apply_product(batch, op, apply_item)
        return apply_item(batch, op)[0]

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        def upsert(fields: dict[str, Any], state: ItemState, language: str, version: str) -> Any:
            if state.row["type"] != "product":
                return msgspec.convert(fields, UPSERTS[state.row["type"]])
            variants = load_variants(connection, tenant_id, products=[state.id])
            variants.sort(key=lambda v: (v.row["position"], v.id))
            names = {
                v.sku: str(v.versions[language]["name"]) for v in variants if language in v.versions
            }
            fields = product_export_fields(fields, state, [v.sku for v in variants], names)
            return msgspec.convert(fields, ProductUpsert)

        return tree_operations(connection, tenant_id, upsert, EXPORT_INTENTS)


EXPORT_INTENTS: dict[str, type[Any]] = {
    struct.__struct_config__.tag: struct for struct in (*PUBLISHING_INTENTS, *PATH_INTENTS)
}
UPSERTS: dict[str, type[Any]] = {"document": DocumentUpsert, "folder": FolderUpsert}
