"""Real `geode worker` processes on PostgreSQL: run, share, survive a SIGKILL, obey stops."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from geode.app import App
from geode.batches.service import BatchJobService
from geode.tenants.service import TenantInfo
from tests.jobs.conftest import (
    GEODE,
    Workers,
    row,
    scalar,
    wait_until,
    write_customer_upserts,
)
from tests.jobs.fakes import gate_closed, waiting_at_gate

pytestmark = pytest.mark.integration

TOTAL = 20_000  # customer upserts: a few seconds of work in batches of 100


def widgets(count: int, gate: int = 0) -> list[dict[str, object]]:
    return [{"customerId": f"w{i}", "gate": gate} for i in range(count)]


def batch_status(batches: BatchJobService, tenant: TenantInfo, job_id: int) -> str:
    return batches.get(tenant.id, job_id).status


def test_a_worker_runs_batch_jobs_queued_through_the_dispatcher(
    pg_app: App, pg_tenant: TenantInfo, workers: Workers
) -> None:
    first = pg_app.batches.submit(pg_tenant.id, "widgets", widgets(300))  # queued before it starts
    workers.start("w1", fake_types=True)
    jobs = [
        first,
        *(pg_app.batches.submit(pg_tenant.id, "widgets", widgets(300)) for _ in range(2)),
    ]
    for job_id in jobs:
        wait_until(
            lambda job_id=job_id: batch_status(pg_app.batches, pg_tenant, job_id) == "completed",
            what=f"batch job {job_id} to complete",
        )
        job = pg_app.batches.get(pg_tenant.id, job_id)
        assert (job.cursor, job.finished_count, job.error_count) == (300, 300, 0)
        assert len(pg_app.batches.status(pg_tenant.id, job_id)["response"]["successful"]) == 300
    assert workers.stop("w1") == 0


def test_two_workers_drain_jobs_and_tasks_concurrently(
    pg_app: App, pg_tenant: TenantInfo, workers: Workers, postgresql_url: str, tmp_path: Path
) -> None:
    gate = random.randrange(1, 2**31)
    with gate_closed(postgresql_url, gate):
        jobs = [
            pg_app.batches.submit(pg_tenant.id, "widgets", widgets(300, gate)) for _ in range(4)
        ]
        tasks = []
        for n in range(2):
            path = write_customer_upserts(tmp_path / f"ops{n}.json", 500, f"drain{n}")
            tasks.append(pg_app.massops.submit(pg_tenant.id, path, by_worker=True).id)
            pg_app.dispatcher.enqueue_massop_task(tasks[-1])
        workers.start("w1", fake_types=True)
        workers.start("w2", fake_types=True)
        locks = [f"batch-{j}" for j in jobs]
        # Both workers hold a job, each stuck at the gate: they run side by side.
        wait_until(
            lambda: (
                scalar(
                    pg_app,
                    "select count(distinct worker_id) from procrastinate_jobs "
                    "where status = 'doing' and queueing_lock = any(:locks)",
                    locks=locks,
                )
                == 2
            ),
            what="two workers each running a batch job",
        )
    for job_id in jobs:
        wait_until(
            lambda job_id=job_id: batch_status(pg_app.batches, pg_tenant, job_id) == "completed",
            what=f"batch job {job_id} to complete",
        )
    for task_id in tasks:
        wait_until(
            lambda task_id=task_id: pg_app.massops.get(task_id).status == "complete",
            what=f"task {task_id} to complete",
        )
    assert (
        scalar(pg_app, "select count(*) from customers where tenant_id = :t", t=pg_tenant.id)
        == 1000
    )
    for name in ("w1", "w2"):
        assert "Starting job" in workers.log(name)
        assert workers.stop(name) == 0


def running_on(workers: Workers, task_id: str) -> str | None:
    """The worker whose log shows it started the task's job."""
    for name in workers.processes:
        if "run_massop_task[" in workers.log(name) and task_id in workers.log(name):
            return name
    return None


def test_a_killed_workers_task_is_retried_elsewhere_and_applied_exactly_once(
    pg_app: App, pg_tenant: TenantInfo, workers: Workers, tmp_path: Path
) -> None:
    prefix = f"k{uuid.uuid4().hex[:6]}"
    path = write_customer_upserts(tmp_path / "ops.json", TOTAL, prefix)
    task = pg_app.massops.submit(pg_tenant.id, path, by_worker=True)
    workers.start("w1")
    workers.start("w2")
    pg_app.dispatcher.enqueue_massop_task(task.id)
    victim = wait_until(lambda: running_on(workers, task.id), what="a worker to take the task")
    wait_until(lambda: pg_app.massops.get(task.id).processed > 0, what="the first checkpoint")
    workers.processes[victim].send_signal(signal.SIGKILL)
    workers.processes[victim].wait(10)
    at_kill = pg_app.massops.get(task.id)
    assert at_kill.status == "running"
    assert 0 < at_kill.processed < TOTAL, "the kill must land mid-run"

    survivor = "w2" if victim == "w1" else "w1"
    wait_until(
        lambda: pg_app.massops.get(task.id).status == "complete",
        timeout=180,
        what="the survivor to finish the task",
    )
    assert "stalled" in workers.log(survivor)
    done = pg_app.massops.get(task.id)
    assert (done.processed, done.counts) == (TOTAL, {"customer/upsert": {"created": TOTAL}})
    logs = "select count(*) from massop_logs where task_id = :id"
    assert scalar(pg_app, logs, id=task.id) == TOTAL
    assert scalar(pg_app, logs.replace("count(*)", "count(distinct idx)"), id=task.id) == TOTAL
    customers = "select count(*) from customers where tenant_id = :t"
    assert scalar(pg_app, customers, t=pg_tenant.id) == TOTAL
    distinct = customers.replace("count(*)", "count(distinct identifier)")
    assert scalar(pg_app, distinct, t=pg_tenant.id) == TOTAL
    mismatched = (
        "select count(*) from customers where tenant_id = :t and "
        "first_name <> 'F' || substr(identifier, length(:p) + 2)"
    )
    assert scalar(pg_app, mismatched, t=pg_tenant.id, p=prefix) == 0


def test_a_task_split_into_chunks_is_shared_by_the_workers(
    pg_app: App, pg_tenant: TenantInfo, workers: Workers, tmp_path: Path
) -> None:
    pg_app.massops.chunk_size = 2_000  # as a server on PostgreSQL may set it
    path = write_customer_upserts(tmp_path / "ops.json", 10_000, "chunk")
    task = pg_app.massops.submit(pg_tenant.id, path, by_worker=True)
    assert task.chunked
    workers.start("w1")
    workers.start("w2")
    pg_app.dispatcher.enqueue_massop_task(task.id)
    wait_until(lambda: pg_app.massops.get(task.id).status == "complete", timeout=180, what="it")
    logs = "select count(*), count(distinct idx) from massop_logs where task_id = :id"
    assert tuple(row(pg_app, logs, id=task.id)) == (10_000, 10_000)
    customers = "select count(*) from customers where tenant_id = :t"
    assert scalar(pg_app, customers, t=pg_tenant.id) == 10_000
    for name in ("w1", "w2"):
        assert "run_massop_chunk[" in workers.log(name), f"{name} ran no chunk"


def chunk_in_flight(pg_app: App, task_id: str) -> bool:
    """Some chunk has committed part of its operations but not all of them."""
    query = "select count(*) from massop_chunks where task_id = :id and processed > 0 and processed < size"
    return bool(scalar(pg_app, query, id=task_id))


def test_a_worker_killed_mid_chunk_its_chunk_is_finished_elsewhere_exactly_once(
    pg_app: App, pg_tenant: TenantInfo, workers: Workers, tmp_path: Path
) -> None:
    pg_app.massops.chunk_size = 4_000
    prefix = f"q{uuid.uuid4().hex[:6]}"
    path = write_customer_upserts(tmp_path / "ops.json", TOTAL, prefix)
    task = pg_app.massops.submit(pg_tenant.id, path, by_worker=True)
    assert task.chunked
    workers.start("w1")
    workers.start("w2")
    pg_app.dispatcher.enqueue_massop_task(task.id)
    wait_until(lambda: chunk_in_flight(pg_app, task.id), what="a chunk half-way")
    workers.processes["w1"].send_signal(signal.SIGKILL)
    workers.processes["w1"].wait(10)
    at_kill = pg_app.massops.get(task.id)
    assert 0 < at_kill.processed < TOTAL, "the kill must land mid-run"
    wait_until(
        lambda: pg_app.massops.get(task.id).status == "complete",
        timeout=180,
        what="the survivor to finish every chunk",
    )
    done = pg_app.massops.get(task.id)
    assert (done.processed, done.counts) == (TOTAL, {"customer/upsert": {"created": TOTAL}})
    logs = "select count(*), count(distinct idx) from massop_logs where task_id = :id"
    assert tuple(row(pg_app, logs, id=task.id)) == (TOTAL, TOTAL)
    customers = "select count(*), count(distinct identifier) from customers where tenant_id = :t"
    assert tuple(row(pg_app, customers, t=pg_tenant.id)) == (TOTAL, TOTAL)


def test_sigterm_leaves_the_task_at_a_checkpoint_for_the_next_worker(
    pg_app: App, pg_tenant: TenantInfo, workers: Workers, tmp_path: Path
) -> None:
    path = write_customer_upserts(tmp_path / "ops.json", TOTAL, "term")
    task = pg_app.massops.submit(pg_tenant.id, path, by_worker=True)
    workers.start("w1")
    pg_app.dispatcher.enqueue_massop_task(task.id)
    wait_until(lambda: pg_app.massops.get(task.id).processed > 0, what="the first checkpoint")
    assert workers.stop("w1", timeout=60) == 0
    left = pg_app.massops.get(task.id)
    assert left.status == "running" and 0 < left.processed < TOTAL
    assert "worker stopping" in workers.log("w1")
    logs = "select count(*) from massop_logs where task_id = :id"
    assert scalar(pg_app, logs, id=task.id) == left.processed

    workers.start("w2")  # the job went back to the queue: no one queues it again
    wait_until(lambda: pg_app.massops.get(task.id).status == "complete", timeout=180, what="w2")
    assert scalar(pg_app, logs, id=task.id) == TOTAL


def test_cancelling_a_task_stops_it_on_its_worker(
    pg_app: App, pg_tenant: TenantInfo, workers: Workers, tmp_path: Path
) -> None:
    path = write_customer_upserts(tmp_path / "ops.json", TOTAL, "cancel")
    task = pg_app.massops.submit(pg_tenant.id, path, by_worker=True)
    workers.start("w1")
    pg_app.dispatcher.enqueue_massop_task(task.id)
    wait_until(lambda: pg_app.massops.get(task.id).processed > 0, what="the first checkpoint")
    assert pg_app.massops.request_cancel(task.id, pg_tenant.id).cancel_requested
    wait_until(lambda: pg_app.massops.get(task.id).status == "cancelled", what="the cancel")
    done = pg_app.massops.get(task.id)
    assert 0 < done.processed < TOTAL
    # Done work is kept, and matches the checkpoint exactly.
    assert (
        scalar(pg_app, "select count(*) from massop_logs where task_id = :id", id=task.id)
        == done.processed
    )
    assert (
        scalar(pg_app, "select count(*) from customers where tenant_id = :t", t=pg_tenant.id)
        == done.processed
    )
    assert workers.processes["w1"].poll() is None, "the worker carries on"


def test_stopping_a_batch_job_stops_it_on_its_worker(
    pg_app: App, pg_tenant: TenantInfo, workers: Workers, postgresql_url: str
) -> None:
    gate = random.randrange(1, 2**31)
    with gate_closed(postgresql_url, gate):
        job_id = pg_app.batches.submit(pg_tenant.id, "widgets", widgets(1000, gate))  # 4 slices
        workers.start("w1", fake_types=True)
        # "running" is set when the job is claimed, before its first slice reads
        # the stop flag: a stop requested then stops it before any slice (0, 0).
        # Wait until the first slice is held at the gate, past that read.
        wait_until(
            lambda: waiting_at_gate(postgresql_url, gate) > 0, what="the first slice at the gate"
        )
        assert batch_status(pg_app.batches, pg_tenant, job_id) == "running"
        assert pg_app.batches.stop(pg_tenant.id, job_id).stop_requested
    # The slice at the gate commits; the job stops before the next one.
    wait_until(
        lambda: batch_status(pg_app.batches, pg_tenant, job_id) == "stopped", what="the stop"
    )
    job = pg_app.batches.get(pg_tenant.id, job_id)
    assert (job.cursor, job.finished_count) == (250, 250)
    assert len(pg_app.batches.status(pg_tenant.id, job_id)["response"]["successful"]) == 250
    assert workers.stop("w1") == 0


def test_worker_refuses_sqlite(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GEODE_DATABASE_URL"}
    env["GEODE_DATA_DIR"] = str(tmp_path)
    result = subprocess.run([GEODE, "worker"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "workers need PostgreSQL" in result.stderr
    assert "geode serve" in result.stderr
