"""Subscription contract inputs, field for field as @crystallize/schema 6.14
(pim/subscription-contracts/subscription-contract-input.ts,
mass-operation/subscription-contract.ts)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from geode import limits
from geode.catalogue.components.fields import check_datetime
from geode.customers.schemas import AddressInput
from geode.massops.intents import Ref, ref_field
from geode.orders.schemas import Payment
from geode.schemas import (
    UNSET,
    Currency,
    DateTimeText,
    IdText,
    Input,
    Key,
    KeyValuePair,
    Money,
    Name,
    Text,
    UnsetType,
    check_numbers,
)

TierType = Literal["graduated", "volume"]
PeriodUnit = Literal["day", "week", "month", "year"]
Period = Annotated[int, msgspec.Meta(ge=-limits.QUANTITY_MAX, le=limits.QUANTITY_MAX)]


class Tier(Input):
    currency: Currency
    price: Money
    threshold: Money

    def __post_init__(self) -> None:
        check_numbers(self, (("price", limits.MONEY), ("threshold", limits.MONEY)))


class MeteredVariable(Input):
    identifier: Key
    tierType: TierType
    tiers: list[Tier]


class ContractItem(Input):
    sku: Key
    quantity: Money | UnsetType | None = UNSET
    name: Name | UnsetType | None = UNSET
    imageUrl: Text | UnsetType | None = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_numbers(self, (("quantity", limits.MONEY),))


class Phase(Input):
    currency: Currency
    price: Money
    period: Period | UnsetType = UNSET
    unit: PeriodUnit | UnsetType = UNSET
    meteredVariables: list[MeteredVariable] | UnsetType | None = UNSET
    productVariants: list[ContractItem] | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_numbers(self, (("price", limits.MONEY),))


class Status(Input):
    activateAt: DateTimeText | UnsetType | None = UNSET
    activeUntil: DateTimeText | UnsetType | None = UNSET
    renewAt: DateTimeText | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        for name in ("activateAt", "activeUntil", "renewAt"):
            check_datetime(name, getattr(self, name))


class Plan(Input):
    identifier: Key
    periodId: IdText
    periodName: Name


class ContractFields(Input, kw_only=True):
    """`subscription-contract/update`: everything optional, no customer."""

    id: IdText | UnsetType = UNSET
    resourceIdentifier: Key | UnsetType = UNSET
    addresses: list[AddressInput] | UnsetType = UNSET
    payment: Payment | UnsetType = UNSET
    subscriptionPlan: Plan | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    item: ContractItem | UnsetType = UNSET
    signedAt: DateTimeText | UnsetType | None = UNSET
    initial: Phase | UnsetType | None = UNSET
    recurring: Phase | UnsetType = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_datetime("signedAt", self.signedAt)


class ContractInput(ContractFields, kw_only=True):
    """`subscription-contract/create|upsert`: a whole contract, with its customer."""

    customerIdentifier: Key
    subscriptionPlan: Plan
    status: Status
    item: ContractItem
    recurring: Phase


class ContractCreate(
    ContractInput, tag_field="intent", tag="subscription-contract/create", kw_only=True
):
    ref: Ref | UnsetType = ref_field()

    def __post_init__(self) -> None:
        if self.id is not UNSET:
            raise ValueError("`id`: subscription-contract/create takes no id; use upsert")
        super().__post_init__()


class ContractUpdate(
    ContractFields, tag_field="intent", tag="subscription-contract/update", kw_only=True
):
    ref: Ref | UnsetType = ref_field()

    def __post_init__(self) -> None:
        if self.id is UNSET and self.resourceIdentifier is UNSET:
            raise ValueError("give `id` or `resourceIdentifier` to name the contract to update")
        super().__post_init__()


class ContractUpsert(
    ContractInput, tag_field="intent", tag="subscription-contract/upsert", kw_only=True
):
    ref: Ref | UnsetType = ref_field()


def _literal(value: Any) -> bool:
    return isinstance(value, str) and "{{" not in value


CONTRACT_INTENTS = (ContractCreate, ContractUpdate, ContractUpsert)
CONTRACT_OUTPUT = frozenset({"id"})


class ContractSchema:
    name: str = "subscription-contract"
    operations: tuple[type[Any], ...] = CONTRACT_INTENTS
    key_fields: frozenset[str] = frozenset({"id", "resourceIdentifier"})

    def outputs(self, intent: str) -> frozenset[str]:
        return CONTRACT_OUTPUT

    def provides(self, op: Any) -> list[str]:
        return []

    def needs(self, op: Any) -> list[str]:
        item = op.item
        return [f"sku:{item.sku}"] if item is not UNSET and _literal(item.sku) else []
