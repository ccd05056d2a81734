"""Items as the APIs show them: one version in one language, with variants.

`load_item_views` reads any number of items in a fixed number of statements
(items, versions, paths, topics, then variants with their versions, prices and
stock), so a page of 50 products costs what a page of 5 does. An item without
the asked version in that language (never published, or not translated) is
left out: to a reader of that version it does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.documents import load_or_none
from geode.catalogue.queries import stored_price
from geode.db.base import table_of
from geode.timestamps import stored_timestamp

_items = table_of(models.Item)
_versions = table_of(models.ItemVersion)
_paths = table_of(models.ItemPath)
_topics = table_of(models.ItemTopic)
_variants = table_of(models.Variant)
_variant_versions = table_of(models.VariantVersion)
_prices = table_of(models.VariantPrice)
_stock = table_of(models.VariantStock)

DRAFT, PUBLISHED = "draft", "published"
VERSIONS = (DRAFT, PUBLISHED)


@dataclass(slots=True)
class VariantView:
    id: str
    sku: str
    is_default: bool
    position: int
    external_reference: str | None
    name: str | None = None
    attributes: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    videos: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    prices: dict[str, Decimal] = field(default_factory=dict)
    """price variant identifier -> price."""
    stock: dict[str, int] = field(default_factory=dict)
    """stock location identifier -> units."""


@dataclass(slots=True)
class ItemView:
    id: str
    type: str
    """product, document or folder."""
    shape_identifier: str
    language: str
    version: str
    name: str
    components: list[dict[str, Any]]
    """As stored: the content input form, `[{componentId, <type>: ...}]`."""
    parent_id: str
    position: int
    path: str | None
    vat_type_id: str | None
    external_reference: str | None
    created_at: str
    updated_at: str
    published_at: str | None
    """When the published version in this language was last written; None if unpublished."""
    topic_ids: list[str] = field(default_factory=list)
    variants: list[VariantView] = field(default_factory=list)


def _in(column: Any, values: Sequence[str]) -> Any:
    """An IN list: one statement for the page, whatever its size (pages are small)."""
    return column.in_(list(values))


def load_item_views(
    connection: sa.Connection,
    tenant_id: str,
    item_ids: Iterable[str],
    language: str,
    version: str = DRAFT,
) -> dict[str, ItemView]:
    """id -> view, for the ids that name an item with `version` in `language`."""
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        return {}
    i = _items.c
    items = {
        row.id: row
        for row in connection.execute(
            sa.select(_items).where(i.tenant_id == tenant_id, _in(i.id, ids))
        )
    }
    if not items:
        return {}
    found = list(items)
    v = _versions.c
    versions: dict[tuple[str, str], Any] = {
        (row.item_id, row.version): row
        for row in connection.execute(
            sa.select(v.item_id, v.version, v.name, v.components, v.updated_at).where(
                v.tenant_id == tenant_id, v.language == language, _in(v.item_id, found)
            )
        )
    }
    p = _paths.c
    paths = dict(
        connection.execute(
            sa.select(p.item_id, p.path).where(
                p.tenant_id == tenant_id,
                p.language == language,
                p.kind == "canonical",
                _in(p.item_id, found),
            )
        ).all()
    )
    views: dict[str, ItemView] = {}
    for item_id in ids:
        row = items.get(item_id)
        shown = versions.get((item_id, version))
        if row is None or shown is None:
            continue
        published = versions.get((item_id, PUBLISHED))
        views[item_id] = ItemView(
            id=item_id,
            type=row.type,
            shape_identifier=row.shape_identifier,
            language=language,
            version=version,
            name=shown.name,
            components=load_or_none(shown.components) or [],
            parent_id=row.parent_id,
            position=row.position,
            path=paths.get(item_id),
            vat_type_id=row.vat_type_id,
            external_reference=row.external_reference,
            created_at=stored_timestamp(row.created_at),
            updated_at=stored_timestamp(max(row.updated_at, shown.updated_at)),
            published_at=None if published is None else stored_timestamp(published.updated_at),
        )
    if views:
        _add_topics(connection, tenant_id, views)
        products = [view for view in views.values() if view.type == "product"]
        if products:
            _add_variants(connection, tenant_id, products, language, version)
    return views


def _add_topics(connection: sa.Connection, tenant_id: str, views: dict[str, ItemView]) -> None:
    t = _topics.c
    for item_id, topic_id in connection.execute(
        sa.select(t.item_id, t.topic_id)
        .where(t.tenant_id == tenant_id, _in(t.item_id, list(views)))
        .order_by(t.item_id, t.position)
    ):
        views[item_id].topic_ids.append(topic_id)


def _add_variants(
    connection: sa.Connection,
    tenant_id: str,
    products: list[ItemView],
    language: str,
    version: str,
) -> None:
    by_product = {view.id: view for view in products}
    v = _variants.c
    variants: dict[str, VariantView] = {}
    for row in connection.execute(
        sa.select(v.id, v.product_id, v.sku, v.is_default, v.position, v.external_reference)
        .where(v.tenant_id == tenant_id, _in(v.product_id, list(by_product)))
        .order_by(v.product_id, v.position, v.id)
    ):
        variant = VariantView(
            row.id, row.sku, bool(row.is_default), row.position, row.external_reference
        )
        variants[row.id] = variant
        by_product[row.product_id].variants.append(variant)
    if not variants:
        return
    ids = list(variants)
    w = _variant_versions.c
    # The asked version of each variant, else its draft: variants' versions are written
    # as drafts, and publishing an item does not copy them (like prices and stock, they
    # are live as written), so a published product shows its variants as they are.
    shown: dict[str, str] = {}
    for found in connection.execute(
        sa.select(
            w.variant_id, w.version, w.name, w.attributes, w.images, w.videos, w.components
        ).where(
            w.tenant_id == tenant_id,
            w.language == language,
            w.version.in_(sorted({version, DRAFT})),
            _in(w.variant_id, ids),
        )
    ):
        if shown.get(found.variant_id) == version:
            continue
        shown[found.variant_id] = found.version
        variant = variants[found.variant_id]
        variant.name = found.name
        variant.attributes = load_or_none(found.attributes) or []
        variant.images = load_or_none(found.images) or []
        variant.videos = load_or_none(found.videos) or []
        variant.components = load_or_none(found.components) or []
    p = _prices.c
    for variant_id, identifier, price in connection.execute(
        sa.select(p.variant_id, p.price_variant_identifier, p.price)
        .where(p.tenant_id == tenant_id, _in(p.variant_id, ids))
        .order_by(p.variant_id, p.price_variant_identifier)
    ):
        variants[variant_id].prices[identifier] = stored_price(price)
    s = _stock.c
    for variant_id, identifier, units in connection.execute(
        sa.select(s.variant_id, s.stock_location_identifier, s.stock)
        .where(s.tenant_id == tenant_id, _in(s.variant_id, ids))
        .order_by(s.variant_id, s.stock_location_identifier)
    ):
        variants[variant_id].stock[identifier] = int(units)
