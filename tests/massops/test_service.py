"""The engine as a user meets it, on SQLite and PostgreSQL: intents, references,
failures that stay local, idempotent re-runs, dry runs and cancellation."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from geode.app import App
from geode.errors import InvalidFileError
from geode.settings import Settings
from geode.tenants.service import TenantInfo
from tests.conftest import Store
from tests.massops.operations import customer, order

ORDER_ID = "a" * 24


@pytest.fixture
def db_url(store: Store) -> str:
    return store.url


@pytest.fixture
def settings(store: Store, tmp_path: Path) -> Settings:
    return Settings(
        database_url=store.url,
        data_dir=tmp_path / "data",
        batch_size=50,
        sqlite_writer_process_min_ops=store.writer_process_min_ops,
    )


def run(app: App, tenant: TenantInfo, path: Any) -> Any:
    task = app.massops.submit(tenant.id, path)
    return app.massops.run(task.id)


def logs(app: App, task_id: str) -> list[dict[str, Any]]:
    return list(app.massops.logs(task_id))


def rows(app: App, sql: str, **params: Any) -> list[Any]:
    with app.engine.connect() as connection:
        return list(connection.execute(sa.text(sql), params))


def test_upsert_creates_then_reports_unchanged(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    path = ops_file([customer("c1", firstName="Jane"), order("c1", id=ORDER_ID)])
    first = run(app, tenant, path)
    assert first.status == "complete"
    assert first.counts == {"customer/upsert": {"created": 1}, "order/upsert": {"created": 1}}

    second = run(app, tenant, path)
    assert second.counts == {"customer/upsert": {"unchanged": 1}, "order/upsert": {"unchanged": 1}}
    assert rows(app, "select count(*) from orders where tenant_id = :t", t=tenant.id)[0][0] == 1
    ((cart,),) = rows(app, "select cart from orders where tenant_id = :t", t=tenant.id)
    assert len(json.loads(cart)) == 1


def test_upsert_updates_only_given_fields(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    run(app, tenant, ops_file([customer("c1", firstName="Jane", lastName="Doe")], name="a.json"))
    task = run(app, tenant, ops_file([customer("c1", firstName="Janet")], name="b.json"))
    assert task.counts == {"customer/upsert": {"updated": 1}}
    ((first, last),) = rows(
        app, "select first_name, last_name from customers where tenant_id = :t", t=tenant.id
    )
    assert (first, last) == ("Janet", "Doe")


def test_money_is_stored_exactly(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    run(app, tenant, ops_file([order("c1", id=ORDER_ID)]))
    ((gross, net),) = rows(
        app, "select total_gross, total_net from orders where tenant_id = :t", t=tenant.id
    )
    assert Decimal(str(gross)) == Decimal("300.20")
    assert Decimal(str(net)) == Decimal("240.16")


def test_create_of_existing_fails_alone_and_run_goes_on(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file(
        [
            customer("c1"),
            {"intent": "customer/create", "identifier": "c1"},
            {"intent": "customer/update", "identifier": "missing", "firstName": "X"},
            customer("c2"),
        ]
    )
    task = run(app, tenant, path)
    assert task.status == "completeWithErrors"
    entries = logs(app, task.id)
    assert [e["status"] for e in entries] == ["success", "failure", "failure", "success"]
    assert entries[1]["error_code"] == "already_exists" and entries[1]["key"] == "c1"
    assert entries[2]["error_code"] == "not_found" and "missing" in entries[2]["message"]
    assert rows(app, "select count(*) from customers where tenant_id = :t", t=tenant.id)[0][0] == 2


def test_references_render_and_failed_reference_skips(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file(
        [
            {**customer("jane"), "_ref": "jane"},
            order("{{ jane.identifier }}", id=ORDER_ID, additionalInformation="for {{ jane.id }}"),
            {"_ref": "dup", "intent": "customer/create", "identifier": "jane"},
            order("{{ dup.identifier }}", id="b" * 24),
        ]
    )
    task = run(app, tenant, path)
    entries = logs(app, task.id)
    assert [e["status"] for e in entries] == ["success", "success", "failure", "skipped"]
    assert "operation 2" in entries[3]["message"] and "dup" in entries[3]["message"]
    ((identifier, info),) = rows(
        app,
        "select customer_identifier, additional_information from orders where tenant_id = :t",
        t=tenant.id,
    )
    assert identifier == "jane"
    assert info == f"for {entries[0]['resource_id']}"
    assert "{{" not in info


def test_reference_to_empty_field_fails_the_operation(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file([{**customer("jane"), "_ref": "jane"}, order("{{ jane.email }}", id=ORDER_ID)])
    task = run(app, tenant, path)
    failed = logs(app, task.id)[1]
    assert failed["status"] == "failure"
    assert failed["error_code"] == "invalid_reference" and "email" in failed["message"]
    assert rows(app, "select count(*) from orders where tenant_id = :t", t=tenant.id)[0][0] == 0


def test_invalid_file_writes_nothing_and_leaves_an_invalid_task(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file([customer("ok"), {"intent": "customer/upsert"}, order("{{ nope.identifier }}")])
    with pytest.raises(InvalidFileError) as info:
        app.massops.submit(tenant.id, path)
    paths = {p["path"] for p in info.value.detail}
    assert "$.operations[1].identifier" in paths
    assert "$.operations[2].customer.identifier" in paths
    assert rows(app, "select count(*) from customers where tenant_id = :t", t=tenant.id)[0][0] == 0
    [task] = app.massops.list(tenant.id)
    assert task.status == "invalid" and task.problems == info.value.detail
    assert task.error_message == info.value.message and task.processed == 0
    assert list(app.massops.logs(task.id)) == []


def test_order_upsert_keeps_id_and_created_at(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    path = ops_file([order("c1", id=ORDER_ID, createdAt="2021-03-04T05:06:07Z")])
    task = run(app, tenant, path)
    assert logs(app, task.id)[0]["resource_id"] == ORDER_ID
    ((created,),) = rows(
        app,
        "select created_at from orders where id = :i and tenant_id = :t",
        i=ORDER_ID,
        t=tenant.id,
    )
    assert str(created).startswith("2021-03-04")


def test_order_upsert_without_keys_is_idempotent(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file([order("c1")])
    run(app, tenant, path)
    again = run(app, tenant, path)
    assert again.counts == {"order/upsert": {"unchanged": 1}}
    assert rows(app, "select count(*) from orders where tenant_id = :t", t=tenant.id)[0][0] == 1


def test_order_update_changes_lines_and_register_always_creates(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    cart = [{"sku": "sku-9", "name": "Table", "quantity": 1}]
    path = ops_file(
        [
            order("c1", id=ORDER_ID, resourceIdentifier="legacy-1"),
            {
                "intent": "order/update",
                "resourceIdentifier": "legacy-1",
                "cart": cart,
                "paymentStatus": "paid",
            },
            {**order("c1"), "intent": "order/register"},
            {**order("c1"), "intent": "order/register"},
            {"intent": "order/update", "id": "c" * 24, "paymentStatus": "paid"},
        ]
    )
    task = run(app, tenant, path)
    assert task.counts["order/upsert"] == {"created": 1}
    assert task.counts["order/update"] == {"updated": 1, "failed": 1}
    assert task.counts["order/register"] == {"created": 2}
    ((cart,),) = rows(
        app, "select cart from orders where id = :i and tenant_id = :t", i=ORDER_ID, t=tenant.id
    )
    assert [line["sku"] for line in json.loads(cart)] == ["sku-9"]
    ((status,),) = rows(
        app,
        "select payment_status from orders where id = :i and tenant_id = :t",
        i=ORDER_ID,
        t=tenant.id,
    )
    assert status == "paid"


def test_resource_identifier_conflict_fails_one_operation(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file(
        [
            order("c1", id=ORDER_ID, resourceIdentifier="r-1"),
            order("c1", id="b" * 24, resourceIdentifier="r-1"),
        ]
    )
    task = run(app, tenant, path)
    entries = logs(app, task.id)
    assert entries[1]["status"] == "failure" and entries[1]["error_code"] == "conflict"


def test_customer_groups(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    path = ops_file(
        [
            {"intent": "customer/group/create", "identifier": "vip", "name": "VIP"},
            {"intent": "customer/group/upsert", "identifier": "vip", "name": "V.I.P."},
            {"intent": "customer/group/update", "identifier": "vip", "name": "V.I.P."},
            customer("c1", parents=[{"identifier": "vip", "type": "customerGroup"}]),
        ]
    )
    task = run(app, tenant, path)
    assert task.counts["customer/group/create"] == {"created": 1}
    assert task.counts["customer/group/upsert"] == {"updated": 1}
    assert task.counts["customer/group/update"] == {"unchanged": 1}


def test_dry_run_writes_nothing_but_reports(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    run(app, tenant, ops_file([customer("c1")], name="seed.json"))
    path = ops_file([customer("c1"), customer("c2"), customer("c1", firstName="New")])
    report = app.massops.dry_run(tenant.id, path)
    assert report.counts == {"customer/upsert": {"unchanged": 1, "created": 1, "updated": 1}}
    assert rows(app, "select count(*) from customers where tenant_id = :t", t=tenant.id)[0][0] == 1
    assert len(app.massops.list(tenant.id)) == 1


def test_cancel_request_stops_at_next_batch_and_resume_finishes(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file([customer(f"c{i}") for i in range(200)])
    task = app.massops.submit(tenant.id, path)

    def cancel_after_first_batch(done: int, total: int) -> None:
        if done == 50:
            app.massops.request_cancel(task.id)

    from geode.massops.runner import TaskCancelled

    with pytest.raises(TaskCancelled):
        app.massops.run(task.id, on_progress=cancel_after_first_batch)
    stopped = app.massops.get(task.id)
    assert stopped.status == "cancelled"
    # Stopped at a batch boundary: what is stored is exactly what was checkpointed.
    assert stopped.processed % 50 == 0 and 50 <= stopped.processed < 200
    stored = rows(app, "select count(*) from customers where tenant_id = :t", t=tenant.id)[0][0]
    assert stored == stopped.processed == len(logs(app, task.id))

    with app.engine.begin() as connection:
        connection.execute(
            sa.text("update massop_tasks set cancel_requested = false where id = :i"),
            {"i": task.id},
        )
    finished = app.massops.run(task.id)
    assert finished.status == "complete"
    assert finished.counts == {"customer/upsert": {"created": 200}}
    assert len(logs(app, task.id)) == 200


def test_queue_hands_the_task_to_the_workers_and_requeue_skips_finished_ones(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    queued: list[str] = []
    app.massops.enqueue_task = queued.append
    task = app.massops.queue(tenant.id, ops_file([customer("c1")]))
    assert (task.status, queued) == ("pending", [task.id])
    assert task.id in app.massops.unfinished_worker_tasks()  # a starting worker finds it too

    app.massops.run(task.id)
    assert app.massops.requeue(task.id, tenant.id).status == "complete"
    assert queued == [task.id]  # a finished task is not queued again


def test_order_updates_read_their_stored_orders_set_based(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    ids = [f"{n:024x}" for n in range(1, 31)]
    by_ri = {f"web-{n}": f"{n + 100:024x}" for n in range(1, 11)}
    run(
        app,
        tenant,
        ops_file(
            [customer("c1")]
            + [order("c1", id=i) for i in ids]
            + [order("c1", id=i, resourceIdentifier=ri) for ri, i in by_ri.items()],
            name="a.json",
        ),
    )
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM orders" in statement:
            statements.append(statement)

    sa.event.listen(app.engine, "before_cursor_execute", record)
    try:
        task = run(
            app,
            tenant,
            ops_file(
                [{"intent": "order/update", "id": i, "paymentStatus": "paid"} for i in ids]
                + [
                    {"intent": "order/update", "resourceIdentifier": ri, "type": "test"}
                    for ri in by_ri
                ],
                name="b.json",
            ),
        )
    finally:
        sa.event.remove(app.engine, "before_cursor_execute", record)

    assert task.counts == {"order/update": {"updated": 40}}
    assert len(statements) <= 4  # heads by id, by resourceIdentifier; whole rows: not 40
    paid = rows(
        app,
        "select count(*) from orders where tenant_id = :t and payment_status = 'paid'",
        t=tenant.id,
    )
    assert paid[0][0] == 30
