"""`product/variant/create|update|upsert|delete`, `product/variant/stock/modify`,
`product/variant/price/modify` and `item/updateComponent/sku`: a product's
purchasable variants, one sku each.

The rules (unique skus, one default per product, merges by key, names per
language) are the `VariantWriter`'s, shared with a product's `variants`; this
module maps the reference's operations onto it. Names, attributes and content
are written to the draft version of their language.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa

from geode import limits
from geode.catalogue.components.content import decode_components
from geode.catalogue.components.values import ImageInput, VideoInput
from geode.catalogue.documents import load_as, load_or_none
from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.variant_intent_inputs import (
    VARIANT_INTENTS,
    PriceModify,
    SkuComponentUpdate,
    StockModify,
    VariantCreate,
    VariantDelete,
    VariantSchema,
    VariantUpdate,
    VariantUpsert,
)
from geode.catalogue.intents.variant_store import (
    VARIANTS,
    VariantState,
    load_variants,
    price_text,
)
from geode.catalogue.variant_inputs import (
    PriceVariantReference,
    StockLocationReference,
    SubscriptionPlanReference,
    VariantAttribute,
)
from geode.db.pages import tenant_pages
from geode.outcomes import Applied, OperationFailed
from geode.schemas import UNSET, KeyValuePair

__all__ = ["VARIANT_INTENTS", "Variants"]


def modify_stock(batch: CatalogueBatch, op: StockModify) -> Applied:
    location = op.stockLocationIdentifier
    batch.variants.check_stock_location(location, "stockLocationIdentifier")

    def edit(state: VariantState) -> None:
        units, meta = state.stock.get(location, (0, None))
        if op.operation == "overwrite":
            units = op.quantity
        elif op.operation == "increase":
            units += op.quantity
        elif op.quantity > units:
            raise OperationFailed(
                "insufficient_stock",
                f"`quantity`: sku {op.sku!r} holds {units} in stock at {location!r}; "
                f"decreasing it by {op.quantity} would leave {units - op.quantity}, "
                "and stock never goes below zero",
                key=op.sku,
            )
        else:
            units -= op.quantity
        if units > limits.QUANTITY_MAX:
            raise OperationFailed(
                "stock_too_large",
                f"`quantity`: sku {op.sku!r} would hold {units} at {location!r}; "
                f"stock is at most {limits.QUANTITY_MAX}",
                key=op.sku,
            )
        state.stock[location] = (units, meta)

    return batch.variants.change(op.sku, edit)


def modify_price(batch: CatalogueBatch, op: PriceModify) -> Applied:
    batch.variants.check_price_variant(op.priceVariantIdentifier, "priceVariantIdentifier")

    def edit(state: VariantState) -> None:
        state.prices[op.priceVariantIdentifier] = price_text(op.price)

    return batch.variants.change(op.sku, edit)


def apply_variant(batch: CatalogueBatch, op: Any) -> Applied:
    variants = batch.variants
    if isinstance(op, VariantCreate | VariantUpsert):
        assert variants.content is not None
        variants.content.product(op.productId)
        mode: Literal["create", "upsert"] = "create" if isinstance(op, VariantCreate) else "upsert"
        return variants.put(op.productId, op.language, op, mode)
    if isinstance(op, VariantUpdate):
        return variants.put(None, op.language, op, "update", sku=op.sku)
    if isinstance(op, VariantDelete):
        return variants.delete(op.sku)
    if isinstance(op, StockModify):
        return modify_stock(batch, op)
    if isinstance(op, PriceModify):
        return modify_price(batch, op)
    assert isinstance(op, SkuComponentUpdate)
    return variants.update_component(op.sku, op.language, op.component)


# -- export -----------------------------------------------------------------------------


def _decoded(text: str | None, type_: Any) -> Any:
    return UNSET if text is None else load_as(text, type_)


def variant_operations(connection: sa.Connection, tenant_id: str) -> Iterator[VariantUpsert]:
    """Every variant, in each language it has a draft in: the first carries the
    language-free fields (prices, stock, default), the others their own names.
    In sku order: ids are not exported (another tenant finds a variant by sku and
    gives it an id of its own), so an order by id would differ there."""
    for rows in tenant_pages(connection, VARIANTS, tenant_id, "sku"):
        states = load_variants(connection, tenant_id, skus=[row["sku"] for row in rows])
        states.sort(key=lambda state: state.sku)
        for state in states:
            yield from _state_operations(state)


def _state_operations(state: VariantState) -> Iterator[VariantUpsert]:
    for index, (language, version) in enumerate(sorted(state.versions.items())):
        op = VariantUpsert(
            language=language,
            productId=state.row["product_id"],
            sku=state.sku,
            name=version["name"],
            attributes=_decoded(version["attributes"], list[VariantAttribute]),
            images=_decoded(version["images"], list[ImageInput]),
            videos=_decoded(version["videos"], list[VideoInput]),
            subscriptionPlans=_decoded(
                version["subscription_plans"], list[SubscriptionPlanReference]
            ),
        )
        if version["components"] is not None:
            op.components = decode_components(version["components"])
        if index == 0:
            if state.row["is_default"]:
                op.isDefault = True
            if state.row["external_reference"] is not None:
                op.externalReference = state.row["external_reference"]
            if state.prices:
                op.priceVariants = [
                    PriceVariantReference(identifier=key, price=Decimal(price))
                    for key, price in sorted(state.prices.items())
                ]
            if state.stock:
                op.stockLocations = [
                    _stock_reference(key, units, meta)
                    for key, (units, meta) in sorted(state.stock.items())
                ]
        yield op


def _stock_reference(identifier: str, units: int, meta: str | None) -> StockLocationReference:
    reference = StockLocationReference(identifier=identifier, stock=units)
    if load_or_none(meta) is not None:
        reference.meta = load_as(meta or "[]", list[KeyValuePair])
    return reference


class Variants(VariantSchema):
    lookup_tables: tuple[str, ...] = (
        "variants",
        "variant_versions",
        "variant_prices",
        "variant_stock",
    )

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        assert batch.variants.content is not None
        products = [op.productId for op in ops if isinstance(getattr(op, "productId", None), str)]
        batch.variants.content.prefetch_items(products)
        batch.variants.prefetch_products(products)
        batch.variants.prefetch_skus([op.sku for op in ops])

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied:
        return apply_variant(batch, op)

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        return variant_operations(connection, tenant_id)
