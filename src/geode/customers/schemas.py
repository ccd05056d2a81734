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
    city: str | None | UnsetType = UNSET
    country: str | None | UnsetType = UNSET
    email: Email | None | UnsetType = UNSET
    firstName: str | None | UnsetType = UNSET
    lastName: str | None | UnsetType = UNSET
    middleName: str | None | UnsetType = UNSET
    phone: str | None | UnsetType = UNSET
    postalCode: str | None | UnsetType = UNSET
    state: str | None | UnsetType = UNSET
    street: str | None | UnsetType = UNSET
    street2: str | None | UnsetType = UNSET
    streetNumber: str | None | UnsetType = UNSET
    meta: list[KeyValuePair] | None | UnsetType = UNSET


class CustomerParentInput(Input):
    identifier: NonEmpty
    type: CustomerParentType


class CustomerFields(Input):
    email: Email | None | UnsetType = UNSET
    firstName: str | None | UnsetType = UNSET
    lastName: str | None | UnsetType = UNSET
    middleName: str | None | UnsetType = UNSET
    companyName: str | None | UnsetType = UNSET
    phone: str | None | UnsetType = UNSET
    taxNumber: str | None | UnsetType = UNSET
    birthDate: DateTimeText | None | UnsetType = UNSET
    type: CustomerType | None | UnsetType = UNSET
    externalReferences: list[KeyValuePair] | None | UnsetType = UNSET
    meta: list[KeyValuePair] | None | UnsetType = UNSET
    addresses: list[AddressInput] | None | UnsetType = UNSET
    parents: list[CustomerParentInput] | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        check_datetime("birthDate", self.birthDate)


class CustomerInput(CustomerFields, kw_only=True):
    """Create or upsert: the identifier is the natural key within a tenant."""

    identifier: NonEmpty


class CustomerGroupFields(Input):
    name: str | None | UnsetType = UNSET
    parents: list[CustomerParentInput] | None | UnsetType = UNSET


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
