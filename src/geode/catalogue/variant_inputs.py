"""A product variant as files write it: field for field as `@crystallize/schema` 6.14
(pim/product-variants `VariantInputSchema`), shared by `product/create|update|upsert`'s
`variants` entries and `product/variant/create|upsert`.

Not tagged with an intent: the variant intents subclass `VariantInput` (as shapes do
with `ShapeInput`), so it stays `kw_only`. Bounds come from `geode.limits`: a sku and
an identifier are keys, prices are money (never negative), stock is a whole number
of at least zero (the store keeps whole units; "never below zero" is the rule of
`product/variant/stock/modify` too).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from geode import limits
from geode.catalogue.components.content import ComponentContent
from geode.catalogue.components.values import ImageInput, VideoInput
from geode.schemas import (
    UNSET,
    IdText,
    Input,
    Key,
    KeyValuePair,
    Money,
    Name,
    UnsetType,
    check_numbers,
)

__all__ = [
    "MeteredVariable",
    "MeteredVariableTier",
    "PriceVariantReference",
    "Stock",
    "StockLocationReference",
    "SubscriptionPlanPeriod",
    "SubscriptionPlanPhase",
    "SubscriptionPlanReference",
    "VariantAttribute",
    "VariantFields",
    "VariantInput",
]

Stock = Annotated[int, msgspec.Meta(ge=0, le=limits.QUANTITY_MAX)]
"""Units in one stock location: whole, zero or more."""

TierType = Literal["graduated", "volume"]


class VariantAttribute(Input):
    attribute: Name
    value: Name


class PriceVariantReference(Input):
    identifier: Key
    price: Money

    def __post_init__(self) -> None:
        check_numbers(self, (("price", limits.MONEY),))


class StockLocationReference(Input):
    identifier: Key
    stock: Stock
    meta: list[KeyValuePair] | UnsetType | None = UNSET


class MeteredVariableTier(Input):
    price: Money
    threshold: Money
    priceVariants: list[PriceVariantReference]

    def __post_init__(self) -> None:
        check_numbers(self, (("price", limits.MONEY), ("threshold", limits.MONEY)))


class MeteredVariable(Input):
    id: IdText
    tierType: TierType
    tiers: list[MeteredVariableTier]


class SubscriptionPlanPhase(Input):
    meteredVariables: list[MeteredVariable]
    priceVariants: list[PriceVariantReference]


class SubscriptionPlanPeriod(Input):
    id: IdText
    recurring: SubscriptionPlanPhase
    initial: SubscriptionPlanPhase | UnsetType | None = UNSET


class SubscriptionPlanReference(Input):
    identifier: Key
    periods: list[SubscriptionPlanPeriod]


class VariantFields(Input, kw_only=True):
    """Everything a variant holds but its sku and `isDefault` (`product/variant/update`
    takes the rest as optional)."""

    externalReference: Name | UnsetType | None = UNSET
    components: list[ComponentContent] | UnsetType | None = UNSET
    attributes: list[VariantAttribute] | UnsetType | None = UNSET
    images: list[ImageInput] | UnsetType | None = UNSET
    videos: list[VideoInput] | UnsetType | None = UNSET
    priceVariants: list[PriceVariantReference] | UnsetType | None = UNSET
    stockLocations: list[StockLocationReference] | UnsetType | None = UNSET
    subscriptionPlans: list[SubscriptionPlanReference] | UnsetType | None = UNSET


class VariantInput(VariantFields, kw_only=True):
    """One variant: a `variants` entry of a product, or `product/variant/create|upsert`."""

    sku: Key
    name: Name
    isDefault: bool | UnsetType | None = UNSET
