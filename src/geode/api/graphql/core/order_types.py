"""Orders as the Core API takes and answers them.

The inputs are the file's own structs (`OrderRegister`, `OrderFields`) as
GraphQL input types, plus the API's `tenantId`: what `registerOrder` and
`updateOrder` accept is what `order/register` and `order/update` accept.

An order is answered from its stored document (`orders.documents`), so what
a file wrote and what the API wrote read the same. Amounts are Decimals
until they become the GraphQL Float of the answer (`_number`), as items'
prices are; a quantity is a whole number (`limits.QUANTITY`), hence an Int.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import msgspec
import strawberry
from msgspec import UNSET
from strawberry.scalars import JSON

from geode.api.graphql.core.customer_types import Address, address_type, key_values
from geode.api.graphql.core.item_types import KeyValue
from geode.api.graphql.struct_inputs import input_type
from geode.customers.schemas import CustomerInput
from geode.orders import schemas as order_schemas
from geode.orders.documents import order_document
from geode.orders.intent_inputs import OrderRegister
from geode.orders.schemas import CartItem
from geode.timestamps import stored_timestamp

# Named before the cart items that hold them: the catalogue's variants have
# structs of the same names, and a schema cannot hold two types of one name.
input_type(order_schemas.Subscription, "OrderItemSubscriptionInput")
input_type(order_schemas.MeteredVariable, "OrderItemMeteredVariableInput")

RegisterFieldsInput: Any = input_type(OrderRegister, "RegisterOrderFieldsInput")
OrderFieldsInput: Any = input_type(order_schemas.OrderFields, "OrderFieldsInput")


@strawberry.input(description="A whole order, as `order/register` of a file takes it.")
class RegisterOrderInput(RegisterFieldsInput):  # type: ignore[misc]
    tenantId: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The tenant's id; must be the path's tenant."
    )


@strawberry.input(
    description="The fields to replace, as `order/update` of a file takes them; a field left "
    "out keeps its value (`meta` is replaced as a whole)."
)
class UpdateOrderInput(OrderFieldsInput):  # type: ignore[misc]
    tenantId: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The tenant's id; must be the path's tenant."
    )


@strawberry.input
class OrderCustomerFilter:
    identifier: str


@strawberry.input(description="Which orders: all of the tenant's if left out.")
class OrderFilter:
    customer: OrderCustomerFilter | None = None


@strawberry.type
class PriceDiscount:
    percent: float


@strawberry.type
class PriceTax:
    name: str | None
    percent: float | None
    amount: float | None


@strawberry.type(description="Amounts in one currency; numbers are exact to 15 digits.")
class Price:
    gross: float | None
    net: float | None
    currency: str
    discounts: list[PriceDiscount] | None
    tax: PriceTax | None


@strawberry.type
class OrderItem:
    name: str
    sku: str | None
    productId: strawberry.ID | None
    imageUrl: str | None
    quantity: int
    price: Price | None
    subTotal: Price | None
    meta: list[KeyValue]
    group: str | None
    type: str | None


@strawberry.type(description="The customer as the order recorded it.")
class OrderCustomer:
    identifier: str
    type: str | None
    email: str | None
    firstName: str | None
    middleName: str | None
    lastName: str | None
    companyName: str | None
    phone: str | None
    taxNumber: str | None
    birthDate: str | None
    addresses: list[Address]


@strawberry.type(description="The stage of one pipeline the order is in.")
class OrderPipeline:
    pipelineId: str
    stageId: str


@strawberry.type
class Order:
    id: strawberry.ID
    reference: str | None = strawberry.field(
        description="The order's `resourceIdentifier`: your own key for it, if it has one."
    )
    createdAt: str
    updatedAt: str
    customer: OrderCustomer
    cart: list[OrderItem]
    total: Price | None
    meta: list[KeyValue]
    payment: JSON | None = strawberry.field(description="As `order/register` takes it.")
    paymentStatus: str | None
    type: str | None
    additionalInformation: str | None
    relatedOrderIds: list[strawberry.ID]
    stockLocationIdentifier: str | None
    pipelines: list[OrderPipeline]


@strawberry.type(description="A registered order.")
class OrderConfirmation:
    id: strawberry.ID
    createdAt: str


def _value(value: Any) -> Any:
    return None if value is UNSET else value


def _number(value: Decimal | Any) -> float | None:
    """The edge where an amount becomes a Float: the shortest float that reads back
    to it, exact for the 15 significant digits a price may have."""
    return float(value) if isinstance(value, Decimal) else None


def price_type(price: order_schemas.Price | Any) -> Price | None:
    if not isinstance(price, order_schemas.Price):
        return None
    discounts = price.discounts
    return Price(
        gross=_number(price.gross),
        net=_number(price.net),
        currency=price.currency,
        discounts=None
        if not isinstance(discounts, list)
        else [PriceDiscount(percent=float(d.percent)) for d in discounts],
        tax=_tax(price.tax),
    )


def _tax(tax: order_schemas.PriceTax | Any) -> PriceTax | None:
    if not isinstance(tax, order_schemas.PriceTax):
        return None
    return PriceTax(name=_value(tax.name), percent=_number(tax.percent), amount=_number(tax.amount))


def _item(item: CartItem) -> OrderItem:
    product_id = _value(item.productId)
    return OrderItem(
        name=item.name,
        sku=_value(item.sku),
        productId=None if product_id is None else strawberry.ID(product_id),
        imageUrl=_value(item.imageUrl),
        quantity=int(item.quantity),
        price=price_type(item.price),
        subTotal=price_type(item.subTotal),
        meta=key_values(item.meta),
        group=_value(item.group),
        type=_value(item.type),
    )


def _customer(customer: CustomerInput) -> OrderCustomer:
    names = ("type", "email", "firstName", "middleName", "lastName", "companyName", "phone",
             "taxNumber", "birthDate")  # fmt: skip
    addresses = customer.addresses if isinstance(customer.addresses, list) else []
    return OrderCustomer(
        identifier=customer.identifier,
        addresses=[address_type(address) for address in addresses],
        **{name: _value(getattr(customer, name)) for name in names},
    )


def order_type(row: Mapping[Any, Any]) -> Order:
    """A stored order row as the API answers it."""
    created = stored_timestamp(row["created_at"])
    document = order_document(row, created)
    payment = document.payment
    return Order(
        id=strawberry.ID(row["id"]),
        reference=row["resource_identifier"],
        createdAt=created,
        updatedAt=stored_timestamp(row["updated_at"]),
        customer=_customer(document.customer),
        cart=[_item(item) for item in document.cart],
        total=price_type(document.total),
        meta=key_values(document.meta),
        payment=msgspec.to_builtins(payment) if isinstance(payment, list) else None,
        paymentStatus=_value(document.paymentStatus),
        type=_value(document.type),
        additionalInformation=_value(document.additionalInformation),
        relatedOrderIds=[
            strawberry.ID(i) for i in document.relatedOrderIds or () if isinstance(i, str)
        ],
        stockLocationIdentifier=_value(document.stockLocationIdentifier),
        pipelines=[
            OrderPipeline(pipelineId=p.pipelineId, stageId=p.stageId)
            for p in (document.pipelines if isinstance(document.pipelines, list) else [])
        ],
    )
