"""A product to hang variants on, and reads of what the variant tables hold."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from geode.app import App
from geode.catalogue import models
from geode.catalogue.queries import stored_price
from geode.ids import new_id
from geode.tenants.service import TenantInfo
from geode.tenants.settings import root_item_id

NOW = "2024-05-01T12:30:00.000000Z"


def product(app: App, tenant: TenantInfo, shape: str = "mug", type_: str = "product") -> str:
    """A stored item (and its shape, if new) written directly: the items intents
    are not what these tests are about."""
    item_id = new_id()
    with app.engine.begin() as connection:
        shapes = models.Shape.__table__
        exists = connection.execute(
            sa.select(shapes.c.identifier).where(  # type: ignore[attr-defined]
                shapes.c.tenant_id == tenant.id,  # type: ignore[attr-defined]
                shapes.c.identifier == shape,  # type: ignore[attr-defined]
            )
        ).first()
        if exists is None:
            connection.execute(
                sa.insert(shapes).values(
                    tenant_id=tenant.id,
                    identifier=shape,
                    name=shape,
                    type=type_,
                    components="[]",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        connection.execute(
            sa.insert(models.Item.__table__).values(
                tenant_id=tenant.id,
                id=item_id,
                type=type_,
                shape_identifier=shape,
                parent_id=root_item_id(connection, tenant.id),
                position=0,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    return item_id


def variant(
    sku: str, product_id: str, intent: str = "product/variant/upsert", **fields: Any
) -> dict[str, Any]:
    return {
        "intent": intent,
        "language": "en",
        "productId": product_id,
        "sku": sku,
        "name": sku.title(),
        **fields,
    }


def variants(app: App, tenant: TenantInfo) -> dict[str, dict[str, Any]]:
    """sku -> {product_id, is_default, position, names, prices, stock}."""
    with app.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT * FROM variants WHERE tenant_id = :t"), {"t": tenant.id}
        ).mappings()
        found: dict[str, dict[str, Any]] = {}
        by_id: dict[str, dict[str, Any]] = {}
        for row in rows:
            entry = {
                "id": row["id"],
                "product_id": row["product_id"],
                "is_default": bool(row["is_default"]),
                "position": row["position"],
                "external_reference": row["external_reference"],
                "names": {},
                "components": {},
                "prices": {},
                "stock": {},
            }
            found[row["sku"]] = by_id[row["id"]] = entry
        for row in connection.execute(
            sa.text("SELECT * FROM variant_versions WHERE tenant_id = :t"), {"t": tenant.id}
        ).mappings():
            assert row["version"] == "draft"
            by_id[row["variant_id"]]["names"][row["language"]] = row["name"]
            by_id[row["variant_id"]]["components"][row["language"]] = row["components"]
        for row in connection.execute(
            sa.text("SELECT * FROM variant_prices WHERE tenant_id = :t"), {"t": tenant.id}
        ).mappings():
            prices = by_id[row["variant_id"]]["prices"]
            prices[row["price_variant_identifier"]] = stored_price(row["price"])
        for row in connection.execute(
            sa.text("SELECT * FROM variant_stock WHERE tenant_id = :t"), {"t": tenant.id}
        ).mappings():
            by_id[row["variant_id"]]["stock"][row["stock_location_identifier"]] = row["stock"]
        return found
