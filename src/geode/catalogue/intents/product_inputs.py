"""`product/create|update|upsert` as a file declares them (the `item` kind
applies them: `items`, `products`). No SQLAlchemy here.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from geode.catalogue.intents.item_inputs import ItemCreateInput, ItemUpdateInput, ItemUpsertInput
from geode.catalogue.variant_inputs import VariantInput
from geode.massops.intents import Ref, ref_field
from geode.schemas import UNSET, IdText, UnsetType

Variants = Annotated[list[VariantInput], msgspec.Meta(min_length=1)]


class ProductCreate(ItemCreateInput, tag_field="intent", tag="product/create", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    vatTypeId: IdText
    variants: Variants


class ProductCreateWithoutVariants(
    ProductCreate, tag_field="intent", tag="product/create", kw_only=True
):
    """`product/create` as the Core API's `product.create` takes it: no variants yet
    (`product.setVariants` adds them) and, when the caller names none, the tenant's
    default VAT type. Not a file intent: files follow the reference, which needs both."""

    variants: Variants | UnsetType = UNSET  # type: ignore[assignment]  # optional here only


class ProductUpdate(ItemUpdateInput, tag_field="intent", tag="product/update", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    vatTypeId: IdText | UnsetType = UNSET
    variants: Variants | UnsetType = UNSET


class ProductUpsert(ItemUpsertInput, tag_field="intent", tag="product/upsert", kw_only=True):
    ref: Ref | UnsetType = ref_field()
    vatTypeId: IdText
    variants: Variants


PRODUCT_INTENTS: tuple[type[Any], ...] = (ProductCreate, ProductUpdate, ProductUpsert)
