"""`subscription-contract/*` intents through the engine, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import sqlalchemy as sa

from geode.app import App
from geode.ids import new_id
from geode.massops.export import write_file
from geode.tenants.service import TenantInfo, create_tenant
from tests.catalogue.files import logs, run


def contract(intent: str = "subscription-contract/upsert", **fields: Any) -> dict[str, Any]:
    return {
        "intent": intent,
        "customerIdentifier": "ada",
        "subscriptionPlan": {"identifier": "box", "periodId": "a" * 24, "periodName": "Monthly"},
        "status": {"activateAt": "2024-05-01T00:00:00Z"},
        "item": {"sku": "box", "quantity": 1},
        "recurring": {"currency": "EUR", "price": "9.9", "period": 1, "unit": "month"},
        **fields,
    }


def rows(app: App, tenant_id: str) -> list[tuple[Any, ...]]:
    with app.engine.connect() as connection:
        return [
            tuple(r)
            for r in connection.execute(
                sa.text(
                    "SELECT id, resource_identifier, customer_identifier, status, document "
                    "FROM subscription_contracts WHERE tenant_id = :t ORDER BY id"
                ),
                {"t": tenant_id},
            )
        ]


def test_found_by_id_or_resource_identifier(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    given = new_id()
    ops = [
        {**contract("subscription-contract/create", resourceIdentifier="c-1"), "_ref": "c"},
        {"intent": "subscription-contract/update", "id": "{{ c.id }}",
         "item": {"sku": "box2"}, "initial": None},
        {"intent": "subscription-contract/update", "resourceIdentifier": "c-1",
         "meta": [{"key": "source", "value": "web"}]},
        contract(id=given),
        contract(resourceIdentifier="c-1"),
    ]  # fmt: skip
    first = run(app, tenant, ops_file(ops))
    assert first.status == "complete", logs(app, first.id)
    assert first.counts == {
        "subscription-contract/create": {"created": 1},
        "subscription-contract/update": {"updated": 2},
        "subscription-contract/upsert": {"created": 1, "updated": 1},
    }
    stored = {row[1] or row[0]: row for row in rows(app, tenant.id)}
    assert set(stored) == {"c-1", given}
    document = json.loads(stored["c-1"][4])
    assert document["item"] == {"sku": "box", "quantity": 1}  # the upsert replaced it
    assert document["meta"] == [{"key": "source", "value": "web"}]  # absent: kept
    assert document["recurring"]["price"] == 9.9
    assert json.loads(stored["c-1"][3]) == {"activateAt": "2024-05-01T00:00:00Z"}
    again = run(app, tenant, ops_file(ops[3:], name="again.json"))
    assert again.counts == {"subscription-contract/upsert": {"unchanged": 2}}


def test_create_of_an_existing_and_update_of_a_missing_contract_fail(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    ops = [
        contract(resourceIdentifier="c-1"),
        contract("subscription-contract/create", resourceIdentifier="c-1"),
        {"intent": "subscription-contract/update", "id": new_id(), "item": {"sku": "x"}},
    ]
    task = run(app, tenant, ops_file(ops))
    assert [e["error_code"] for e in logs(app, task.id)] == [None, "already_exists", "not_found"]
    assert len(rows(app, tenant.id)) == 1


def test_export_then_import_keeps_ids(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    ops = [
        contract(id=new_id(), signedAt="2024-05-01T00:00:00Z", addresses=[
            {"type": "billing", "city": "Oslo"}], payment={"provider": "cash", "cash": {}}),
        contract(resourceIdentifier="c-2", initial={"currency": "EUR", "price": 0}),
    ]  # fmt: skip
    assert run(app, tenant, ops_file(ops)).status == "complete"
    family = app.massops.intents.family_of["subscription-contract/upsert"]
    out = io.BytesIO()
    with app.engine.connect() as connection:
        write_file(out, family.export(connection, tenant.id))
    exported = [
        op
        for op in json.loads(out.getvalue())["operations"]
        if op["intent"].startswith("subscription")
    ]
    assert len(exported) == 2
    with app.engine.begin() as connection:
        fresh = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
    task = run(app, fresh, ops_file(exported, name="export.json"))
    assert task.status == "complete", logs(app, task.id)
    for a, b in zip(rows(app, fresh.id), rows(app, tenant.id), strict=True):
        assert a == b
    again = run(app, tenant, ops_file(exported, name="again.json"))
    assert again.counts == {"subscription-contract/upsert": {"unchanged": 2}}
