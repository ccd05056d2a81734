"""The mass-operation file format: `{"version", "operations"}` with one tagged
struct per intent. Intent names and fields follow @crystallize/schema
(src/mass-operation/customer.ts and order.ts) exactly.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from geode import limits
from geode.customers.schemas import CustomerGroupInput, CustomerInput
from geode.orders.schemas import OrderFields, OrderInput, PipelineAssociation
from geode.schemas import UNSET, IdText, Key, UnsetType, finish_json_schema

VERSION_PATTERN = r"^\d+\.\d+\.\d+$"

Ref = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=limits.KEY_MAX_LENGTH,
        pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*(?!\n)$",
    ),
]


# msgspec structs cannot mix in fields from two bases, so each intent
# declares `_ref` itself.
def _ref_field() -> Any:
    return msgspec.field(default=UNSET, name="_ref")


class CustomerCreate(CustomerInput, tag_field="intent", tag="customer/create", kw_only=True):
    ref: Ref | UnsetType = _ref_field()


class CustomerUpdate(CustomerInput, tag_field="intent", tag="customer/update", kw_only=True):
    ref: Ref | UnsetType = _ref_field()


class CustomerUpsert(CustomerInput, tag_field="intent", tag="customer/upsert", kw_only=True):
    ref: Ref | UnsetType = _ref_field()


class CustomerGroupCreate(
    CustomerGroupInput, tag_field="intent", tag="customer/group/create", kw_only=True
):
    ref: Ref | UnsetType = _ref_field()


class CustomerGroupUpdate(
    CustomerGroupInput, tag_field="intent", tag="customer/group/update", kw_only=True
):
    ref: Ref | UnsetType = _ref_field()


class CustomerGroupUpsert(
    CustomerGroupInput, tag_field="intent", tag="customer/group/upsert", kw_only=True
):
    ref: Ref | UnsetType = _ref_field()


class OrderRegister(OrderInput, tag_field="intent", tag="order/register", kw_only=True):
    ref: Ref | UnsetType = _ref_field()
    resourceIdentifier: Key | UnsetType = UNSET
    pipelines: list[PipelineAssociation] | UnsetType | None = UNSET


class OrderUpdate(OrderFields, tag_field="intent", tag="order/update", kw_only=True):
    ref: Ref | UnsetType = _ref_field()
    id: IdText | UnsetType = UNSET
    resourceIdentifier: Key | UnsetType = UNSET

    def __post_init__(self) -> None:
        if self.id is UNSET and self.resourceIdentifier is UNSET:
            raise ValueError("order/update needs `id` or `resourceIdentifier` to find the order")


class OrderUpsert(OrderInput, tag_field="intent", tag="order/upsert", kw_only=True):
    ref: Ref | UnsetType = _ref_field()
    id: IdText | UnsetType = UNSET
    resourceIdentifier: Key | UnsetType = UNSET


CustomerOperation = CustomerCreate | CustomerUpdate | CustomerUpsert
CustomerGroupOperation = CustomerGroupCreate | CustomerGroupUpdate | CustomerGroupUpsert
OrderOperation = OrderRegister | OrderUpdate | OrderUpsert
Operation = CustomerOperation | CustomerGroupOperation | OrderOperation

OPERATION_TYPES: tuple[type[Any], ...] = (
    CustomerCreate,
    CustomerUpdate,
    CustomerUpsert,
    CustomerGroupCreate,
    CustomerGroupUpdate,
    CustomerGroupUpsert,
    OrderRegister,
    OrderUpdate,
    OrderUpsert,
)
INTENTS: dict[str, type[Any]] = {
    msgspec.inspect.type_info(t).tag: t  # type: ignore[attr-defined]
    for t in OPERATION_TYPES
}

# What `{{ ref.field }}` may read from each intent's output (dotted paths).
_CUSTOMER_OUTPUT = frozenset(
    {
        "id", "identifier", "type", "email", "firstName", "middleName", "lastName",
        "companyName", "phone", "taxNumber", "birthDate",
    }
)  # fmt: skip
_GROUP_OUTPUT = frozenset({"id", "identifier", "name"})
_ORDER_OUTPUT = frozenset(
    {
        "id", "resourceIdentifier", "createdAt", "customer.identifier", "total.gross",
        "total.net", "total.currency", "paymentStatus", "type",
    }
)  # fmt: skip
OUTPUT_FIELDS: dict[str, frozenset[str]] = {
    intent: (
        _CUSTOMER_OUTPUT
        if intent.startswith("customer/") and not intent.startswith("customer/group/")
        else _GROUP_OUTPUT
        if intent.startswith("customer/group/")
        else _ORDER_OUTPUT
    )
    for intent in INTENTS
}


class MassOperationFile(msgspec.Struct, forbid_unknown_fields=True):
    """The envelope, used for the JSON Schema; the reader streams `operations`."""

    version: Annotated[str, msgspec.Meta(pattern=VERSION_PATTERN)]
    operations: list[Operation]


def json_schema() -> dict[str, Any]:
    schema: dict[str, Any] = finish_json_schema(msgspec.json.schema(MassOperationFile))
    return schema
