"""Customers and customer groups as the Core API takes and answers them.

The inputs are written out here, not derived from the file's structs, for two
reasons: Crystallize's client sends the customer's `type` as an enum
(`type: individual`), which a String field refuses; and seed 001's
`createIndividual` / `createOrganization` name fields their own way (`name`,
`taxId`). Every input still becomes a `customer/...` operation and is checked
by the file's structs (`customer_operation`), so the checks and messages are
the file's; nested parts (addresses, meta, parents) are those structs' input
types as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

import strawberry
from msgspec import UNSET

from geode.api.graphql.core.item_types import KeyValue
from geode.api.graphql.struct_inputs import input_type, plain
from geode.customers.schemas import AddressInput, CustomerParentInput
from geode.jsontext import loads
from geode.schemas import KeyValuePair
from geode.timestamps import stored_timestamp

AddressFieldsInput: Any = input_type(AddressInput)
KeyValuePairInput: Any = input_type(KeyValuePair)
CustomerParentFieldsInput: Any = input_type(CustomerParentInput)

ENVELOPE = frozenset({"tenantId"})
"""Input fields of the API that are not fields of the intent."""


@strawberry.enum(description="A person, or a company or other organisation.")
class CustomerType(Enum):
    individual = "individual"
    organization = "organization"


@strawberry.input(
    description="A customer's fields: one left out keeps its stored value, null clears it."
)
class UpdateCustomerInput:
    tenantId: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The tenant's id; must be the path's tenant."
    )
    type: CustomerType | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    firstName: str | None = strawberry.UNSET
    middleName: str | None = strawberry.UNSET
    lastName: str | None = strawberry.UNSET
    companyName: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    taxNumber: str | None = strawberry.UNSET
    birthDate: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO-8601, e.g. 1990-01-01."
    )
    addresses: list[AddressFieldsInput] | None = strawberry.UNSET
    meta: list[KeyValuePairInput] | None = strawberry.UNSET
    externalReferences: list[KeyValuePairInput] | None = strawberry.UNSET
    parents: list[CustomerParentFieldsInput] | None = strawberry.UNSET


@strawberry.input(description="A new customer; `identifier` is its key within the tenant.")
class CreateCustomerInput(UpdateCustomerInput):
    identifier: str


@strawberry.input(description="What an individual and an organisation both may have.")
class NewCustomerInput:
    tenantId: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The tenant's id; must be the path's tenant."
    )
    identifier: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The customer's key within the tenant; the email if left out.",
    )
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    taxId: str | None = strawberry.field(
        default=strawberry.UNSET, description="Stored as the customer's `taxNumber`."
    )
    addresses: list[AddressFieldsInput] | None = strawberry.UNSET
    meta: list[KeyValuePairInput] | None = strawberry.UNSET
    externalReferences: list[KeyValuePairInput] | None = strawberry.UNSET
    parents: list[CustomerParentFieldsInput] | None = strawberry.UNSET


@strawberry.input(description="A person.")
class CreateIndividualInput(NewCustomerInput):
    firstName: str | None = strawberry.UNSET
    middleName: str | None = strawberry.UNSET
    lastName: str | None = strawberry.UNSET
    birthDate: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO-8601, e.g. 1990-01-01."
    )


@strawberry.input(description="A company or other organisation.")
class CreateOrganizationInput(NewCustomerInput):
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Stored as the customer's `companyName`."
    )


@strawberry.input(description="A new customer group; `identifier` is its key within the tenant.")
class CreateCustomerGroupInput:
    tenantId: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The tenant's id; must be the path's tenant."
    )
    identifier: str
    name: str | None = strawberry.UNSET
    parents: list[CustomerParentFieldsInput] | None = strawberry.UNSET


RENAMED = {"taxId": "taxNumber", "name": "companyName"}
"""Seed 001's names for fields the file (and Crystallize's own API) names otherwise."""


def customer_operation(
    intent: str, value: Any, renamed: Mapping[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    """The fields of the file intent `intent` for an input object: GraphQL names as
    a file writes them (or as `renamed` says), the enum as its text, the API's
    envelope left out, `extra` laid over."""
    fields: dict[str, Any] = {"intent": intent}
    names = renamed or {}
    for key, item in plain(value).items():
        if key in ENVELOPE:
            continue
        fields[names.get(key, key)] = item.value if isinstance(item, Enum) else item
    fields.update(extra)
    return fields


@strawberry.type
class Address:
    type: str = strawberry.field(description="billing, delivery or other.")
    firstName: str | None
    middleName: str | None
    lastName: str | None
    street: str | None
    street2: str | None
    streetNumber: str | None
    postalCode: str | None
    city: str | None
    state: str | None
    country: str | None
    phone: str | None
    email: str | None
    meta: list[KeyValue]


@strawberry.type
class CustomerParent:
    identifier: str
    type: str = strawberry.field(description="customer or customerGroup.")


CUSTOMER_ID = (
    "The record's id, made by Geode: what `customer.update` and `customer.delete` take "
    "(the identifier is taken too)."
)


@strawberry.type(description="A person or organisation buying from the tenant.")
class Customer:
    id: strawberry.ID = strawberry.field(description=CUSTOMER_ID)
    identifier: str = strawberry.field(description="The customer's key within the tenant.")
    type: CustomerType
    email: str | None
    firstName: str | None
    middleName: str | None
    lastName: str | None
    companyName: str | None
    phone: str | None
    taxNumber: str | None
    birthDate: str | None
    addresses: list[Address]
    meta: list[KeyValue]
    externalReferences: list[KeyValue]
    parents: list[CustomerParent]
    createdAt: str
    updatedAt: str


@strawberry.type
class CustomerGroup:
    id: strawberry.ID
    identifier: str
    name: str | None


def _text(value: Any) -> Any:
    return None if value is UNSET else value


def key_values(pairs: list[KeyValuePair] | Any) -> list[KeyValue]:
    if not isinstance(pairs, list):
        return []
    return [KeyValue(key=pair.key, value=_text(pair.value)) for pair in pairs]


def address_type(address: AddressInput) -> Address:
    names = ("firstName", "middleName", "lastName", "street", "street2", "streetNumber",
             "postalCode", "city", "state", "country", "phone", "email")  # fmt: skip
    return Address(
        type=address.type,
        meta=key_values(address.meta),
        **{name: _text(getattr(address, name)) for name in names},
    )


def _document(text: str | None, type_: Any) -> Any:
    return loads(text, type_) if text else []


def customer_type(row: Mapping[Any, Any]) -> Customer:
    """A stored customer row as the API answers it."""
    addresses: list[AddressInput] = _document(row["addresses"], list[AddressInput])
    parents: list[CustomerParentInput] = _document(row["parents"], list[CustomerParentInput])
    return Customer(
        id=strawberry.ID(row["id"]),
        identifier=row["identifier"],
        type=CustomerType(row["type"]),
        email=row["email"],
        firstName=row["first_name"],
        middleName=row["middle_name"],
        lastName=row["last_name"],
        companyName=row["company_name"],
        phone=row["phone"],
        taxNumber=row["tax_number"],
        birthDate=row["birth_date"],
        addresses=[address_type(address) for address in addresses],
        meta=key_values(_document(row["meta"], list[KeyValuePair])),
        externalReferences=key_values(_document(row["external_references"], list[KeyValuePair])),
        parents=[CustomerParent(identifier=p.identifier, type=p.type) for p in parents],
        createdAt=stored_timestamp(row["created_at"]),
        updatedAt=stored_timestamp(row["updated_at"]),
    )
