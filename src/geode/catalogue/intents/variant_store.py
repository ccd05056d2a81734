"""Product variants as one record each (`VariantState`: the `variants` row with its
draft names per language, prices and stock), read in a few queries per batch and
written back as the difference between what was read and what the batch left.

A variant spans four tables; reading it whole and diffing at the end keeps the
operations simple (they edit dicts) and the writes set-based: one step per table
and kind of change, whatever the number of operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

from geode.catalogue import models
from geode.db import bulk
from geode.db.base import table_of
from geode.db.key_lookup import KeyLookup

Row = dict[str, Any]

DRAFT = "draft"
VERSION_FIELDS = ("name", "attributes", "images", "videos", "components", "subscription_plans")
"""The columns of a `variant_versions` row that a variant input sets (JSON text but
`name`)."""
ROW_FIELDS = ("product_id", "sku", "is_default", "position", "external_reference", "updated_at")

_version = itemgetter(*VERSION_FIELDS)
"""A version dict's `VERSION_FIELDS` values, as a tuple (a row of the bulk write)."""
_row_fields = itemgetter(*ROW_FIELDS)


VARIANTS = table_of(models.Variant)
VERSIONS = table_of(models.VariantVersion)
PRICES = table_of(models.VariantPrice)
STOCK = table_of(models.VariantStock)

_TENANT: sa.BindParameter[str] = sa.bindparam("tenant_id")
_BY_SKU = KeyLookup.of(sa.select(VARIANTS).where(VARIANTS.c.tenant_id == _TENANT), VARIANTS.c.sku)
_BY_PRODUCT = KeyLookup.of(
    sa.select(VARIANTS).where(VARIANTS.c.tenant_id == _TENANT), VARIANTS.c.product_id
)
_VERSIONS = KeyLookup.of(
    sa.select(VERSIONS).where(VERSIONS.c.tenant_id == _TENANT, VERSIONS.c.version == DRAFT),
    VERSIONS.c.variant_id,
)
_PRICES = KeyLookup.of(sa.select(PRICES).where(PRICES.c.tenant_id == _TENANT), PRICES.c.variant_id)
_STOCK = KeyLookup.of(sa.select(STOCK).where(STOCK.c.tenant_id == _TENANT), STOCK.c.variant_id)


def price_text(value: object) -> str:
    """One text per amount (no exponent, no trailing zeros), so equal prices compare
    equal whichever database or file they came from.

    The text `money_text(stored_price(value))` gives, in one formatting instead of
    three Decimal round trips (every price of every variant passes here; property-
    tested against that composition): the stripped plain text of an exact Decimal
    reads back as itself."""
    text = format(value if isinstance(value, Decimal) else Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass
class VariantState:
    """A variant as one batch sees it. The writer never changes a state it holds
    (what it read, what an operation left): an edit starts from `copy()`. So a state
    is shared, not copied, between the writer's before and after, the undo journal
    and the batches still to commit, and `before is after` means unchanged."""

    row: Row
    """The `variants` row."""
    versions: dict[str, Row] = field(default_factory=dict)
    """language -> the draft `VERSION_FIELDS`. A version dict is replaced, never
    changed in place: copies share them."""
    prices: dict[str, str] = field(default_factory=dict)
    """price variant identifier -> price text (`price_text`)."""
    stock: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    """stock location identifier -> (units, meta JSON)."""

    @property
    def id(self) -> str:
        return str(self.row["id"])

    @property
    def sku(self) -> str:
        return str(self.row["sku"])

    def copy(self) -> VariantState:
        """A state to edit: its own row, versions, prices and stock dicts (the
        version dicts themselves are shared: replace them, do not change them)."""
        return VariantState(
            dict(self.row), dict(self.versions), dict(self.prices), dict(self.stock)
        )

    def name(self, language: str | None = None) -> str:
        """The name in `language`, else in the first language it has one in."""
        if language is not None and language in self.versions:
            return str(self.versions[language]["name"])
        return next((str(v["name"]) for v in self.versions.values()), "")

    def same_content(self, other: VariantState) -> bool:
        """Equal but for `updated_at`: what `unchanged` means."""
        return (
            self.versions == other.versions
            and self.prices == other.prices
            and self.stock == other.stock
            and {**self.row, "updated_at": None} == {**other.row, "updated_at": None}
        )


def _chunks(
    connection: sa.Connection, lookup: KeyLookup, tenant_id: str, keys: Iterable[str]
) -> Iterator[sa.Row[Any]]:
    for chunk in bulk.chunked(sorted(set(keys))):
        # `all()`: iterating a result fetches row by row, a third of a re-run's reading.
        yield from lookup.execute(connection, {"tenant_id": tenant_id, "keys": list(chunk)}).all()


def load_variants(
    connection: sa.Connection,
    tenant_id: str,
    *,
    skus: Iterable[str] = (),
    products: Iterable[str] = (),
    known: Mapping[str, VariantState | None] | None = None,
) -> list[VariantState]:
    """The stored variants having one of `skus` or belonging to one of `products`.

    A variant in `known` (sku -> the state the caller read before) whose row is
    unchanged is not read again but for its row: a batch reads its products'
    variants after their skus, and reading the names, prices and stock of every
    variant twice made a re-run (where every variant exists) slower than the first
    run."""
    rows: dict[str, Row] = {}
    for lookup, keys in ((_BY_SKU, skus), (_BY_PRODUCT, products)):
        for row in _chunks(connection, lookup, tenant_id, keys):
            found = dict(row._mapping)
            found["is_default"] = bool(found["is_default"])
            rows[found["id"]] = found
    reused: dict[str, VariantState] = {}
    for variant_id, values in rows.items():
        before = known.get(values["sku"]) if known else None
        if before is not None and before.row == values:
            reused[variant_id] = before
    states = {key: VariantState(row) for key, row in rows.items() if key not in reused}
    if not states:
        return list(reused.values())
    for row in _chunks(connection, _VERSIONS, tenant_id, states):
        states[row.variant_id].versions[row.language] = {f: getattr(row, f) for f in VERSION_FIELDS}
    for row in _chunks(connection, _PRICES, tenant_id, states):
        states[row.variant_id].prices[row.price_variant_identifier] = price_text(row.price)
    for row in _chunks(connection, _STOCK, tenant_id, states):
        states[row.variant_id].stock[row.stock_location_identifier] = (int(row.stock), row.meta)
    return [*states.values(), *reused.values()]


@dataclass
class _Plan:
    tenant_id: str
    deleted: list[VariantState] = field(default_factory=list)
    cleared: list[VariantState] = field(default_factory=list)
    inserted: list[VariantState] = field(default_factory=list)
    updated: list[VariantState] = field(default_factory=list)
    version_rows: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {"insert": [], "update": [], "delete": []}
    )
    price_rows: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {"insert": [], "update": [], "delete": []}
    )
    stock_rows: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {"insert": [], "update": [], "delete": []}
    )

    def children(self, before: VariantState | None, after: VariantState) -> None:
        """Rows of the versions, prices and stock that differ between the two (a dict
        or version the after shares with the before is unchanged, unread)."""
        t, v = self.tenant_id, after.id
        old_versions = before.versions if before else {}
        if after.versions is not old_versions:
            for language, values in after.versions.items():
                old = old_versions.get(language)
                if old is None:
                    self.version_rows["insert"].append((t, v, language, DRAFT, *_version(values)))
                elif old is not values and old != values:
                    self.version_rows["update"].append((*_version(values), t, v, language, DRAFT))
            for language in old_versions.keys() - after.versions.keys():
                self.version_rows["delete"].append((t, v, language, DRAFT))
        old_prices = before.prices if before else {}
        if after.prices is not old_prices:
            for identifier, price in after.prices.items():
                old_price = old_prices.get(identifier)
                if old_price is None:
                    self.price_rows["insert"].append((t, v, identifier, price))
                elif old_price != price:
                    self.price_rows["update"].append((price, t, v, identifier))
            for identifier in old_prices.keys() - after.prices.keys():
                self.price_rows["delete"].append((t, v, identifier))
        old_stock = before.stock if before else {}
        if after.stock is not old_stock:
            for identifier, (units, meta) in after.stock.items():
                old_units = old_stock.get(identifier)
                if old_units is None:
                    self.stock_rows["insert"].append((t, v, identifier, units, meta))
                elif old_units != (units, meta):
                    self.stock_rows["update"].append((units, meta, t, v, identifier))
            for identifier in old_stock.keys() - after.stock.keys():
                self.stock_rows["delete"].append((t, v, identifier))

    def steps(self) -> list[bulk.WriteStep]:
        variant_columns = [c.name for c in VARIANTS.columns]
        variant_values = itemgetter(*variant_columns)
        variant_key = ("tenant_id", "id")
        child_key = ("tenant_id", "variant_id")
        gone = [(self.tenant_id, state.id) for state in self.deleted]
        version_key = (*child_key, "language", "version")
        price_key = (*child_key, "price_variant_identifier")
        stock_key = (*child_key, "stock_location_identifier")
        return [
            # Children first, then the variants (their foreign keys point at them).
            bulk.Delete(VERSIONS.name, child_key, gone),
            bulk.Delete(PRICES.name, child_key, gone),
            bulk.Delete(STOCK.name, child_key, gone),
            bulk.Delete(VARIANTS.name, variant_key, gone),
            # A product has at most one default (a unique index): clear before setting.
            bulk.Update(
                VARIANTS.name,
                ["is_default"],
                variant_key,
                [(False, self.tenant_id, state.id) for state in self.cleared],
            ),
            bulk.Update(
                VARIANTS.name,
                list(ROW_FIELDS),
                variant_key,
                [(*_row_fields(s.row), self.tenant_id, s.id) for s in self.updated],
            ),
            bulk.Insert(
                VARIANTS.name,
                variant_columns,
                [variant_values(s.row) for s in self.inserted],
            ),
            bulk.Delete(VERSIONS.name, version_key, self.version_rows["delete"]),
            bulk.Update(VERSIONS.name, VERSION_FIELDS, version_key, self.version_rows["update"]),
            bulk.Insert(
                VERSIONS.name, (*version_key, *VERSION_FIELDS), self.version_rows["insert"]
            ),
            bulk.Delete(PRICES.name, price_key, self.price_rows["delete"]),
            bulk.Update(PRICES.name, ["price"], price_key, self.price_rows["update"]),
            bulk.Insert(PRICES.name, (*price_key, "price"), self.price_rows["insert"]),
            bulk.Delete(STOCK.name, stock_key, self.stock_rows["delete"]),
            bulk.Update(STOCK.name, ["stock", "meta"], stock_key, self.stock_rows["update"]),
            bulk.Insert(STOCK.name, (*stock_key, "stock", "meta"), self.stock_rows["insert"]),
        ]


def write_plan(
    tenant_id: str, changes: Iterable[tuple[VariantState | None, VariantState | None]]
) -> list[bulk.WriteStep]:
    """The set-based writes taking the store from each `before` to its `after`
    (None: no such variant)."""
    plan = _Plan(tenant_id)
    for before, after in changes:
        if before is not None and (after is None or after.id != before.id):
            plan.deleted.append(before)
            before = None
        if after is None:
            continue
        if before is None:
            plan.inserted.append(after)
        else:
            if before.row["is_default"] and not after.row["is_default"]:
                plan.cleared.append(after)
            if _row_fields(before.row) != _row_fields(after.row):
                plan.updated.append(after)
        plan.children(before, after)
    return plan.steps()
