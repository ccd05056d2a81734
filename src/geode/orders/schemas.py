"""Order inputs, field for field as in @crystallize/schema (pim/orders, pim/payment)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from geode.customers.schemas import CustomerInput, check_datetime
from geode.schemas import UNSET, DateTimeText, IdText, Input, KeyValuePair, NonEmpty, UnsetType

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


def check_non_negative(field: str, value: Decimal) -> None:
    if not value.is_finite():
        raise ValueError(f"`{field}` is {value}, which is not finite; write a number, zero or more")
    if value < 0:
        raise ValueError(f"`{field}` is {value}; it must be zero or more")


class PriceTax(Input):
    name: str | UnsetType | None = UNSET
    percent: Decimal | UnsetType | None = UNSET
    amount: Decimal | UnsetType | None = UNSET


class Discount(Input):
    percent: Decimal


class TaxBreakdown(Input):
    gross: Decimal | UnsetType | None = UNSET
    net: Decimal | UnsetType | None = UNSET
    tax: PriceTax | UnsetType | None = UNSET


class Price(Input):
    currency: NonEmpty
    gross: Decimal | UnsetType | None = UNSET
    net: Decimal | UnsetType | None = UNSET
    discounts: list[Discount] | UnsetType | None = UNSET
    tax: PriceTax | UnsetType | None = UNSET
    taxBreakdown: list[TaxBreakdown] | UnsetType | None = UNSET


class MeteredVariable(Input):
    id: str
    usage: Decimal
    price: Decimal


class Subscription(Input):
    period: Decimal
    unit: SubscriptionUnit
    name: str | UnsetType | None = UNSET
    start: DateTimeText | UnsetType | None = UNSET
    end: DateTimeText | UnsetType | None = UNSET
    meteredVariables: list[MeteredVariable] | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_non_negative("period", self.period)


class CartItem(Input):
    name: str
    quantity: Decimal
    sku: str | UnsetType | None = UNSET
    productId: IdText | UnsetType | None = UNSET
    imageUrl: str | UnsetType | None = UNSET
    subscription: Subscription | UnsetType | None = UNSET
    subscriptionContractId: IdText | UnsetType | None = UNSET
    price: Price | UnsetType | None = UNSET
    subTotal: Price | UnsetType | None = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET
    group: str | UnsetType | None = UNSET
    type: OrderItemType | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_non_negative("quantity", self.quantity)


class KlarnaPayment(Input):
    id: str | UnsetType | None = UNSET
    merchantReference1: str | UnsetType | None = UNSET
    merchantReference2: str | UnsetType | None = UNSET
    metadata: str | UnsetType | None = UNSET
    orderId: str | UnsetType | None = UNSET
    recurringToken: str | UnsetType | None = UNSET
    status: str | UnsetType | None = UNSET


class PaypalPayment(Input):
    id: str | UnsetType | None = UNSET
    invoiceId: str | UnsetType | None = UNSET
    metadata: str | UnsetType | None = UNSET
    orderId: str | UnsetType | None = UNSET
    subscriptionId: str | UnsetType | None = UNSET


class StripePayment(Input):
    stripe: str | UnsetType | None = UNSET
    customerId: str | UnsetType | None = UNSET
    orderId: str | UnsetType | None = UNSET
    paymentMethod: str | UnsetType | None = UNSET
    paymentMethodId: str | UnsetType | None = UNSET
    paymentIntentId: str | UnsetType | None = UNSET
    subscriptionId: str | UnsetType | None = UNSET
    metadata: str | UnsetType | None = UNSET


class CashPayment(Input):
    cash: str | UnsetType | None = UNSET


class CustomPaymentProperty(Input):
    property: str
    value: str | UnsetType | None = UNSET


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
    value: Decimal


class AppliedPromotion(Input):
    identifier: str
    name: str
    mechanism: PromotionMechanism
    meta: list[KeyValuePair] | UnsetType | None = UNSET


class PipelineAssociation(Input):
    pipelineId: str
    stageId: str


class OrderFields(Input):
    """Everything an order carries besides its keys; all optional for updates."""

    customer: CustomerInput | UnsetType = UNSET
    cart: list[CartItem] | UnsetType = UNSET
    additionalInformation: str | UnsetType | None = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET
    payment: list[Payment] | UnsetType | None = UNSET
    total: Price | UnsetType | None = UNSET
    appliedPromotions: list[AppliedPromotion] | UnsetType | None = UNSET
    paymentStatus: PaymentStatus | UnsetType | None = UNSET
    relatedOrderIds: list[IdText] | UnsetType | None = UNSET
    type: OrderType | UnsetType | None = UNSET
    stockLocationIdentifier: str | UnsetType | None = UNSET


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
    resourceIdentifier: str | UnsetType | None = UNSET
    pipelines: list[PipelineAssociation] | UnsetType | None = UNSET
