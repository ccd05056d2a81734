"""`product/variant/*` and `item/updateComponent/sku` as a file declares them:
what a validation worker process loads of variants (see `kinds`). No
SQLAlchemy here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from geode import limits
from geode.catalogue.components.content import ComponentContent
from geode.catalogue.variant_inputs import (
    VariantFields,
    VariantInput,
)
from geode.massops.intents import Ref, ref_field
from geode.schemas import UNSET, IdText, Input, Key, Money, Name, UnsetType

Language = Key
Units = Annotated[int, msgspec.Meta(ge=1, le=limits.QUANTITY_MAX)]


class VariantCreate(VariantInput, tag_field="intent", tag="product/variant/create", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    language: Language
    productId: IdText


class VariantUpsert(VariantInput, tag_field="intent", tag="product/variant/upsert", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    language: Language
    productId: IdText


class VariantUpdate(VariantFields, tag_field="intent", tag="product/variant/update", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    language: Language
    sku: Key
    name: Name | UnsetType = UNSET


class VariantDelete(Input, tag_field="intent", tag="product/variant/delete", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    sku: Key


class StockModify(Input, tag_field="intent", tag="product/variant/stock/modify", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    operation: Literal["decrease", "increase", "overwrite"]
    quantity: Units
    sku: Key
    stockLocationIdentifier: Key


class PriceModify(Input, tag_field="intent", tag="product/variant/price/modify", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    sku: Key
    priceVariantIdentifier: Key
    price: Money

    def __post_init__(self) -> None:
        problem = limits.MONEY.problem(self.price)
        if problem:
            raise ValueError(f"`price`: {problem}")
        if self.price < 1:
            raise ValueError(f"`price`: {self.price} is too small; a price here is at least 1")


class SkuComponentUpdate(Input, tag_field="intent", tag="item/updateComponent/sku", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    language: Language
    component: ComponentContent
    sku: Key


VARIANT_INTENTS = (
    VariantCreate,
    VariantUpdate,
    VariantUpsert,
    VariantDelete,
    StockModify,
    PriceModify,
    SkuComponentUpdate,
)
OUTPUTS = frozenset({"id", "sku", "productId", "name"})


class VariantSchema:
    name: str = "variant"
    operations: tuple[type[Any], ...] = VARIANT_INTENTS
    key_fields: frozenset[str] = frozenset({"sku"})

    def outputs(self, intent: str) -> frozenset[str]:
        return OUTPUTS

    def provides(self, op: Any) -> list[str]:
        """Create, upsert and delete make or end the record: they keep their file
        order among themselves (a variant deleted then created again in one file
        stays so). The others change a variant that must exist: they need it."""
        if isinstance(op, VariantCreate | VariantUpsert | VariantDelete):
            return _plain([f"sku:{op.sku}"])
        return []

    def needs(self, op: Any) -> list[str]:
        if isinstance(op, VariantCreate | VariantUpsert):
            return _plain([f"item:{op.productId}"])
        if isinstance(op, VariantDelete):
            return []
        return _plain([f"sku:{op.sku}"])


def _plain(keys: list[str]) -> list[str]:
    """Keys whose value is a `{{ template }}` are left out: the `_ref` order holds them."""
    return [key for key in keys if "{{" not in key]
