"""Customer inputs, field for field as in @crystallize/schema (pim/customers, pim/addresses).

Fields left out of an input are UNSET and keep their stored value; an explicit
null clears it.
"""

from __future__ import annotations

from typing import Literal

from geode.schemas import (
    UNSET,
    DateTimeText,
    Email,
    Input,
    Key,
    KeyValuePair,
    Name,
    UnsetType,
)
from geode.timestamps import parse_timestamp

CustomerType = Literal["individual", "organization"]
AddressType = Literal["billing", "delivery", "other"]
CustomerParentType = Literal["customer", "customerGroup"]


class AddressInput(Input):
    type: AddressType
    city: Name | UnsetType | None = UNSET
    country: Name | UnsetType | None = UNSET
    email: Email | UnsetType | None = UNSET
    firstName: Name | UnsetType | None = UNSET
    lastName: Name | UnsetType | None = UNSET
    middleName: Name | UnsetType | None = UNSET
    phone: Name | UnsetType | None = UNSET
    postalCode: Name | UnsetType | None = UNSET
    state: Name | UnsetType | None = UNSET
    street: Name | UnsetType | None = UNSET
    street2: Name | UnsetType | None = UNSET
    streetNumber: Name | UnsetType | None = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET


class CustomerParentInput(Input):
    identifier: Key
    type: CustomerParentType


class CustomerFields(Input):
    email: Email | UnsetType | None = UNSET
    firstName: Name | UnsetType | None = UNSET
    lastName: Name | UnsetType | None = UNSET
    middleName: Name | UnsetType | None = UNSET
    companyName: Name | UnsetType | None = UNSET
    phone: Name | UnsetType | None = UNSET
    taxNumber: Name | UnsetType | None = UNSET
    birthDate: DateTimeText | UnsetType | None = UNSET
    type: CustomerType | UnsetType | None = UNSET
    externalReferences: list[KeyValuePair] | UnsetType | None = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET
    addresses: list[AddressInput] | UnsetType | None = UNSET
    parents: list[CustomerParentInput] | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_datetime("birthDate", self.birthDate)


class CustomerInput(CustomerFields, kw_only=True):
    """Create or upsert: the identifier is the natural key within a tenant."""

    identifier: Key


class CustomerGroupFields(Input):
    name: Name | UnsetType | None = UNSET
    parents: list[CustomerParentInput] | UnsetType | None = UNSET


class CustomerGroupInput(CustomerGroupFields, kw_only=True):
    identifier: Key


def check_datetime(field: str, value: object) -> None:
    """Raised errors become msgspec ValidationErrors carrying the JSON path."""
    if isinstance(value, str) and not value.startswith("{{"):
        try:
            parse_timestamp(value)
        except ValueError:
            raise ValueError(
                f"`{field}` is {value!r}, not a date; use ISO-8601 such as 2024-05-01T12:30:00Z"
            ) from None
