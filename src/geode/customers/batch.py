"""`POST /api/v4.0/integrations/batch/customers`: create or update customers in bulk.

Each object is an upsert by `customerId` onto the customer record the
mass-operation engine writes, so nothing the object carries is dropped:

| object field  | customer record                                          |
| ------------- | -------------------------------------------------------- |
| `customerId`  | `identifier`                                             |
| `email`       | `email`                                                  |
| `name`        | `firstName` (first word) + `lastName` (the rest)         |
| `dateOfBirth` | `birthDate`                                              |
| `gender`      | `meta` key `gender`                                      |
| `joinDate`    | `meta` key `joinDate` (`2022-01-01`, or a UTC date-time) |
| `tags`        | `meta` key `tags`, a JSON array as text                  |
| `custom`      | `meta` key `custom`, a JSON object as text, exact        |

A field left out keeps its stored value; an explicit null clears it (for a
meta key: removes that key). `meta` is merged by key, so keys written by
mass operations or other integrations stay. A `customerId` repeated in one
request applies in order, each object on top of the one before.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Final

import sqlalchemy as sa
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)

from geode import limits
from geode.batches.fields import KeyText, NameText, check_json_text
from geode.batches.handler import ObjectResult, failed, narrow, succeeded
from geode.customers.schemas import CustomerFields
from geode.customers.service import CustomerBatch
from geode.db import bulk
from geode.jsontext import dumps, encode_for_file, loads
from geode.outcomes import OperationFailed, Outcome
from geode.schemas import KeyValuePair
from geode.timestamps import format_timestamp, parse_timestamp, utcnow
from geode.util import with_article

__all__ = [
    "CustomerBatchObject",
    "CustomerId",
    "CustomersHandler",
    "join_name",
    "merge_meta",
    "not_blank",
    "require_text",
    "split_name",
]

SEED_EXAMPLE: Final[dict[str, Any]] = {
    "customerId": "12345",
    "email": "john.doe@example.com",
    "name": "John Doe",
    "gender": "M",
    "dateOfBirth": "1990-01-01",
    "joinDate": "2022-01-01",
    "tags": ["vip", "newsletter_subscriber"],
    "custom": {"favorite_color": "blue", "loyalty_points": 1500},
}
EMAIL_PATTERN: Final = limits.EMAIL_PATTERN
# Meta keys this batch type owns, in the order new keys are appended.
META_KEYS: Final[tuple[str, ...]] = ("gender", "joinDate", "tags", "custom")
MESSAGES: Final[dict[Outcome, str]] = {
    "created": "Customer created successfully",
    "updated": "Customer updated successfully",
    "unchanged": "Customer unchanged",
}


# -- field types -------------------------------------------------------------------


def require_text(value: object) -> object:
    """Dates must be ISO-8601 text: a bare number such as 19900101 would otherwise
    be read as seconds since 1970 and store a wrong date without complaint."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise ValueError("write the date as ISO-8601 text, e.g. 2024-05-01 or 2024-05-01T12:30:00Z")
    return value


def not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _email(value: str) -> str:
    if not re.fullmatch(EMAIL_PATTERN, value):
        raise ValueError(f"{value!r} is not a valid email address; write it like name@example.com")
    return value


def _date_or_datetime(value: object) -> object:
    """`2022-01-01` stays a date; anything with a time is a date-time."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text) if len(text) == 10 else parse_timestamp(text)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a date; write 2022-01-01 or 2022-01-01T09:30:00Z"
            ) from None
    return require_text(value)


def _json_values(value: dict[str, Any]) -> dict[str, Any]:
    """Refuse what JSON text cannot hold exactly (NaN, Infinity, non-JSON objects)."""

    def check(item: Any, path: str) -> None:
        if isinstance(item, dict):
            for key, inner in item.items():
                if not isinstance(key, str):
                    raise ValueError(f"{path} has a key {key!r} that is not text")
                check(inner, f"{path}.{key}")
        elif isinstance(item, list):
            for index, inner in enumerate(item):
                check(inner, f"{path}[{index}]")
        elif isinstance(item, Decimal | float):
            if not (item.is_finite() if isinstance(item, Decimal) else math.isfinite(item)):
                raise ValueError(f"{path} is {item}, which is not a finite number")
        elif item is not None and not isinstance(item, str | int):
            raise ValueError(f"{path} holds {with_article(type(item).__name__)}, which is not JSON")

    for key, item in value.items():
        check(item, key)
    return value


CustomerId = Annotated[
    KeyText,
    Field(
        description=(
            f"Your unique id of the customer (1 to {limits.KEY_MAX_LENGTH} characters, no "
            "control or invisible formatting characters)."
        ),
        examples=["12345"],
    ),
    AfterValidator(not_blank),
]
Email = Annotated[
    NameText,
    AfterValidator(_email),
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "pattern": EMAIL_PATTERN,
            "maxLength": limits.NAME_MAX_LENGTH,
        }
    ),
]
IsoDate = Annotated[date, BeforeValidator(require_text)]
DateOrDateTime = Annotated[date | datetime, BeforeValidator(_date_or_datetime)]


class CustomerBatchObject(BaseModel):
    """One customer to create or update, keyed by `customerId`.

    Fields you leave out keep their stored value; `null` clears one. Unknown
    fields are refused, so a misspelt field name is reported, not ignored.
    """

    model_config = ConfigDict(
        extra="forbid",
        title="Customer",
        json_schema_extra={"examples": [SEED_EXAMPLE]},
    )

    customerId: CustomerId
    email: Email | None = Field(
        default=None,
        description="The customer's email address; null removes it.",
        examples=["john.doe@example.com"],
    )
    name: NameText | None = Field(
        default=None,
        description=(
            "Full name. The first word is stored as the first name, the rest as the last name "
            "(none for a single word); null or blank removes both."
        ),
        examples=["John Doe"],
    )
    gender: NameText | None = Field(
        default=None,
        description="Gender as your system records it, e.g. M or F; null removes it.",
        examples=["M"],
    )
    dateOfBirth: IsoDate | None = Field(
        default=None,
        description="Date of birth as YYYY-MM-DD; null removes it.",
        examples=["1990-01-01"],
    )
    joinDate: DateOrDateTime | None = Field(
        default=None,
        description=(
            "When the customer joined: a date (YYYY-MM-DD) or an ISO-8601 date-time "
            "(without an offset it is taken as UTC); null removes it."
        ),
        examples=["2022-01-01"],
    )
    tags: list[NameText] | None = Field(
        default=None,
        description="Tags; replace the stored list as a whole. null removes them.",
        examples=[["vip", "newsletter_subscriber"]],
    )
    custom: (
        Annotated[dict[str, Any], AfterValidator(_json_values), AfterValidator(check_json_text)]
        | None
    ) = Field(
        default=None,
        description=(
            "Your own attributes, any JSON object; stored exactly as sent and replaced as a "
            "whole. null removes it."
        ),
        examples=[{"favorite_color": "blue", "loyalty_points": 1500}],
    )


# -- mapping -----------------------------------------------------------------------


def split_name(name: str | None) -> tuple[str | None, str | None]:
    """`"John Ronald Tolkien"` -> `("John", "Ronald Tolkien")`; `"Cher"` -> `("Cher", None)`.

    Outer whitespace is dropped; the rest keeps its spacing as sent.
    """
    parts = (name or "").strip().split(maxsplit=1)
    if not parts:
        return None, None
    return parts[0], parts[1] if len(parts) == 2 else None


def join_name(first: str | None, last: str | None) -> str | None:
    """The name `split_name` took apart (spaces between words as one)."""
    name = " ".join(part for part in (first, last) if part)
    return name or None


def _meta_value(field: str, value: Any) -> str:
    if field == "joinDate":
        return value.isoformat() if not isinstance(value, datetime) else format_timestamp(value)
    if field == "tags":
        return dumps(value)
    if field == "custom":
        return encode_for_file(value).decode()  # money and other Decimals stay JSON numbers
    return str(value)


def merge_meta(
    stored: Sequence[KeyValuePair], updates: Mapping[str, str | None]
) -> list[KeyValuePair]:
    """`stored` with `updates` applied by key: a value replaces the key's entry in
    place (repeats of that key collapse into it), None removes the key, new keys
    go last; keys not in `updates` stay as they are."""
    merged: list[KeyValuePair] = []
    done: set[str] = set()
    for pair in stored:
        if pair.key not in updates:
            merged.append(pair)
        elif pair.key not in done:
            done.add(pair.key)
            value = updates[pair.key]
            if value is not None:
                merged.append(KeyValuePair(key=pair.key, value=value))
    for key, value in updates.items():
        if key not in done and value is not None:
            merged.append(KeyValuePair(key=key, value=value))
    return merged


def customer_fields(obj: CustomerBatchObject, stored_meta: str | None) -> CustomerFields:
    """The upsert input for one object: only the fields it carries."""
    present = obj.model_fields_set
    values: dict[str, Any] = {}
    if "email" in present:
        values["email"] = obj.email
    if "name" in present:
        values["firstName"], values["lastName"] = split_name(obj.name)
    if "dateOfBirth" in present:
        values["birthDate"] = None if obj.dateOfBirth is None else obj.dateOfBirth.isoformat()
    updates = {
        key: None if (value := getattr(obj, key)) is None else _meta_value(key, value)
        for key in META_KEYS
        if key in present
    }
    if updates:
        stored = loads(stored_meta, list[KeyValuePair]) if stored_meta else []
        merged = merge_meta(stored, updates)
        if merged != stored:
            values["meta"] = merged or None
    return CustomerFields(**values)


class CustomersHandler:
    """Customer Creation Batch Job: upserts customers by `customerId`, set-based."""

    schema: type[BaseModel] = CustomerBatchObject
    type: str = "customers"
    operation: str = "Customer Creation Batch Job"
    key_fields: tuple[str, ...] = ("customerId",)

    def apply(
        self, connection: sa.Connection, tenant_id: str, objects: Sequence[BaseModel]
    ) -> list[ObjectResult]:
        models = narrow(objects, CustomerBatchObject)
        batch = CustomerBatch(connection, tenant_id, utcnow())
        writer = batch.customers
        writer.prefetch(obj.customerId for obj in models)
        results: list[ObjectResult] = []
        for obj in models:
            keys: dict[str, Any] = {"customerId": obj.customerId}
            stored = writer.get(obj.customerId)
            try:
                fields = customer_fields(obj, None if stored is None else stored["meta"])
                applied = batch.upsert_customer(obj.customerId, fields)
            except OperationFailed as exc:
                results.append(failed(keys, exc.message))
                continue
            results.append(succeeded(keys, MESSAGES[applied.outcome]))
        bulk.execute(connection, batch.plan())
        return results
