"""`pricelist/create|update|upsert` and `pricelist/selectedProductVariants/upsert|remove`.

Fields present replace the stored ones, absent are kept. The selected variants
are a list keyed by SKU: those listed replace theirs, the others are kept;
`.../remove` drops SKUs. SKUs are not looked up: a price list may name a SKU
imported later. Modifiers are Decimals (a PERCENTAGE or RELATIVE one may be
negative); every price variant named must be one of the tenant's. Customer
groups and customers of the audience are kept as named, for the same reason
as SKUs: they may arrive later, from another file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.documents import dump, dump_or_none, load_as
from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.keyed import named_output, write_keyed
from geode.catalogue.intents.pricelist_inputs import (
    PriceListCreate,
    PriceListFields,
    PriceListSchema,
    PriceListUpdate,
    PriceListUpsert,
    PriceVariantModifier,
    SelectedVariant,
    SelectedVariants,
    SelectedVariantsRemove,
    SelectedVariantsUpsert,
    TargetAudience,
)
from geode.db.base import table_of
from geode.db.pages import tenant_pages
from geode.outcomes import Applied, OperationFailed, Outcome
from geode.schemas import UNSET
from geode.timestamps import canonical_timestamp, stored_timestamp

_variants = table_of(models.PriceListVariant)


def _check_modifiers(batch: CatalogueBatch, modifiers: Any, at: str) -> None:
    for index, modifier in enumerate(modifiers or []):
        batch.require_price_variant(modifier.identifier, f"{at}[{index}].identifier")


def _check_selected(batch: CatalogueBatch, variants: Any, at: str) -> None:
    for index, variant in enumerate(variants or []):
        _check_modifiers(batch, variant.priceVariants, f"{at}[{index}].priceVariants")


def _date(existing: dict[str, Any] | None, column: str, value: str | None) -> str | None:
    """The date as stored when it is the same instant, so a re-run is `unchanged`."""
    if value is None:
        return None
    text = canonical_timestamp(value)
    before = None if existing is None else existing.get(column)
    return before if before is not None and stored_timestamp(before) == text else text


def _values(op: PriceListFields, existing: dict[str, Any] | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if op.name is not UNSET:
        values["name"] = op.name
    if op.modifierType is not UNSET:
        values["modifier_type"] = op.modifierType
    if op.priceVariants is not UNSET:
        values["price_variants"] = dump(op.priceVariants)
    if op.selectedProductVariants is not UNSET:
        values["selection_type"] = op.selectedProductVariants.type
    if op.targetAudience is not UNSET:
        values["target_audience"] = dump(op.targetAudience)
    if op.startDate is not UNSET:
        values["start_date"] = _date(existing, "start_date", op.startDate)
    if op.endDate is not UNSET:
        values["end_date"] = _date(existing, "end_date", op.endDate)
    return values


def _check_dates(identifier: str, row: dict[str, Any]) -> None:
    start, end = row.get("start_date"), row.get("end_date")
    if start is not None and end is not None and stored_timestamp(end) < stored_timestamp(start):
        raise OperationFailed(
            "dates_out_of_order",
            f"`endDate` ({stored_timestamp(end)}) is before `startDate` "
            f"({stored_timestamp(start)}) of the price list {identifier!r}",
            key=identifier,
        )


def _put_variants(batch: CatalogueBatch, identifier: str, variants: list[SelectedVariant]) -> bool:
    changed = False
    for variant in variants:
        row = {"sku": variant.sku, "price_variants": dump_or_none(variant.priceVariants)}
        changed |= batch.pricelist_variants.put(identifier, row)
    return changed


def apply_pricelist(
    batch: CatalogueBatch, op: PriceListCreate | PriceListUpdate | PriceListUpsert
) -> Applied:
    _check_modifiers(batch, op.priceVariants, "priceVariants")
    selected = op.selectedProductVariants
    if isinstance(selected, SelectedVariants):
        _check_selected(batch, selected.variants, "selectedProductVariants.variants")
    existing = batch.pricelists.get(op.identifier)
    values = _values(op, existing)
    _check_dates(op.identifier, {**(existing or {}), **values})
    applied = write_keyed(batch.pricelists, op, op.identifier, values)
    if (
        isinstance(selected, SelectedVariants)
        and isinstance(selected.variants, list)
        and (
            _put_variants(batch, op.identifier, selected.variants)
            and applied.outcome == "unchanged"
        )
    ):
        applied.outcome = "updated"
    return applied


def _existing(batch: CatalogueBatch, identifier: str) -> dict[str, Any]:
    row = batch.pricelists.get(identifier)
    if row is None:
        raise OperationFailed(
            "not_found",
            f"price list {identifier!r} does not exist; create it with pricelist/upsert first",
            key=identifier,
        )
    return row


def apply_selected(
    batch: CatalogueBatch, op: SelectedVariantsUpsert | SelectedVariantsRemove
) -> Applied:
    row = _existing(batch, op.identifier)
    if isinstance(op, SelectedVariantsUpsert):
        _check_selected(batch, op.variants, "variants")
        changed = _put_variants(batch, op.identifier, op.variants)
    else:
        changed = False
        for sku in op.skus:
            changed |= batch.pricelist_variants.delete(op.identifier, (sku,))
    outcome: Outcome = "updated" if changed else "unchanged"
    return Applied(outcome, op.identifier, op.identifier, named_output(row))


def pricelist_operations(connection: sa.Connection, tenant_id: str) -> Iterator[PriceListUpsert]:
    table = table_of(models.PriceList)
    for rows in tenant_pages(connection, table, tenant_id, "identifier"):
        for row in rows:
            variants = connection.execute(
                sa.select(_variants.c.sku, _variants.c.price_variants)
                .where(
                    _variants.c.tenant_id == tenant_id,
                    _variants.c.price_list_identifier == row["identifier"],
                )
                .order_by(_variants.c.sku)
            )
            selected = SelectedVariants(type=row["selection_type"])
            listed = [_selected(sku, modifiers) for sku, modifiers in variants]
            if listed:
                selected.variants = listed
            op = PriceListUpsert(
                identifier=row["identifier"],
                name=row["name"],
                modifierType=row["modifier_type"],
                priceVariants=load_as(row["price_variants"], list[PriceVariantModifier]),
                selectedProductVariants=selected,
                targetAudience=load_as(row["target_audience"], TargetAudience),
            )
            if row["start_date"] is not None:
                op.startDate = stored_timestamp(row["start_date"])
            if row["end_date"] is not None:
                op.endDate = stored_timestamp(row["end_date"])
            yield op


def _selected(sku: str, modifiers: str | None) -> SelectedVariant:
    variant = SelectedVariant(sku=sku)
    if modifiers is not None:
        variant.priceVariants = load_as(modifiers, list[PriceVariantModifier])
    return variant


class PriceLists(PriceListSchema):
    lookup_tables: tuple[str, ...] = ("price_lists", "price_list_variants")

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        identifiers = {op.identifier for op in ops}
        batch.pricelists.prefetch(identifiers)
        batch.pricelist_variants.prefetch(identifiers)

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied:
        if isinstance(op, SelectedVariantsUpsert | SelectedVariantsRemove):
            return apply_selected(batch, op)
        return apply_pricelist(batch, op)

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        return pricelist_operations(connection, tenant_id)
