"""Customer events on SQLite and PostgreSQL: stored one row per event, exactly, and listed."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from geode.app import App
from geode.customers.models import Customer
from geode.errors import InvalidInputError
from geode.events.batch import EventsHandler
from geode.events.schemas import CustomerEvents
from geode.events.service import list_events
from geode.ids import new_id
from geode.tenants.service import TenantInfo, create_tenant
from geode.timestamps import utcnow

HANDLER = EventsHandler()


def add_customers(app: App, tenant: TenantInfo, *identifiers: str) -> None:
    now = utcnow()
    with app.engine.begin() as connection:
        connection.execute(
            sa.insert(Customer.__table__),  # type: ignore[arg-type]
            [
                {
                    "tenant_id": tenant.id,
                    "id": new_id(),
                    "identifier": i,
                    "type": "individual",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in identifiers
            ],
        )


def apply(app: App, tenant: TenantInfo, body: str) -> list[tuple[bool, dict[str, Any]]]:
    """Like the runner: JSON floats as Decimal, each object validated, one slice applied."""
    objects = json.loads(body, parse_float=Decimal)
    models = [CustomerEvents.model_validate(obj) for obj in objects]
    with app.engine.begin() as connection:
        return [(r.ok, r.item) for r in HANDLER.apply(connection, tenant.id, models)]


def stored(app: App, tenant: TenantInfo) -> list[tuple[str, str, str | None]]:
    with app.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "select customer_identifier, event_name, metadata from customer_events "
                "where tenant_id = :t order by id"
            ),
            {"t": tenant.id},
        )
        return [(row[0], row[1], row[2]) for row in rows]


def test_handler_declares_its_batch_type() -> None:
    assert (HANDLER.type, HANDLER.operation, HANDLER.key_fields, HANDLER.schema) == (
        "events",
        "Events Batch Job",
        ("customerId",),
        CustomerEvents,
    )


def test_each_event_is_one_row_with_its_metadata_exactly(app: App, tenant: TenantInfo) -> None:
    add_customers(app, tenant, "c1", "c2")
    results = apply(
        app,
        tenant,
        """[
            {"customerId": "c1", "events": {
                "purchase": {"price": 12.50, "tags": ["a", "b"], "big": 1E+5, "n": 3, "nested": {"x": null}},
                "newsletter_signup": null}},
            {"customerId": "ghost", "events": {"login": {}}},
            {"customerId": "c2", "events": {"login": {}}}
        ]""",
    )
    assert results == [
        (True, {"customerId": "c1", "message": "2 events recorded"}),
        (
            False,
            {
                "customerId": "ghost",
                "error": "no customer with customerId 'ghost'; create it with the customers batch type first",
            },
        ),
        (True, {"customerId": "c2", "message": "1 event recorded"}),
    ]
    assert stored(app, tenant) == [
        ("c1", "purchase", '{"price":12.50,"tags":["a","b"],"big":1E+5,"n":3,"nested":{"x":null}}'),
        ("c1", "newsletter_signup", None),
        ("c2", "login", "{}"),
    ]


def test_list_events_orders_filters_and_pages(app: App, tenant: TenantInfo) -> None:
    add_customers(app, tenant, "c1", "c2")
    apply(app, tenant, '[{"customerId": "c1", "events": {"view": {"price": 9.90}, "cart": null}}]')
    apply(
        app,
        tenant,
        '[{"customerId": "c1", "events": {"view": {"price": 1}}}, {"customerId": "c2", "events": {"view": null}}]',
    )
    with app.engine.connect() as connection:
        events = list_events(connection, tenant.id, "c1")
        assert [(e["eventName"], e["metadata"]) for e in events] == [
            ("view", {"price": Decimal("9.90")}),
            ("cart", None),
            ("view", {"price": 1}),
        ]
        assert str(events[0]["metadata"]["price"]) == "9.90"
        assert set(events[0]) == {"id", "customerId", "eventName", "metadata", "createdAt"}
        assert events[0]["customerId"] == "c1" and events[0]["createdAt"].endswith("Z")
        assert [e["id"] for e in events] == sorted(e["id"] for e in events)
        views = list_events(connection, tenant.id, "c1", event_name="view")
        assert [e["id"] for e in views] == [events[0]["id"], events[2]["id"]]
        page = list_events(connection, tenant.id, "c1", after_id=events[0]["id"], limit=1)
        assert page == [events[1]]
        assert list_events(connection, tenant.id, "ghost") == []
        with pytest.raises(InvalidInputError):
            list_events(connection, tenant.id, "c1", limit=1001)


def test_events_belong_to_their_tenant(app: App, tenant: TenantInfo) -> None:
    add_customers(app, tenant, "c1")
    with app.engine.begin() as connection:
        other = create_tenant(connection, f"{tenant.identifier}-b")
    ((ok, _),) = apply(app, other, '[{"customerId": "c1", "events": {"login": null}}]')
    assert not ok
    apply(app, tenant, '[{"customerId": "c1", "events": {"login": null}}]')
    with app.engine.connect() as connection:
        assert len(list_events(connection, tenant.id, "c1")) == 1
        assert list_events(connection, other.id, "c1") == []


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"customerId": "c1", "events": {}}, "at least 1 item"),
        ({"customerId": "c1"}, "events"),
        ({"customerId": "c1", "events": {"": None}}, "at least 1 character"),
        ({"customerId": "c1", "events": {"login": [1, 2]}}, "valid dictionary"),
        ({"customerId": "c1", "events": {"login": None}, "extra": 1}, "Extra inputs"),
    ],
)
def test_schema_refuses_invalid_objects(obj: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CustomerEvents.model_validate(obj)


def test_schema_example_is_a_valid_object() -> None:
    documented = CustomerEvents.model_json_schema()
    assert documented["additionalProperties"] is False
    for example in documented["examples"]:
        CustomerEvents.model_validate(example)
