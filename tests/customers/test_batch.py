"""The customers batch type: every field lands on the customer record, upsert semantics."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from geode.app import App
from geode.batches.handler import BatchHandler
from geode.customers.batch import (
    SEED_EXAMPLE,
    CustomerBatchObject,
    CustomersHandler,
    join_name,
    merge_meta,
    split_name,
)
from geode.customers.export import customer_operations
from geode.customers.intents import CustomerUpsert
from geode.customers.models import Customer
from geode.customers.schemas import CustomerFields
from geode.customers.service import CustomerBatch
from geode.db import bulk
from geode.schemas import KeyValuePair
from geode.tenants.service import TenantInfo, create_tenant

_customers: sa.Table = Customer.__table__  # type: ignore[assignment]
HANDLER = CustomersHandler()
PROPERTY = settings(max_examples=300, deadline=None)

# The seed example as a client sends it; decoded as the job runner decodes it.
SEED_JSON = """{"customerId": "12345", "email": "john.doe@example.com", "name": "John Doe",
 "gender": "M", "dateOfBirth": "1990-01-01", "joinDate": "2022-01-01",
 "tags": ["vip", "newsletter_subscriber"],
 "custom": {"favorite_color": "blue", "loyalty_points": 1500}}"""


def decode(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def run(app: App, tenant: TenantInfo, *objects: dict[str, Any]) -> list[dict[str, Any]]:
    """Validate like the runner, apply in one transaction, return the response items."""
    models = [CustomerBatchObject.model_validate(obj) for obj in objects]
    with app.engine.begin() as connection:
        results = HANDLER.apply(connection, tenant.id, models)
    assert len(results) == len(objects)
    assert all(r.ok for r in results), results
    return [r.item for r in results]


def row(app: App, tenant: TenantInfo, identifier: str) -> dict[str, Any]:
    with app.engine.connect() as connection:
        rows = (
            connection.execute(
                sa.select(_customers).where(
                    _customers.c.tenant_id == tenant.id, _customers.c.identifier == identifier
                )
            )
            .mappings()
            .all()
        )
    assert len(rows) == 1
    return dict(rows[0])


def meta(app: App, tenant: TenantInfo, identifier: str) -> list[tuple[str, Any]]:
    text = row(app, tenant, identifier)["meta"]
    return [] if text is None else [(p["key"], p.get("value")) for p in json.loads(text)]


def exported(app: App, tenant: TenantInfo) -> dict[str, CustomerUpsert]:
    with app.engine.connect() as connection:
        return {op.identifier: op for op in customer_operations(connection, tenant.id)}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def as_batch_object(op: CustomerUpsert) -> dict[str, Any]:
    """Read a batch object back from the mass-operation export, field by field."""
    pairs = {p.key: p.value for p in op.meta or []}
    obj: dict[str, Any] = {"customerId": op.identifier}
    if isinstance(op.email, str):
        obj["email"] = op.email
    name = join_name(_text(op.firstName), _text(op.lastName))
    if name is not None:
        obj["name"] = name
    if "gender" in pairs:
        obj["gender"] = pairs["gender"]
    if isinstance(op.birthDate, str):
        assert op.birthDate.endswith("T00:00:00.000000Z")
        obj["dateOfBirth"] = op.birthDate[:10]
    if "joinDate" in pairs:
        obj["joinDate"] = pairs["joinDate"]
    if "tags" in pairs:
        obj["tags"] = decode(str(pairs["tags"]))
    if "custom" in pairs:
        obj["custom"] = decode(str(pairs["custom"]))
    return obj


@pytest.fixture
def tenant_b(app: App) -> TenantInfo:
    with app.engine.begin() as connection:
        return create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")


def seed_by_massop(app: App, tenant: TenantInfo, identifier: str, **fields: Any) -> None:
    """A customer as the mass-operation engine writes it (customer/upsert)."""
    with app.engine.begin() as connection:
        batch = CustomerBatch(connection, tenant.id, "2024-01-01T00:00:00.000000Z")
        batch.upsert_customer(identifier, CustomerFields(**fields))
        bulk.execute(connection, batch.plan())


# -- the handler and its schema ----------------------------------------------------------


def test_handler_plugs_into_the_runner() -> None:
    handler: BatchHandler = HANDLER
    assert handler.type == "customers"
    assert handler.operation == "Customer Creation Batch Job"
    assert handler.key_fields == ("customerId",)
    assert handler.schema is CustomerBatchObject


def test_openapi_example_is_the_seed_example_and_fields_are_documented() -> None:
    schema = CustomerBatchObject.model_json_schema()
    assert schema["examples"] == [SEED_EXAMPLE] == [decode(SEED_JSON)]
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["customerId"]
    assert all(prop.get("description") for prop in schema["properties"].values())
    CustomerBatchObject.model_validate(SEED_EXAMPLE)


@pytest.mark.parametrize(
    ("obj", "field", "error_type"),
    [
        ({"customerId": "1", "emial": "a@b.cd"}, "emial", "extra_forbidden"),
        ({"email": "a@b.cd"}, "customerId", "missing"),
        ({"customerId": ""}, "customerId", "string_too_short"),
        ({"customerId": "   "}, "customerId", "value_error"),
        ({"customerId": "x" * 257}, "customerId", "string_too_long"),
        ({"customerId": 12345}, "customerId", "string_type"),
        ({"customerId": "1", "email": "not-an-email"}, "email", "value_error"),
        ({"customerId": "1", "email": "a@b.cd\n"}, "email", "value_error"),
        ({"customerId": "1", "email": "a b@c.de"}, "email", "value_error"),
        ({"customerId": "1", "dateOfBirth": 19900101}, "dateOfBirth", "value_error"),
        (
            {"customerId": "1", "dateOfBirth": "1990-02-30"},
            "dateOfBirth",
            "date_from_datetime_parsing",
        ),
        ({"customerId": "1", "joinDate": "yesterday"}, "joinDate", "value_error"),
        ({"customerId": "1", "tags": "vip"}, "tags", "list_type"),
        ({"customerId": "1", "custom": {"x": float("nan")}}, "custom", "value_error"),
        ({"customerId": "1", "custom": ["a"]}, "custom", "dict_type"),
    ],
)
def test_invalid_objects_name_the_field(obj: dict[str, Any], field: str, error_type: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CustomerBatchObject.model_validate(obj)
    errors = caught.value.errors()
    assert errors[0]["loc"][0] == field
    assert errors[0]["type"] == error_type


def test_messages_say_what_to_fix() -> None:
    with pytest.raises(ValidationError, match=r"ISO-8601 text, e\.g\. 2024-05-01"):
        CustomerBatchObject.model_validate({"customerId": "1", "dateOfBirth": 19900101})
    with pytest.raises(ValidationError, match="'a@b' is not a valid email address; write it like"):
        CustomerBatchObject.model_validate({"customerId": "1", "email": "a@b"})
    with pytest.raises(
        ValidationError,
        match=r"custom\n  Value error, x\.y\[1\] is nan, which is not a finite number",
    ):
        CustomerBatchObject.model_validate(
            {"customerId": "1", "custom": {"x": {"y": [1, float("nan")]}}}
        )


# -- create, update, unchanged --------------------------------------------------------------


def test_seed_example_lands_on_the_customer_record_with_nothing_dropped(
    app: App, tenant: TenantInfo
) -> None:
    items = run(app, tenant, decode(SEED_JSON))
    assert items == [{"customerId": "12345", "message": "Customer created successfully"}]

    stored = row(app, tenant, "12345")
    assert stored["email"] == "john.doe@example.com"
    assert (stored["first_name"], stored["middle_name"], stored["last_name"]) == (
        "John",
        None,
        "Doe",
    )
    assert stored["birth_date"] == "1990-01-01T00:00:00.000000Z"
    assert stored["type"] == "individual"
    assert meta(app, tenant, "12345") == [
        ("gender", "M"),
        ("joinDate", "2022-01-01"),
        ("tags", '["vip","newsletter_subscriber"]'),
        ("custom", '{"favorite_color":"blue","loyalty_points":1500}'),
    ]
    # The mass-operation export carries every field of the object.
    assert as_batch_object(exported(app, tenant)["12345"]) == decode(SEED_JSON)


def test_same_object_again_is_unchanged_and_writes_nothing(app: App, tenant: TenantInfo) -> None:
    run(app, tenant, decode(SEED_JSON))
    before = row(app, tenant, "12345")
    items = run(app, tenant, decode(SEED_JSON), {"customerId": "12345", "gender": "M"})
    assert [i["message"] for i in items] == ["Customer unchanged", "Customer unchanged"]
    assert row(app, tenant, "12345") == before


def test_absent_fields_keep_their_stored_value(app: App, tenant: TenantInfo) -> None:
    run(app, tenant, decode(SEED_JSON))
    items = run(app, tenant, {"customerId": "12345", "email": "john@new.example"})
    assert items == [{"customerId": "12345", "message": "Customer updated successfully"}]
    stored = row(app, tenant, "12345")
    assert stored["email"] == "john@new.example"
    assert (stored["first_name"], stored["last_name"]) == ("John", "Doe")
    assert stored["birth_date"] == "1990-01-01T00:00:00.000000Z"
    assert [key for key, _ in meta(app, tenant, "12345")] == [
        "gender",
        "joinDate",
        "tags",
        "custom",
    ]


def test_explicit_null_clears(app: App, tenant: TenantInfo) -> None:
    run(app, tenant, decode(SEED_JSON))
    items = run(
        app,
        tenant,
        {
            "customerId": "12345",
            "email": None,
            "name": None,
            "dateOfBirth": None,
            "gender": None,
            "tags": None,
        },
    )
    assert items[0]["message"] == "Customer updated successfully"
    stored = row(app, tenant, "12345")
    assert (stored["email"], stored["first_name"], stored["last_name"]) == (None, None, None)
    assert stored["birth_date"] is None
    assert meta(app, tenant, "12345") == [
        ("joinDate", "2022-01-01"),
        ("custom", '{"favorite_color":"blue","loyalty_points":1500}'),
    ]
    run(app, tenant, {"customerId": "12345", "joinDate": None, "custom": None})
    assert row(app, tenant, "12345")["meta"] is None


def test_new_customer_with_only_an_id_and_nulls(app: App, tenant: TenantInfo) -> None:
    items = run(app, tenant, {"customerId": "bare", "email": None, "tags": None})
    assert items[0]["message"] == "Customer created successfully"
    stored = row(app, tenant, "bare")
    assert (stored["email"], stored["first_name"], stored["meta"]) == (None, None, None)


# -- meta merge ---------------------------------------------------------------------------


def test_meta_is_merged_by_key_with_what_mass_operations_stored(
    app: App, tenant: TenantInfo
) -> None:
    seed_by_massop(
        app,
        tenant,
        "m1",
        firstName="Ann",
        phone="+49 30 123",
        meta=[
            KeyValuePair(key="source", value="shop"),
            KeyValuePair(key="gender", value="F"),
            KeyValuePair(key="segment", value="b2c"),
        ],
    )
    items = run(app, tenant, {"customerId": "m1", "gender": "X", "tags": ["vip"]})
    assert items[0]["message"] == "Customer updated successfully"
    assert meta(app, tenant, "m1") == [
        ("source", "shop"),
        ("gender", "X"),
        ("segment", "b2c"),
        ("tags", '["vip"]'),
    ]
    stored = row(app, tenant, "m1")
    assert (stored["first_name"], stored["phone"]) == ("Ann", "+49 30 123")

    # Sending the values already stored changes nothing, meta included.
    assert run(app, tenant, {"customerId": "m1", "tags": ["vip"]})[0]["message"] == (
        "Customer unchanged"
    )
    # Clearing a key removes only that key.
    run(app, tenant, {"customerId": "m1", "gender": None})
    assert meta(app, tenant, "m1") == [("source", "shop"), ("segment", "b2c"), ("tags", '["vip"]')]


def test_clearing_a_key_that_is_not_stored_is_unchanged(app: App, tenant: TenantInfo) -> None:
    seed_by_massop(app, tenant, "m2", meta=[])
    assert row(app, tenant, "m2")["meta"] == "[]"
    items = run(app, tenant, {"customerId": "m2", "gender": None, "custom": None})
    assert items[0]["message"] == "Customer unchanged"
    assert row(app, tenant, "m2")["meta"] == "[]"


def test_merge_meta_replaces_in_place_collapses_repeats_and_appends() -> None:
    stored = [
        KeyValuePair(key="a", value="1"),
        KeyValuePair(key="tags", value="[]"),
        KeyValuePair(key="b"),
        KeyValuePair(key="tags", value='["old"]'),
    ]
    merged = merge_meta(stored, {"tags": '["new"]', "gender": "F", "custom": None})
    assert merged == [
        KeyValuePair(key="a", value="1"),
        KeyValuePair(key="tags", value='["new"]'),
        KeyValuePair(key="b"),
        KeyValuePair(key="gender", value="F"),
    ]
    assert merge_meta(stored, {}) == stored
    assert merge_meta(stored, {"tags": None}) == [stored[0], stored[2]]


# -- names, dates, exact JSON ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("John Doe", "John", "Doe"),
        ("Cher", "Cher", None),
        ("  John Ronald Reuel Tolkien  ", "John", "Ronald Reuel Tolkien"),
        ("Maria\tde la Cruz", "Maria", "de la Cruz"),
        ("", None, None),
        ("   ", None, None),
    ],
)
def test_name_is_split_into_first_and_last(
    app: App, tenant: TenantInfo, name: str, first: str | None, last: str | None
) -> None:
    assert split_name(name) == (first, last)
    run(app, tenant, {"customerId": "n1", "name": "Old Name"})
    run(app, tenant, {"customerId": "n1", "name": name})
    stored = row(app, tenant, "n1")
    assert (stored["first_name"], stored["last_name"]) == (first, last)


WORD = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12
).filter(lambda word: not any(char.isspace() for char in word))


@PROPERTY
@given(st.lists(WORD, min_size=1, max_size=6))
def test_name_split_join_round_trip(words: list[str]) -> None:
    name = " ".join(words)
    first, last = split_name(name)
    assert first == words[0]
    assert last == (" ".join(words[1:]) or None)
    assert join_name(first, last) == name


@PROPERTY
@given(st.text(max_size=40))
def test_any_name_splits_into_a_first_word_and_the_rest(name: str) -> None:
    first, last = split_name(name)
    if not name.strip():
        assert (first, last) == (None, None)
        return
    assert first is not None
    assert not any(char.isspace() for char in first)
    assert name.strip().startswith(first)
    if last is not None:
        assert last == last.strip() != ""
        assert name.strip().endswith(last)
    assert split_name(join_name(first, last)) == (first, last)


def test_join_date_keeps_a_date_as_a_date_and_a_date_time_in_utc(
    app: App, tenant: TenantInfo
) -> None:
    run(app, tenant, {"customerId": "d1", "joinDate": "2022-03-04"})
    assert meta(app, tenant, "d1") == [("joinDate", "2022-03-04")]
    run(app, tenant, {"customerId": "d1", "joinDate": "2022-03-04T01:30:00+02:00"})
    assert meta(app, tenant, "d1") == [("joinDate", "2022-03-03T23:30:00.000000Z")]
    run(app, tenant, {"customerId": "d1", "joinDate": "2022-03-04T10:00:00"})
    assert meta(app, tenant, "d1") == [("joinDate", "2022-03-04T10:00:00.000000Z")]


def test_custom_is_stored_exactly_with_decimals_as_numbers(app: App, tenant: TenantInfo) -> None:
    text = (
        '{"customerId": "x1", "custom": {"price": 0.1, "total": 1.10, '
        '"big": 12345678901234567890.123456789, "nested": {"list": [1e-7, true, null, "s"]}, '
        '"unicode": "\\u00e9t\\u00e9"}}'
    )
    run(app, tenant, decode(text))
    stored = dict(meta(app, tenant, "x1"))["custom"]
    assert stored == (
        '{"price":0.1,"total":1.10,"big":12345678901234567890.123456789,'
        '"nested":{"list":[1E-7,true,null,"s"]},"unicode":"été"}'
    )
    assert decode(stored) == decode(text)["custom"]
    exported_custom = {p.key: p.value for p in exported(app, tenant)["x1"].meta or []}["custom"]
    assert exported_custom == stored


# -- several objects in one slice -----------------------------------------------------------


def test_a_repeated_customer_id_applies_in_order(app: App, tenant: TenantInfo) -> None:
    items = run(
        app,
        tenant,
        {"customerId": "r1", "name": "Ann Lee", "tags": ["a"], "gender": "F"},
        {"customerId": "r2", "email": "r2@example.com"},
        {"customerId": "r1", "email": "ann@example.com", "tags": ["a", "b"]},
        {"customerId": "r1", "gender": None},
        {"customerId": "r1", "email": "ann@example.com"},
    )
    assert items == [
        {"customerId": "r1", "message": "Customer created successfully"},
        {"customerId": "r2", "message": "Customer created successfully"},
        {"customerId": "r1", "message": "Customer updated successfully"},
        {"customerId": "r1", "message": "Customer updated successfully"},
        {"customerId": "r1", "message": "Customer unchanged"},
    ]
    stored = row(app, tenant, "r1")  # one row, asserted there
    assert (stored["first_name"], stored["last_name"], stored["email"]) == (
        "Ann",
        "Lee",
        "ann@example.com",
    )
    assert meta(app, tenant, "r1") == [("tags", '["a","b"]')]
    assert set(exported(app, tenant)) == {"r1", "r2"}


def test_customers_of_other_tenants_are_not_touched(
    app: App, tenant: TenantInfo, tenant_b: TenantInfo
) -> None:
    run(app, tenant_b, {"customerId": "same", "name": "Other Tenant"})
    items = run(app, tenant, {"customerId": "same", "name": "This Tenant"})
    assert items[0]["message"] == "Customer created successfully"
    assert row(app, tenant_b, "same")["last_name"] == "Tenant"
    assert row(app, tenant_b, "same")["first_name"] == "Other"
