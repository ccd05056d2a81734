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
    KeyValuePair,
    NonEmpty,
    UnsetType,
)
from geode.timestamps import parse_timestamp

CustomerType = Literal["individual", "organization"]
AddressType = Literal["billing", "delivery", "other"]
CustomerParentType = Literal["customer", "customerGroup"]


class AddressInput(Input):
    type: AddressType
    city: str | UnsetType | None = UNSET
    country: str | UnsetType | None = UNSET
    email: Email | UnsetType | None = UNSET
    firstName: str | UnsetType | None = UNSET
    lastName: str | UnsetType | None = UNSET
    middleName: str | UnsetType | None = UNSET
    phone: str | UnsetType | None = UNSET
    postalCode: str | UnsetType | None = UNSET
    state: str | UnsetType | None = UNSET
    street: str | UnsetType | None = UNSET
    street2: str | UnsetType | None = UNSET
    streetNumber: str | UnsetType | None = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET


class CustomerParentInput(Input):
    identifier: NonEmpty
    type: CustomerParentType


class CustomerFields(Input):
    email: Email | UnsetType | None = UNSET
    firstName: str | UnsetType | None = UNSET
    lastName: str | UnsetType | None = UNSET
    middleName: str | UnsetType | None = UNSET
    companyName: str | UnsetType | None = UNSET
    phone: str | UnsetType | None = UNSET
    taxNumber: str | UnsetType | None = UNSET
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

    identifier: NonEmpty


class CustomerGroupFields(Input):
    name: str | UnsetType | None = UNSET
    parents: list[CustomerParentInput] | UnsetType | None = UNSET


class CustomerGroupInput(CustomerGroupFields, kw_only=True):
    identifier: NonEmpty


def check_datetime(field: str, value: object) -> None:
    """Raised errors become msgspec ValidationErrors carrying the JSON path."""
    if isinstance(value, str) and not value.startswith("{{"):
        try:
            parse_timestamp(value)
        except ValueError:
            raise ValueError(
                f"`{field}` is {value!r}, not a date; use ISO-8601 such as 2024-05-01T12:30:00Z"
            ) from None
