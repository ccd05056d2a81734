"""Items as the APIs show them: one version in one language, with variants.

`load_item_views` reads any number of items in a fixed number of statements
(items, versions, paths, topics, then variants with their versions, prices and
stock), so a page of 50 products costs what a page of 5 does. An item without
the asked version in that language (never published, or not translated) is
left out: to a reader of that version it does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
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


# Built once: a request runs them with new values. Building a statement costs more
# Python than running it on a warm database (about 0.1 ms each on this machine).
_TENANT: sa.BindParameter[str] = sa.bindparam("tenant_id")
_IDS: sa.BindParameter[list[str]] = sa.bindparam("ids", expanding=True)
"""One IN list: one statement for the page, whatever its size (pages are small)."""
_LANGUAGE: sa.BindParameter[str] = sa.bindparam("language")
_i, _v, _p, _t = _items.c, _versions.c, _paths.c, _topics.c
_ITEMS = sa.select(_items).where(_i.tenant_id == _TENANT, _i.id.in_(_IDS))
_VERSIONS_OF = sa.select(_v.item_id, _v.version, _v.name, _v.components, _v.updated_at).where(
    _v.tenant_id == _TENANT, _v.language == _LANGUAGE, _v.item_id.in_(_IDS)
)
_PATHS_OF = sa.select(_p.item_id, _p.path).where(
    _p.tenant_id == _TENANT,
    _p.language == _LANGUAGE,
    _p.kind == "canonical",
    _p.item_id.in_(_IDS),
)
_TOPICS_OF = (
    sa.select(_t.item_id, _t.topic_id)
    .where(_t.tenant_id == _TENANT, _t.item_id.in_(_IDS))
    .order_by(_t.item_id, _t.position)
)
_w, _r, _s, _x = _variants.c, _variant_versions.c, _prices.c, _stock.c
_VARIANTS_OF = (
    sa.select(_w.id, _w.product_id, _w.sku, _w.is_default, _w.position, _w.external_reference)
    .where(_w.tenant_id == _TENANT, _w.product_id.in_(_IDS))
    .order_by(_w.product_id, _w.position, _w.id)
)
_VARIANT_VERSIONS_OF = sa.select(
    _r.variant_id, _r.version, _r.name, _r.attributes, _r.images, _r.videos, _r.components
).where(
    _r.tenant_id == _TENANT,
    _r.language == _LANGUAGE,
    _r.version.in_(sa.bindparam("versions", expanding=True)),
    _r.variant_id.in_(_IDS),
)
_PRICES_OF = (
    sa.select(_s.variant_id, _s.price_variant_identifier, _s.price)
    .where(_s.tenant_id == _TENANT, _s.variant_id.in_(_IDS))
    .order_by(_s.variant_id, _s.price_variant_identifier)
)
_STOCK_OF = (
    sa.select(_x.variant_id, _x.stock_location_identifier, _x.stock)
    .where(_x.tenant_id == _TENANT, _x.variant_id.in_(_IDS))
    .order_by(_x.variant_id, _x.stock_location_identifier)
)


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
    items = {
        row.id: row for row in connection.execute(_ITEMS, {"tenant_id": tenant_id, "ids": ids})
    }
    if not items:
        return {}
    found = list(items)
    keys = {"tenant_id": tenant_id, "language": language, "ids": found}
    versions: dict[tuple[str, str], Any] = {
        (row.item_id, row.version): row for row in connection.execute(_VERSIONS_OF, keys)
    }
    paths: dict[str, str] = {row.item_id: row.path for row in connection.execute(_PATHS_OF, keys)}
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
    keys = {"tenant_id": tenant_id, "ids": list(views)}
    for item_id, topic_id in connection.execute(_TOPICS_OF, keys):
        views[item_id].topic_ids.append(topic_id)


def _add_variants(
    connection: sa.Connection,
    tenant_id: str,
    products: list[ItemView],
    language: str,
    version: str,
) -> None:
    by_product = {view.id: view for view in products}
    variants: dict[str, VariantView] = {}
    keys: dict[str, Any] = {"tenant_id": tenant_id, "ids": list(by_product)}
    for row in connection.execute(_VARIANTS_OF, keys):
        variant = VariantView(
            row.id, row.sku, bool(row.is_default), row.position, row.external_reference
        )
        variants[row.id] = variant
        by_product[row.product_id].variants.append(variant)
    if not variants:
        return
    keys = {"tenant_id": tenant_id, "ids": list(variants)}
    # The asked version of each variant, else its draft: variants' versions are written
    # as drafts, and publishing an item does not copy them (like prices and stock, they
    # are live as written), so a published product shows its variants as they are.
    shown: dict[str, str] = {}
    asked = {**keys, "language": language, "versions": sorted({version, DRAFT})}
    for found in connection.execute(_VARIANT_VERSIONS_OF, asked):
        if shown.get(found.variant_id) == version:
            continue
        shown[found.variant_id] = found.version
        variant = variants[found.variant_id]
        variant.name = found.name
        variant.attributes = load_or_none(found.attributes) or []
        variant.images = load_or_none(found.images) or []
        variant.videos = load_or_none(found.videos) or []
        variant.components = load_or_none(found.components) or []
    for variant_id, identifier, price in connection.execute(_PRICES_OF, keys):
        variants[variant_id].prices[identifier] = stored_price(price)
    for variant_id, identifier, units in connection.execute(_STOCK_OF, keys):
        variants[variant_id].stock[identifier] = int(units)
