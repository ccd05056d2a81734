"""Order inputs, field for field as in @crystallize/schema (pim/orders, pim/payment)."""

from __future__ import annotations

from typing import Literal

from geode import limits
from geode.customers.schemas import CustomerInput, check_datetime
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
    Percent,
    Quantity,
    Text,
    UnsetType,
    check_numbers,
)

PaymentProvider = Literal["klarna", "stripe", "paypal", "cash", "custom"]
PaymentStatus = Literal["paid", "partiallyPaid", "partiallyRefunded", "refunded", "unpaid"]
OrderType = Literal[
    "backorder", "creditNote", "draft", "preOrder", "quote",
    "recurring", "replacement", "split", "standard", "test",
]  # fmt: skip
OrderItemType = Literal[
    "bonus", "digital", "fee", "promotion", "refund",
    "service", "shipping", "standard", "subscription", "tax",
]  # fmt: skip
SubscriptionUnit = Literal["minute", "hour", "day", "week", "month", "year"]
PromotionMechanismType = Literal["custom", "dynamicFixed", "fixed", "percentage", "xForY"]

# Which rule of `geode.limits` each number follows (docs/limits.md): amounts, rates,
# periods and promotion values are never negative; a discount is 0 to 100 percent,
# a tax rate may exceed 100 (some excise taxes do).
_TAX = (("percent", limits.MONEY), ("amount", limits.MONEY))
_AMOUNTS = (("gross", limits.MONEY), ("net", limits.MONEY))


class PriceTax(Input):
    name: Name | UnsetType | None = UNSET
    percent: Money | UnsetType | None = UNSET
    amount: Money | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_numbers(self, _TAX)


class Discount(Input):
    percent: Percent

    def __post_init__(self) -> None:
        check_numbers(self, (("percent", limits.PERCENT),))


class TaxBreakdown(Input):
    gross: Money | UnsetType | None = UNSET
    net: Money | UnsetType | None = UNSET
    tax: PriceTax | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_numbers(self, _AMOUNTS)


class Price(Input):
    currency: Currency
    gross: Money | UnsetType | None = UNSET
    net: Money | UnsetType | None = UNSET
    discounts: list[Discount] | UnsetType | None = UNSET
    tax: PriceTax | UnsetType | None = UNSET
    taxBreakdown: list[TaxBreakdown] | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_numbers(self, _AMOUNTS)


class MeteredVariable(Input):
    id: Key
    usage: Money
    price: Money

    def __post_init__(self) -> None:
        check_numbers(self, (("usage", limits.MONEY), ("price", limits.MONEY)))


class Subscription(Input):
    period: Money
    unit: SubscriptionUnit
    name: Name | UnsetType | None = UNSET
    start: DateTimeText | UnsetType | None = UNSET
    end: DateTimeText | UnsetType | None = UNSET
    meteredVariables: list[MeteredVariable] | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_numbers(self, (("period", limits.MONEY),))
        check_datetime("start", self.start)
        check_datetime("end", self.end)


class CartItem(Input):
    name: Name
    quantity: Quantity
    sku: Key | UnsetType | None = UNSET
    productId: IdText | UnsetType | None = UNSET
    imageUrl: Text | UnsetType | None = UNSET
    subscription: Subscription | UnsetType | None = UNSET
    subscriptionContractId: IdText | UnsetType | None = UNSET
    price: Price | UnsetType | None = UNSET
    subTotal: Price | UnsetType | None = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET
    group: Name | UnsetType | None = UNSET
    type: OrderItemType | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_numbers(self, (("quantity", limits.QUANTITY),))


class KlarnaPayment(Input):
    id: Name | UnsetType | None = UNSET
    merchantReference1: Name | UnsetType | None = UNSET
    merchantReference2: Name | UnsetType | None = UNSET
    metadata: Text | UnsetType | None = UNSET
    orderId: Name | UnsetType | None = UNSET
    recurringToken: Name | UnsetType | None = UNSET
    status: Name | UnsetType | None = UNSET


class PaypalPayment(Input):
    id: Name | UnsetType | None = UNSET
    invoiceId: Name | UnsetType | None = UNSET
    metadata: Text | UnsetType | None = UNSET
    orderId: Name | UnsetType | None = UNSET
    subscriptionId: Name | UnsetType | None = UNSET


class StripePayment(Input):
    stripe: Name | UnsetType | None = UNSET
    customerId: Name | UnsetType | None = UNSET
    orderId: Name | UnsetType | None = UNSET
    paymentMethod: Name | UnsetType | None = UNSET
    paymentMethodId: Name | UnsetType | None = UNSET
    paymentIntentId: Name | UnsetType | None = UNSET
    subscriptionId: Name | UnsetType | None = UNSET
    metadata: Text | UnsetType | None = UNSET


class CashPayment(Input):
    cash: Name | UnsetType | None = UNSET


class CustomPaymentProperty(Input):
    property: Key
    value: Text | UnsetType | None = UNSET


class CustomPayment(Input):
    properties: list[CustomPaymentProperty] | UnsetType = UNSET


class Payment(Input):
    provider: PaymentProvider
    klarna: KlarnaPayment | UnsetType | None = UNSET
    paypal: PaypalPayment | UnsetType | None = UNSET
    stripe: StripePayment | UnsetType | None = UNSET
    cash: CashPayment | UnsetType | None = UNSET
    custom: CustomPayment | UnsetType | None = UNSET


class PromotionMechanism(Input):
    type: PromotionMechanismType
    value: Money

    def __post_init__(self) -> None:
        check_numbers(self, (("value", limits.MONEY),))


class AppliedPromotion(Input):
    identifier: Key
    name: Name
    mechanism: PromotionMechanism
    meta: list[KeyValuePair] | UnsetType | None = UNSET


class PipelineAssociation(Input):
    pipelineId: Key
    stageId: Key


class OrderFields(Input):
    """Everything an order carries besides its keys; all optional for updates."""

    customer: CustomerInput | UnsetType = UNSET
    cart: list[CartItem] | UnsetType = UNSET
    additionalInformation: Text | UnsetType | None = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET
    payment: list[Payment] | UnsetType | None = UNSET
    total: Price | UnsetType | None = UNSET
    appliedPromotions: list[AppliedPromotion] | UnsetType | None = UNSET
    paymentStatus: PaymentStatus | UnsetType | None = UNSET
    relatedOrderIds: list[IdText] | UnsetType | None = UNSET
    type: OrderType | UnsetType | None = UNSET
    stockLocationIdentifier: Key | UnsetType | None = UNSET


class OrderInput(OrderFields, kw_only=True):
    """register and upsert: a whole order. `customer` and `cart` are required."""

    customer: CustomerInput
    cart: list[CartItem]
    createdAt: DateTimeText | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_datetime("createdAt", self.createdAt)


class OrderDocument(OrderInput, kw_only=True):
    """An order as stored and exported: an upsert input with its keys filled in."""

    id: IdText
    resourceIdentifier: Key | UnsetType | None = UNSET
    pipelines: list[PipelineAssociation] | UnsetType | None = UNSET
