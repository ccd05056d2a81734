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
    if not value.is_finite() or value < 0:
        raise ValueError(f"`{field}` is {value}; it must be zero or more")


class PriceTax(Input):
    name: str | None | UnsetType = UNSET
    percent: Decimal | None | UnsetType = UNSET
    amount: Decimal | None | UnsetType = UNSET


class Discount(Input):
    percent: Decimal


class TaxBreakdown(Input):
    gross: Decimal | None | UnsetType = UNSET
    net: Decimal | None | UnsetType = UNSET
    tax: PriceTax | None | UnsetType = UNSET


class Price(Input):
    currency: NonEmpty
    gross: Decimal | None | UnsetType = UNSET
    net: Decimal | None | UnsetType = UNSET
    discounts: list[Discount] | None | UnsetType = UNSET
    tax: PriceTax | None | UnsetType = UNSET
    taxBreakdown: list[TaxBreakdown] | None | UnsetType = UNSET


class MeteredVariable(Input):
    id: str
    usage: Decimal
    price: Decimal


class Subscription(Input):
    period: Decimal
    unit: SubscriptionUnit
    name: str | None | UnsetType = UNSET
    start: DateTimeText | None | UnsetType = UNSET
    end: DateTimeText | None | UnsetType = UNSET
    meteredVariables: list[MeteredVariable] | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        check_non_negative("period", self.period)


class CartItem(Input):
    name: str
    quantity: Decimal
    sku: str | None | UnsetType = UNSET
    productId: IdText | None | UnsetType = UNSET
    imageUrl: str | None | UnsetType = UNSET
    subscription: Subscription | None | UnsetType = UNSET
    subscriptionContractId: IdText | None | UnsetType = UNSET
    price: Price | None | UnsetType = UNSET
    subTotal: Price | None | UnsetType = UNSET
    meta: list[KeyValuePair] | None | UnsetType = UNSET
    group: str | None | UnsetType = UNSET
    type: OrderItemType | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        check_non_negative("quantity", self.quantity)


class KlarnaPayment(Input):
    id: str | None | UnsetType = UNSET
    merchantReference1: str | None | UnsetType = UNSET
    merchantReference2: str | None | UnsetType = UNSET
    metadata: str | None | UnsetType = UNSET
    orderId: str | None | UnsetType = UNSET
    recurringToken: str | None | UnsetType = UNSET
    status: str | None | UnsetType = UNSET


class PaypalPayment(Input):
    id: str | None | UnsetType = UNSET
    invoiceId: str | None | UnsetType = UNSET
    metadata: str | None | UnsetType = UNSET
    orderId: str | None | UnsetType = UNSET
    subscriptionId: str | None | UnsetType = UNSET


class StripePayment(Input):
    stripe: str | None | UnsetType = UNSET
    customerId: str | None | UnsetType = UNSET
    orderId: str | None | UnsetType = UNSET
    paymentMethod: str | None | UnsetType = UNSET
    paymentMethodId: str | None | UnsetType = UNSET
    paymentIntentId: str | None | UnsetType = UNSET
    subscriptionId: str | None | UnsetType = UNSET
    metadata: str | None | UnsetType = UNSET


class CashPayment(Input):
    cash: str | None | UnsetType = UNSET


class CustomPaymentProperty(Input):
    property: str
    value: str | None | UnsetType = UNSET


class CustomPayment(Input):
    properties: list[CustomPaymentProperty] | UnsetType = UNSET


class Payment(Input):
    provider: PaymentProvider
    klarna: KlarnaPayment | None | UnsetType = UNSET
    paypal: PaypalPayment | None | UnsetType = UNSET
    stripe: StripePayment | None | UnsetType = UNSET
    cash: CashPayment | None | UnsetType = UNSET
    custom: CustomPayment | None | UnsetType = UNSET


class PromotionMechanism(Input):
    type: PromotionMechanismType
    value: Decimal


class AppliedPromotion(Input):
    identifier: str
    name: str
    mechanism: PromotionMechanism
    meta: list[KeyValuePair] | None | UnsetType = UNSET


class PipelineAssociation(Input):
    pipelineId: str
    stageId: str


class OrderFields(Input):
    """Everything an order carries besides its keys; all optional for updates."""

    customer: CustomerInput | UnsetType = UNSET
    cart: list[CartItem] | UnsetType = UNSET
    additionalInformation: str | None | UnsetType = UNSET
    meta: list[KeyValuePair] | None | UnsetType = UNSET
    payment: list[Payment] | None | UnsetType = UNSET
    total: Price | None | UnsetType = UNSET
    appliedPromotions: list[AppliedPromotion] | None | UnsetType = UNSET
    paymentStatus: PaymentStatus | None | UnsetType = UNSET
    relatedOrderIds: list[IdText] | None | UnsetType = UNSET
    type: OrderType | None | UnsetType = UNSET
    stockLocationIdentifier: str | None | UnsetType = UNSET


class OrderInput(OrderFields, kw_only=True):
    """register and upsert: a whole order. `customer` and `cart` are required."""

    customer: CustomerInput
    cart: list[CartItem]
    createdAt: DateTimeText | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        check_datetime("createdAt", self.createdAt)


class OrderDocument(OrderInput, kw_only=True):
    """An order as stored and exported: an upsert input with its keys filled in."""

    id: IdText
    resourceIdentifier: str | None | UnsetType = UNSET
    pipelines: list[PipelineAssociation] | None | UnsetType = UNSET
