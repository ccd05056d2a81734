"""`product/create|update|upsert`: an item with a VAT type and variants.

The item part is the same as a document's (`item_edit`); `vatTypeId` must be one
of the tenant's VAT types, and every `variants` entry is upserted by sku through
the batch's variant writer (`batch.variants`): entries present replace theirs,
the product's other variants are kept. A product that fails on a variant leaves
nothing of itself in the batch, its item and earlier variants included
(`CatalogueBatch.atomic`).
"""

from __future__ import annotations

from typing import Any

from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.item_state import ItemState
from geode.outcomes import Applied, OperationFailed


def product_columns(batch: CatalogueBatch, op: Any) -> dict[str, Any]:
    if not isinstance(op.vatTypeId, str):
        return {}
    known = [vat.id for vat in batch.settings().vat_types]
    if op.vatTypeId not in known:
        raise OperationFailed(
            "unknown_vat_type",
            f"`vatTypeId` is {op.vatTypeId}, which is not a VAT type of this tenant "
            f"({', '.join(known)}); add it with `geode tenant configure`",
        )
    return {"vat_type_id": op.vatTypeId}


def apply_product(batch: CatalogueBatch, op: Any, apply_item: Any) -> Applied:
    """`apply_item(batch, op, extra)` is the item part (`items.apply_item`)."""
    applied: Applied
    applied, product_id = apply_item(batch, op, product_columns(batch, op))
    if not isinstance(op.variants, list):
        return applied
    outcomes = batch.variants.put_for_product(product_id, op.language, op.variants, "variants")
    if applied.outcome == "unchanged" and any(o != "unchanged" for o in outcomes):
        applied.outcome = "updated"
    return applied


def product_export_fields(
    fields: dict[str, Any], state: ItemState, skus: list[str], names: dict[str, str]
) -> dict[str, Any]:
    """A product's upsert: its VAT type and one entry per variant by sku and name
    (the variants' own upserts, exported after the items, carry the rest)."""
    return {
        **fields,
        "vatTypeId": state.row["vat_type_id"],
        "variants": [{"sku": sku, "name": names.get(sku, sku)} for sku in skus],
    }
