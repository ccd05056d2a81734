"""`server_worker` on PostgreSQL: the server's own Procrastinate worker, on a thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from geode.app import App
from geode.jobs.distributed.dispatch import ProcrastinateDispatcher
from geode.jobs.runtime import server_queue, server_worker
from geode.tenants.service import TenantInfo
from tests.jobs.conftest import scalar, wait_until, write_customer_upserts

pytestmark = pytest.mark.integration

TOTAL = 20_000


def test_the_server_runs_jobs_on_its_own_worker_thread(pg_app: App, pg_tenant: TenantInfo) -> None:
    start, stop = server_worker(pg_app)
    assert isinstance(pg_app.dispatcher, ProcrastinateDispatcher)
    start()
    try:
        job_id = pg_app.batches.submit(pg_tenant.id, "widgets", [{"customerId": "a"}])
        wait_until(
            lambda: pg_app.batches.get(pg_tenant.id, job_id).status == "completed", what="the job"
        )
    finally:
        stop()


def test_stopping_the_server_leaves_a_task_at_a_checkpoint_and_the_next_start_finishes_it(
    pg_app: App, pg_tenant: TenantInfo, tmp_path: Path
) -> None:
    path = write_customer_upserts(tmp_path / "ops.json", TOTAL, "srv")
    task = pg_app.massops.submit(pg_tenant.id, path, by_worker=True)
    start, stop = server_worker(pg_app)
    start()
    try:
        pg_app.dispatcher.enqueue_massop_task(task.id)
        wait_until(lambda: pg_app.massops.get(task.id).processed > 0, what="the first checkpoint")
    finally:
        stop()
    # The worker stopped after the batch in hand, not at the end of the task.
    left = pg_app.massops.get(task.id)
    assert left.status == "running" and 0 < left.processed < TOTAL

    start, stop = server_worker(pg_app)
    start()
    try:
        wait_until(
            lambda: pg_app.massops.get(task.id).status == "complete", timeout=180, what="the task"
        )
    finally:
        stop()
    assert (
        scalar(pg_app, "select count(*) from massop_logs where task_id = :id", id=task.id) == TOTAL
    )


def test_a_server_without_worker_still_queues_on_postgresql(pg_app: App) -> None:
    lifecycle = server_queue(pg_app)
    assert lifecycle is not None
    assert isinstance(pg_app.dispatcher, ProcrastinateDispatcher)
    start, stop = lifecycle
    start()
    stop()
