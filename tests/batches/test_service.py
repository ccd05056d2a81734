"""Batch jobs through the service and runner, on SQLite and PostgreSQL, with a fake type."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from geode.app import App, create_app
from geode.batches.models import BatchJob
from geode.batches.service import UnknownBatchTypeError
from geode.errors import InvalidInputError, NotFoundError
from geode.settings import Settings
from geode.tenants.service import TenantInfo, create_tenant
from tests.batches.fakes import WidgetHandler

_jobs: sa.Table = BatchJob.__table__  # type: ignore[assignment]


@pytest.fixture
def handler() -> WidgetHandler:
    return WidgetHandler()


@pytest.fixture
def app(settings: Settings, handler: WidgetHandler) -> Iterator[App]:
    application = create_app(settings, migrate=False, handlers={"widgets": handler})
    application.batches.runner.slice_size = 2
    queued: list[int] = []
    application.batches.enqueue = queued.append
    application.queued = queued  # type: ignore[attr-defined]
    yield application
    application.close()


@pytest.fixture
def other_tenant(app: App) -> TenantInfo:
    with app.engine.begin() as connection:
        return create_tenant(connection, "o-" + str(id(app)))


def widgets(*sizes: int, fail: set[int] = frozenset()) -> list[dict[str, Any]]:  # type: ignore[assignment]
    return [{"customerId": f"c{i}", "size": s, "fail": i in fail} for i, s in enumerate(sizes)]


def test_submit_queues_and_status_is_queued(app: App, tenant: TenantInfo) -> None:
    job_id = app.batches.submit(tenant.id, "widgets", widgets(1, 2))
    assert app.queued == [job_id]  # type: ignore[attr-defined]
    status = app.batches.status(tenant.id, job_id)
    assert status == {
        "operation": "Widget Batch Job",
        "errorCount": 0,
        "totalCount": 0,
        "finishedCount": 0,
        "startedAt": None,
        "createdAt": status["createdAt"],
        "status": "queued",
        "response": None,
    }


def test_run_reports_every_object_in_order(
    app: App, tenant: TenantInfo, handler: WidgetHandler
) -> None:
    body = [*widgets(1, 2, 3, fail={1}), {"customerId": "bad", "size": "huge"}, {"size": 1}]
    job_id = app.batches.submit(tenant.id, "widgets", body)
    job = app.batches.run(job_id)
    assert job.status == "completed"
    status = app.batches.status(tenant.id, job_id)
    assert status["status"] == "completed"
    assert (status["totalCount"], status["finishedCount"], status["errorCount"]) == (5, 2, 3)
    assert status["startedAt"] is not None
    assert status["response"]["successful"] == [
        {"customerId": "c0", "message": "widget of size 1 made"},
        {"customerId": "c2", "message": "widget of size 3 made"},
    ]
    failed = status["response"]["failed"]
    assert failed[0] == {"customerId": "c1", "error": "asked to fail"}
    assert failed[1]["customerId"] == "bad"
    assert failed[1]["error"].startswith("body[3].size: ")
    assert failed[2] == {"error": "body[4].customerId: required field is missing"}
    # invalid objects never reach the handler; slices of 2 objects
    assert handler.slices == [["c0", "c1"], ["c2"]]


def test_unknown_field_names_the_field(app: App, tenant: TenantInfo) -> None:
    job_id = app.batches.submit(tenant.id, "widgets", [{"customerId": "x", "colour": "red"}])
    app.batches.run(job_id)
    failed = app.batches.status(tenant.id, job_id)["response"]["failed"]
    assert failed == [
        {
            "customerId": "x",
            "error": "body[0].colour: unknown field; remove it or check its spelling",
        }
    ]


def test_refuses_empty_or_oversized_and_unknown_type(app: App, tenant: TenantInfo) -> None:
    with pytest.raises(InvalidInputError, match="1 to 1000"):
        app.batches.submit(tenant.id, "widgets", [])
    with pytest.raises(InvalidInputError, match="1001 objects"):
        app.batches.submit(tenant.id, "widgets", widgets(*([1] * 1001)))
    with pytest.raises(UnknownBatchTypeError, match="use one of: widgets"):
        app.batches.submit(tenant.id, "gadgets", widgets(1))
    assert app.queued == []  # type: ignore[attr-defined]
    with app.engine.connect() as connection:
        count = connection.execute(
            sa.select(sa.func.count()).select_from(_jobs).where(_jobs.c.tenant_id == tenant.id)
        ).scalar()
    assert count == 0


def test_other_tenant_sees_no_job(app: App, tenant: TenantInfo, other_tenant: TenantInfo) -> None:
    job_id = app.batches.submit(tenant.id, "widgets", widgets(1))
    with pytest.raises(NotFoundError):
        app.batches.status(other_tenant.id, job_id)
    with pytest.raises(NotFoundError):
        app.batches.stop(other_tenant.id, job_id)
    assert app.batches.get(tenant.id, job_id).status == "queued"


def test_stopped_queued_job_never_runs(
    app: App, tenant: TenantInfo, handler: WidgetHandler
) -> None:
    job_id = app.batches.submit(tenant.id, "widgets", widgets(1, 2))
    assert app.batches.stop(tenant.id, job_id).status == "stopped"
    assert app.batches.run(job_id).status == "stopped"
    assert handler.slices == []
    assert app.batches.status(tenant.id, job_id)["response"] is None


def test_running_job_stops_at_next_checkpoint_and_keeps_done_work(
    app: App, tenant: TenantInfo, handler: WidgetHandler
) -> None:
    job_id = app.batches.submit(tenant.id, "widgets", widgets(1, 2, 3, 4, 5))
    original = handler.apply

    def apply_then_stop(connection: Any, tenant_id: str, objects: Any) -> Any:
        results = original(connection, tenant_id, objects)
        if len(handler.slices) == 1:  # a stop request lands while slice 1 is in flight
            connection.execute(
                sa.update(_jobs).where(_jobs.c.id == job_id).values(stop_requested=True)
            )
        return results

    handler.apply = apply_then_stop  # type: ignore[method-assign]
    job = app.batches.run(job_id)
    assert job.status == "stopped"
    assert handler.slices == [["c0", "c1"]]
    status = app.batches.status(tenant.id, job_id)
    assert (status["totalCount"], status["finishedCount"]) == (2, 2)


def test_resume_after_crash_applies_nothing_twice(
    app: App, tenant: TenantInfo, handler: WidgetHandler
) -> None:
    job_id = app.batches.submit(tenant.id, "widgets", widgets(1, 2, 3, 4, 5))
    original = handler.apply

    def crash_on_second_slice(connection: Any, tenant_id: str, objects: Any) -> Any:
        if len(handler.slices) == 1:
            handler.slices.append(["crashed"])
            raise KeyboardInterrupt  # like a kill: the slice's transaction never commits
        return original(connection, tenant_id, objects)

    handler.apply = crash_on_second_slice  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        app.batches.run(job_id)
    assert app.batches.get(tenant.id, job_id).status == "running"
    handler.apply = original  # type: ignore[method-assign]
    job = app.batches.run(job_id)
    assert job.status == "completed"
    assert handler.slices == [["c0", "c1"], ["crashed"], ["c2", "c3"], ["c4"]]
    status = app.batches.status(tenant.id, job_id)
    assert [i["customerId"] for i in status["response"]["successful"]] == [
        "c0",
        "c1",
        "c2",
        "c3",
        "c4",
    ]
    assert app.batches.run(job_id).status == "completed"  # finished: a no-op
    assert len(handler.slices) == 4


def test_handler_bug_fails_the_job_keeping_done_work(
    app: App, tenant: TenantInfo, handler: WidgetHandler
) -> None:
    job_id = app.batches.submit(tenant.id, "widgets", widgets(1, 2, 3))
    original = handler.apply

    def broken(connection: Any, tenant_id: str, objects: Any) -> Any:
        if handler.slices:
            raise RuntimeError("boom")
        return original(connection, tenant_id, objects)

    handler.apply = broken  # type: ignore[method-assign]
    job = app.batches.run(job_id)
    assert job.status == "failed"
    assert job.error_message is not None and "boom" not in job.error_message
    assert job.error_message.startswith("the job stopped on an unexpected error after 2 of 3")
    assert re.search(r"\(error id [0-9a-f]{10}\)$", job.error_message)
    assert app.batches.status(tenant.id, job_id)["error"] == job.error_message
    assert app.batches.status(tenant.id, job_id)["finishedCount"] == 2


def test_numbers_are_kept_exactly(app: App, tenant: TenantInfo, handler: WidgetHandler) -> None:
    from decimal import Decimal

    from geode.batches import repository

    job_id = app.batches.submit(
        tenant.id, "widgets", [{"customerId": "c", "size": 1, "x": Decimal("0.10")}]
    )
    with app.engine.connect() as connection:
        assert (
            repository.get_payload(connection, job_id) == '[{"customerId":"c","size":1,"x":0.10}]'
        )
