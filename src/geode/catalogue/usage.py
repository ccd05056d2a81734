"""What in the catalogue uses a tenant setting, so `geode tenant configure` refuses
to remove one still in use (a `SettingUsage`, wired in `geode.app.create_app`).

A language is used by the names of variants and items, a VAT type by items, a
price variant by variants' prices, a stock location by variants' stock. Each
answer counts the records and names a few, so the user can find them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import sqlalchemy as sa

from geode.catalogue import models
from geode.db import bulk
from geode.db.base import table_of
from geode.tenants.settings import LANGUAGE, PRICE_VARIANT, STOCK_LOCATION, VAT_TYPE

SHOWN: Final = 3
"""Records named per setting in use."""

_variants = table_of(models.Variant)
_items = table_of(models.Item)


def _variant_children(table: sa.Table, column: str) -> sa.Select[Any]:
    return (
        sa.select(table.c[column].label("key"), _variants.c.sku.label("name"))
        .join(
            _variants,
            sa.and_(
                _variants.c.tenant_id == table.c.tenant_id, _variants.c.id == table.c.variant_id
            ),
        )
        .distinct()
    )


_versions = table_of(models.VariantVersion)
_item_versions = table_of(models.ItemVersion)

# kind -> [(what, query of (key, name) pairs, the table the keys are filtered in)]
_USES: Final[dict[str, list[tuple[str, str, sa.Select[Any], sa.Table]]]] = {
    LANGUAGE: [
        ("product variants' names", "sku", _variant_children(_versions, "language"), _versions),
        (
            "items' names",
            "item",
            sa.select(
                _item_versions.c.language.label("key"), _item_versions.c.item_id.label("name")
            ).distinct(),
            _item_versions,
        ),
    ],
    VAT_TYPE: [
        (
            "products",
            "item",
            sa.select(_items.c.vat_type_id.label("key"), _items.c.id.label("name")),
            _items,
        ),
    ],
    PRICE_VARIANT: [
        (
            "product variants' prices",
            "sku",
            _variant_children(table_of(models.VariantPrice), "price_variant_identifier"),
            table_of(models.VariantPrice),
        ),
    ],
    STOCK_LOCATION: [
        (
            "product variants' stock",
            "sku",
            _variant_children(table_of(models.VariantStock), "stock_location_identifier"),
            table_of(models.VariantStock),
        ),
    ],
}


def catalogue_usage(
    connection: sa.Connection, tenant_id: str, kind: str, keys: list[str]
) -> Mapping[str, str]:
    """{key: "3 product variants' prices (sku 'a', 'b', 'c')"} for the keys in use."""
    found: dict[str, list[str]] = {}
    for what, noun, query, table in _USES.get(kind, []):
        names: dict[str, list[str]] = {}
        key_column = query.selected_columns.key
        for chunk in bulk.chunked(sorted(set(keys))):
            rows = connection.execute(
                query.where(table.c.tenant_id == tenant_id, key_column.in_(chunk))
            )
            for row in rows:
                names.setdefault(str(row[0]), []).append(str(row[1]))
        for key, used in names.items():
            found.setdefault(key, []).append(_described(what, noun, sorted(used)))
    return {key: " and ".join(parts) for key, parts in found.items()}


def _described(what: str, noun: str, names: Sequence[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:SHOWN])
    more = ", ..." if len(names) > SHOWN else ""
    return f"{len(names)} {what} ({noun} {shown}{more})"
