"""Reads of the stored catalogue that the intents, the exporter and the APIs share.

Lookups by many keys (`..._by_...`) take the keys of a whole batch and make one
query per 5,000 of them (`KeyLookup`: one array parameter on PostgreSQL), so a
bulk path asks once per batch, not once per operation. Results are decoded:
timestamps in canonical text, documents as lists and dicts with `Decimal`
numbers, prices as `Decimal` without trailing zeros on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.documents import load, load_or_none
from geode.db import bulk
from geode.db.base import table_of
from geode.db.key_lookup import KeyLookup
from geode.timestamps import stored_timestamp

_items = table_of(models.Item)
_item_versions = table_of(models.ItemVersion)
_item_paths = table_of(models.ItemPath)
_variants = table_of(models.Variant)
_prices = table_of(models.VariantPrice)
_stock = table_of(models.VariantStock)
_shapes = table_of(models.Shape)
_pieces = table_of(models.Piece)
_topics = table_of(models.Topic)

_TENANT: sa.BindParameter[str] = sa.bindparam("tenant_id")


@dataclass(frozen=True, slots=True)
class ItemRecord:
    id: str
    type: str
    shape_identifier: str
    parent_id: str
    position: int
    vat_type_id: str | None
    external_reference: str | None
    resource_identifier: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class ItemVersionRecord:
    name: str
    components: list[Any]
    updated_at: str


@dataclass(frozen=True, slots=True)
class VariantKey:
    id: str
    product_id: str
    sku: str
    is_default: bool
    position: int


@dataclass(frozen=True, slots=True)
class ShapeRecord:
    identifier: str
    name: str
    type: str
    components: list[Any]
    variant_components: list[Any] | None
    meta: Any
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class PieceRecord:
    identifier: str
    name: str
    components: list[Any]
    created_at: str
    updated_at: str


def _lookup(table: sa.Table, key: str, *columns: sa.ColumnElement[Any]) -> KeyLookup:
    query = sa.select(*(columns or (table,))).where(table.c.tenant_id == _TENANT)
    return KeyLookup.of(query, table.c[key])


def _rows(
    connection: sa.Connection, lookup: KeyLookup, tenant_id: str, keys: Iterable[str]
) -> Iterable[sa.Row[Any]]:
    for chunk in bulk.chunked(sorted(set(keys))):
        yield from lookup.execute(connection, {"tenant_id": tenant_id, "keys": list(chunk)})


def stored_price(value: object) -> Decimal:
    """A price as the database returns it (PostgreSQL: NUMERIC at scale 8; SQLite:
    the text written), as the same Decimal from both: no exponent, no trailing zeros."""
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


# -- items ------------------------------------------------------------------------------

_ITEMS_BY_ID = _lookup(_items, "id")
_ITEM_IDS_BY_RESOURCE = _lookup(
    _items, "resource_identifier", _items.c.resource_identifier, _items.c.id
)


def _item(row: sa.Row[Any]) -> ItemRecord:
    return ItemRecord(
        id=row.id,
        type=row.type,
        shape_identifier=row.shape_identifier,
        parent_id=row.parent_id,
        position=row.position,
        vat_type_id=row.vat_type_id,
        external_reference=row.external_reference,
        resource_identifier=row.resource_identifier,
        created_at=stored_timestamp(row.created_at),
        updated_at=stored_timestamp(row.updated_at),
    )


def items_by_id(
    connection: sa.Connection, tenant_id: str, item_ids: Iterable[str]
) -> dict[str, ItemRecord]:
    return {row.id: _item(row) for row in _rows(connection, _ITEMS_BY_ID, tenant_id, item_ids)}


def item_by_id(connection: sa.Connection, tenant_id: str, item_id: str) -> ItemRecord | None:
    return items_by_id(connection, tenant_id, [item_id]).get(item_id)


def item_ids_by_resource_identifier(
    connection: sa.Connection, tenant_id: str, resource_identifiers: Iterable[str]
) -> dict[str, str]:
    """resourceIdentifier -> item id, for those of `resource_identifiers` that name an item."""
    rows = _rows(connection, _ITEM_IDS_BY_RESOURCE, tenant_id, resource_identifiers)
    return {row.resource_identifier: row.id for row in rows}


def child_ids(connection: sa.Connection, tenant_id: str, parent_id: str) -> list[str]:
    """The items placed directly under `parent_id` (the root's id for top level), in order."""
    return list(
        connection.execute(
            sa.select(_items.c.id)
            .where(_items.c.tenant_id == tenant_id, _items.c.parent_id == parent_id)
            .order_by(_items.c.position, _items.c.id)
        ).scalars()
    )


def item_version(
    connection: sa.Connection, tenant_id: str, item_id: str, language: str, version: str
) -> ItemVersionRecord | None:
    v = _item_versions.c
    row = connection.execute(
        sa.select(v.name, v.components, v.updated_at).where(
            v.tenant_id == tenant_id,
            v.item_id == item_id,
            v.language == language,
            v.version == version,
        )
    ).first()
    if row is None:
        return None
    return ItemVersionRecord(row.name, load(row.components), stored_timestamp(row.updated_at))


def item_id_by_path(
    connection: sa.Connection, tenant_id: str, language: str, path: str
) -> str | None:
    """The item a path names in a language, whether canonical, alias or history."""
    p = _item_paths.c
    return connection.execute(
        sa.select(p.item_id).where(p.tenant_id == tenant_id, p.language == language, p.path == path)
    ).scalar()


def item_paths(
    connection: sa.Connection, tenant_id: str, item_id: str, language: str
) -> dict[str, list[str]]:
    """kind ('canonical', 'alias', 'history') -> the item's paths of that kind, sorted."""
    p = _item_paths.c
    found: dict[str, list[str]] = {}
    for kind, path in connection.execute(
        sa.select(p.kind, p.path)
        .where(p.tenant_id == tenant_id, p.item_id == item_id, p.language == language)
        .order_by(p.kind, p.path)
    ):
        found.setdefault(kind, []).append(path)
    return found


# -- variants ---------------------------------------------------------------------------

_VARIANTS_BY_SKU = _lookup(
    _variants,
    "sku",
    _variants.c.id,
    _variants.c.product_id,
    _variants.c.sku,
    _variants.c.is_default,
    _variants.c.position,
)


def _variant(row: Any) -> VariantKey:
    return VariantKey(row.id, row.product_id, row.sku, bool(row.is_default), row.position)


def variants_by_sku(
    connection: sa.Connection, tenant_id: str, skus: Iterable[str]
) -> dict[str, VariantKey]:
    return {row.sku: _variant(row) for row in _rows(connection, _VARIANTS_BY_SKU, tenant_id, skus)}


def variant_ids_by_sku(
    connection: sa.Connection, tenant_id: str, skus: Iterable[str]
) -> dict[str, str]:
    return {sku: key.id for sku, key in variants_by_sku(connection, tenant_id, skus).items()}


def product_variants(
    connection: sa.Connection, tenant_id: str, product_id: str
) -> list[VariantKey]:
    """A product's variants in their order."""
    v = _variants.c
    rows = connection.execute(
        sa.select(v.id, v.product_id, v.sku, v.is_default, v.position)
        .where(v.tenant_id == tenant_id, v.product_id == product_id)
        .order_by(v.position, v.id)
    )
    return [_variant(row) for row in rows]


def variant_prices(
    connection: sa.Connection, tenant_id: str, variant_id: str
) -> dict[str, Decimal]:
    """price variant identifier -> price."""
    p = _prices.c
    rows = connection.execute(
        sa.select(p.price_variant_identifier, p.price).where(
            p.tenant_id == tenant_id, p.variant_id == variant_id
        )
    )
    return {identifier: stored_price(price) for identifier, price in rows}


def variant_stock(connection: sa.Connection, tenant_id: str, variant_id: str) -> dict[str, int]:
    """stock location identifier -> units in stock."""
    s = _stock.c
    rows = connection.execute(
        sa.select(s.stock_location_identifier, s.stock).where(
            s.tenant_id == tenant_id, s.variant_id == variant_id
        )
    )
    return {identifier: int(stock) for identifier, stock in rows}


# -- shapes, pieces, topics -------------------------------------------------------------

_SHAPES_BY_IDENTIFIER = _lookup(_shapes, "identifier")
_PIECES_BY_IDENTIFIER = _lookup(_pieces, "identifier")
_TOPIC_IDS_BY_RESOURCE = _lookup(
    _topics, "resource_identifier", _topics.c.resource_identifier, _topics.c.id
)
_TOPIC_IDS = _lookup(_topics, "id", _topics.c.id)


def shapes_by_identifier(
    connection: sa.Connection, tenant_id: str, identifiers: Iterable[str]
) -> dict[str, ShapeRecord]:
    return {
        row.identifier: ShapeRecord(
            identifier=row.identifier,
            name=row.name,
            type=row.type,
            components=load(row.components),
            variant_components=load_or_none(row.variant_components),
            meta=load_or_none(row.meta),
            created_at=stored_timestamp(row.created_at),
            updated_at=stored_timestamp(row.updated_at),
        )
        for row in _rows(connection, _SHAPES_BY_IDENTIFIER, tenant_id, identifiers)
    }


def pieces_by_identifier(
    connection: sa.Connection, tenant_id: str, identifiers: Iterable[str]
) -> dict[str, PieceRecord]:
    return {
        row.identifier: PieceRecord(
            identifier=row.identifier,
            name=row.name,
            components=load(row.components),
            created_at=stored_timestamp(row.created_at),
            updated_at=stored_timestamp(row.updated_at),
        )
        for row in _rows(connection, _PIECES_BY_IDENTIFIER, tenant_id, identifiers)
    }


def topic_ids_by_resource_identifier(
    connection: sa.Connection, tenant_id: str, resource_identifiers: Iterable[str]
) -> dict[str, str]:
    rows = _rows(connection, _TOPIC_IDS_BY_RESOURCE, tenant_id, resource_identifiers)
    return {row.resource_identifier: row.id for row in rows}


def existing_topic_ids(
    connection: sa.Connection, tenant_id: str, topic_ids: Iterable[str]
) -> set[str]:
    return {row.id for row in _rows(connection, _TOPIC_IDS, tenant_id, topic_ids)}
