"""Price list inputs, field for field as @crystallize/schema 6.14
(pim/pricelists/pricelist-input.ts, mass-operation/pricelist.ts)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from geode import limits
from geode.catalogue.components.fields import RequiredName, check_datetime
from geode.catalogue.intents.kinds import NAMED_OUTPUT
from geode.massops.intents import Ref, ref_field
from geode.schemas import (
    UNSET,
    DateTimeText,
    Input,
    Key,
    SignedMoney,
    UnsetType,
    check_numbers,
)

ModifierType = Literal["ABSOLUTE", "PERCENTAGE", "RELATIVE"]
SelectionType = Literal["ALL_SKUS", "SOME_SKUS"]
AudienceType = Literal["EVERYONE", "SOME"]
DecimalPlaces = Annotated[int, msgspec.Meta(ge=0, le=limits.MONEY_DECIMAL_PLACES)]


class PriceVariantModifier(Input):
    identifier: Key
    modifier: SignedMoney
    decimalPlaces: DecimalPlaces | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_numbers(self, (("modifier", limits.SIGNED_MONEY),))


class SelectedVariant(Input):
    sku: Key
    priceVariants: list[PriceVariantModifier] | UnsetType | None = UNSET


class SelectedVariants(Input):
    type: SelectionType
    variants: list[SelectedVariant] | UnsetType | None = UNSET


class TargetAudience(Input):
    type: AudienceType
    customerGroupIdentifiers: list[Key] | UnsetType | None = UNSET
    customerIdentifiers: list[Key] | UnsetType | None = UNSET
    marketIdentifiers: list[Key] | UnsetType | None = UNSET


class PriceListFields(Input, kw_only=True):
    """`pricelist/update`: all but the identifier optional."""

    identifier: Key
    name: RequiredName | UnsetType = UNSET
    modifierType: ModifierType | UnsetType = UNSET
    priceVariants: Annotated[list[PriceVariantModifier], msgspec.Meta(min_length=1)] | UnsetType = (
        UNSET
    )
    selectedProductVariants: SelectedVariants | UnsetType = UNSET
    targetAudience: TargetAudience | UnsetType = UNSET
    startDate: DateTimeText | UnsetType | None = UNSET
    endDate: DateTimeText | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_datetime("startDate", self.startDate)
        check_datetime("endDate", self.endDate)


class PriceListInput(PriceListFields, kw_only=True):
    """`pricelist/create|upsert`: a whole price list."""

    name: RequiredName
    modifierType: ModifierType
    priceVariants: Annotated[list[PriceVariantModifier], msgspec.Meta(min_length=1)]
    selectedProductVariants: SelectedVariants
    targetAudience: TargetAudience


class PriceListCreate(PriceListInput, tag_field="intent", tag="pricelist/create", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class PriceListUpdate(PriceListFields, tag_field="intent", tag="pricelist/update", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class PriceListUpsert(PriceListInput, tag_field="intent", tag="pricelist/upsert", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class SelectedVariantsUpsert(
    Input, tag_field="intent", tag="pricelist/selectedProductVariants/upsert", kw_only=True
):
    identifier: Key
    variants: list[SelectedVariant]
    ref: Ref | UnsetType = ref_field()


class SelectedVariantsRemove(
    Input, tag_field="intent", tag="pricelist/selectedProductVariants/remove", kw_only=True
):
    identifier: Key
    skus: list[Key]
    ref: Ref | UnsetType = ref_field()


def _literal(value: Any) -> bool:
    return isinstance(value, str) and "{{" not in value


PRICELIST_INTENTS = (
    PriceListCreate,
    PriceListUpdate,
    PriceListUpsert,
    SelectedVariantsUpsert,
    SelectedVariantsRemove,
)


class PriceListSchema:
    name: str = "pricelist"
    operations: tuple[type[Any], ...] = PRICELIST_INTENTS
    key_fields: frozenset[str] = frozenset({"identifier"})

    def outputs(self, intent: str) -> frozenset[str]:
        return NAMED_OUTPUT

    def provides(self, op: Any) -> list[str]:
        return [f"pricelist:{op.identifier}"] if _literal(op.identifier) else []

    def needs(self, op: Any) -> list[str]:
        variants: Any = []
        groups: Any = []
        if isinstance(op, SelectedVariantsUpsert):
            variants = op.variants
        elif isinstance(op, PriceListFields):
            if isinstance(op.selectedProductVariants, SelectedVariants):
                variants = op.selectedProductVariants.variants or []
            if isinstance(op.targetAudience, TargetAudience):
                groups = op.targetAudience.customerGroupIdentifiers or []
        found = [f"sku:{v.sku}" for v in variants if _literal(v.sku)]
        return found + [f"customer-group:{g}" for g in groups if _literal(g)]
