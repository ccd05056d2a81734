"""Re-run only what failed: a new task of a finished task's failed and skipped
operations, in file order, their references to successes resolved from the logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from geode.app import App
from geode.errors import ConflictError
from geode.tenants.service import TenantInfo
from tests.massops.operations import customer, order

ORDER_A, ORDER_B, ORDER_C = "a" * 24, "b" * 24, "c" * 24


def flawed() -> list[dict[str, Any]]:
    return [
        customer("c-ann", _ref="ann", firstName="Ann"),  # 0 succeeds
        {"intent": "customer/update", "_ref": "bob", "identifier": "c-bob", "firstName": "Bob"},
        order("{{ bob.identifier }}", id=ORDER_B),  # 2 skipped: waits on 1, which fails
        order("{{ ann.identifier }}", id=ORDER_A),  # 3 succeeds
        {"intent": "customer/update", "identifier": "c-cy", "lastName": "friend of {{ ann.identifier }}"},
        {"intent": "order/update", "id": ORDER_C, "customer": {"identifier": "{{ ann.identifier }}"}},
    ]  # fmt: skip


def rows(app: App, sql: str, **params: Any) -> list[Any]:
    with app.engine.connect() as connection:
        return list(connection.execute(sa.text(sql), params))


@pytest.mark.parametrize("chunked", [False, True], ids=["whole", "chunked"])
def test_retry_reruns_what_failed_once_the_store_is_fixed(
    app: App, tenant: TenantInfo, ops_file: Any, chunked: bool
) -> None:
    if chunked:
        app.massops.chunk_size = 2
    first = app.massops.submit(tenant.id, ops_file(flawed()), by_worker=chunked)
    assert first.chunked == chunked
    first = app.massops.run(first.id)
    assert first.status == "completeWithErrors"
    inputs = {row["idx"]: row["input"] for row in app.massops.logs(first.id)}
    assert [i for i, text in inputs.items() if text is not None] == [1, 2, 4, 5]
    kept = msgspec.json.decode(inputs[2])
    assert kept["customer"] == {"identifier": "{{ bob.identifier }}"}
    assert kept["cart"][0]["name"] == "Chair"  # an order's documents go back in place
    assert not Path(first.spool_path).exists()

    # Fix the store: the records the updates expected.
    fix = app.massops.submit(
        tenant.id,
        ops_file([customer("c-bob"), customer("c-cy"), order("c-bob", id=ORDER_C)], name="f.json"),
    )
    assert app.massops.run(fix.id).status == "complete"

    retried = app.massops.retry(first.id)
    assert retried.new is not None and retried.task.id == first.id
    task = app.massops.run(retried.new.id)
    assert (task.status, task.retry_of, task.total) == ("complete", first.id, 4)
    assert task.source_name.startswith(f"retry of {first.id}")
    logs = list(app.massops.logs(task.id))
    assert [(r["intent"], r["outcome"]) for r in logs] == [
        ("customer/update", "updated"),
        ("order/upsert", "created"),
        ("customer/update", "updated"),
        ("order/update", "updated"),
    ]
    t = tenant.id
    by_order = dict(
        rows(app, "select id, customer_identifier from orders where tenant_id = :t", t=t)
    )
    assert by_order == {ORDER_A: "c-ann", ORDER_B: "c-bob", ORDER_C: "c-ann"}
    [(last_name,)] = rows(
        app, "select last_name from customers where tenant_id = :t and identifier = 'c-cy'", t=t
    )
    assert last_name == "friend of c-ann"  # resolved from the first task's log output
    assert not list(app.settings.spool_dir.glob("retry-*"))

    again = app.massops.retry(task.id)
    assert again.new is None and again.task.id == task.id  # nothing failed


def test_retry_of_a_task_that_has_not_finished_is_refused(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    task = app.massops.submit(tenant.id, ops_file([customer("c1")]))
    with pytest.raises(ConflictError, match="only a finished task can be retried"):
        app.massops.retry(task.id)
    assert [t.id for t in app.massops.list(tenant.id)] == [task.id]


def test_a_task_finished_before_inputs_were_kept_says_so(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file([{"intent": "customer/update", "identifier": "nobody"}])
    task = app.massops.run(app.massops.submit(tenant.id, path).id)
    with app.engine.begin() as connection:
        connection.execute(
            sa.text("update massop_logs set input = null where task_id = :t"), {"t": task.id}
        )
    with pytest.raises(ConflictError, match="was not kept"):
        app.massops.retry(task.id)
