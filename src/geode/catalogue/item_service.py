"""Item writes the APIs make that are more than one file operation, or differ from it.

Each is built from the intents a file would hold, applied with `massops.single`
(the file's checks and writers), inside the caller's transaction. What differs
from a file is decided here, once, whichever front door asks:

- an item created without a parent goes under the tenant's root, and a product
  may be created without variants (`setVariants` adds them) and without a VAT
  type (the tenant's default applies): the Core API's `product.create`;
- `set_variants` replaces all a product's variants: those left out are deleted;
  a variant's `price` and `stock` shorthand (the seed's `setVariants`) go to the
  tenant's first price variant and first stock location;
- `delete_leaf_item` refuses an item that has children (a file's `item/delete`
  removes the subtree).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from geode.catalogue.intents.product_inputs import ProductCreateWithoutVariants
from geode.catalogue.queries import ItemRecord, child_ids, item_by_id, product_variants
from geode.errors import ConflictError, NotFoundError
from geode.massops.intents import IntentRegistry
from geode.massops.single import apply_operation, convert_operation, run_operation
from geode.tenants.settings import (
    default_vat_type_id,
    price_variant_identifiers,
    root_item_id,
    stock_location_identifiers,
)


def existing_item(connection: sa.Connection, tenant_id: str, item_id: str) -> ItemRecord:
    record = item_by_id(connection, tenant_id, item_id)
    if record is None:
        raise NotFoundError(f"no item with id {item_id} in this tenant")
    return record


def _under_root(connection: sa.Connection, tenant_id: str, tree: dict[str, Any]) -> dict[str, Any]:
    return {**tree, "parentId": tree.get("parentId") or root_item_id(connection, tenant_id)}


def create_item(
    connection: sa.Connection,
    tenant_id: str,
    intents: IntentRegistry,
    kind: str,
    fields: dict[str, Any],
) -> str:
    """`{kind}/create` of `fields` (a file's fields, without `intent`); the new id."""
    fields = {**fields, "tree": _under_root(connection, tenant_id, fields.get("tree") or {})}
    if kind != "product":
        return run_operation(
            connection, tenant_id, intents, {"intent": f"{kind}/create", **fields}
        ).resource_id
    fields.setdefault("vatTypeId", default_vat_type_id(connection, tenant_id))
    op = convert_operation(ProductCreateWithoutVariants, fields)
    return apply_operation(connection, tenant_id, intents, op).resource_id


def set_variants(
    connection: sa.Connection,
    tenant_id: str,
    intents: IntentRegistry,
    product_id: str,
    language: str,
    variants: list[dict[str, Any]],
) -> None:
    """The product's variants become exactly `variants` (a file's variant fields, with
    the `price` and `stock` shorthand allowed)."""
    record = existing_item(connection, tenant_id, product_id)
    if record.type != "product":
        raise ConflictError(f"item {product_id} is a {record.type}, not a product")
    price_variant = price_variant_identifiers(connection, tenant_id)[0]
    location = stock_location_identifiers(connection, tenant_id)[0]
    entries = [_expanded(v, price_variant, location) for v in variants]
    if entries:
        run_operation(connection, tenant_id, intents, {
            "intent": "product/update", "itemId": product_id, "language": language,
            "variants": entries,
        })  # fmt: skip
    kept = {entry.get("sku") for entry in entries}
    for variant in product_variants(connection, tenant_id, product_id):
        if variant.sku not in kept:
            run_operation(
                connection,
                tenant_id,
                intents,
                {"intent": "product/variant/delete", "sku": variant.sku},
            )


def _expanded(variant: dict[str, Any], price_variant: str, location: str) -> dict[str, Any]:
    """`price` and `stock` join the lists (an entry already there for the default price
    variant or location wins)."""
    fields = dict(variant)
    price = fields.pop("price", None)
    stock = fields.pop("stock", None)
    if price is not None:
        prices = list(fields.get("priceVariants") or [])
        if not any(p.get("identifier") == price_variant for p in prices):
            prices.append({"identifier": price_variant, "price": price})
        fields["priceVariants"] = prices
    if stock is not None:
        stocks = list(fields.get("stockLocations") or [])
        if not any(s.get("identifier") == location for s in stocks):
            stocks.append({"identifier": location, "stock": stock})
        fields["stockLocations"] = stocks
    return fields


def move_item(
    connection: sa.Connection,
    tenant_id: str,
    intents: IntentRegistry,
    item_id: str,
    language: str,
    tree: dict[str, Any],
) -> None:
    """`{type}/update` with only `tree` (under the root when it names no parent)."""
    record = existing_item(connection, tenant_id, item_id)
    run_operation(connection, tenant_id, intents, {
        "intent": f"{record.type}/update", "itemId": item_id, "language": language,
        "tree": _under_root(connection, tenant_id, tree),
    })  # fmt: skip


def delete_leaf_item(
    connection: sa.Connection, tenant_id: str, intents: IntentRegistry, item_id: str
) -> ItemRecord:
    """`item/delete` of an item without children; the record as it was."""
    record = existing_item(connection, tenant_id, item_id)
    children = child_ids(connection, tenant_id, item_id)
    if children:
        raise ConflictError(
            f"folder {item_id} has {len(children)} children; move or delete them first "
            "(item.moveToTree, item.delete)"
        )
    run_operation(connection, tenant_id, intents, {"intent": "item/delete", "itemId": item_id})
    return record
