"""The pieces under the workers: connection string, schema, dispatcher, stalled jobs."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator

import procrastinate
import pytest
import sqlalchemy as sa

from geode.app import App
from geode.db.engine import create_engine
from geode.jobs.distributed.conninfo import libpq_conninfo
from geode.jobs.distributed.dispatch import ProcrastinateDispatcher
from geode.jobs.distributed.schema import ensure_queue_schema
from geode.jobs.distributed.stalled import retry_stalled_jobs
from geode.jobs.distributed.tasks import queue_app
from geode.tenants.service import TenantInfo
from tests.conftest import ADMIN_URL


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql+psycopg://postgres@127.0.0.1:5432/geode",
            "host=127.0.0.1 port=5432 dbname=geode user=postgres",
        ),
        (
            "postgresql://u:p%40ss%20w@db/geode?sslmode=require",
            "host=db dbname=geode user=u password='p@ss w' sslmode=require",
        ),
        (
            "postgresql+psycopg://u@/geode?host=/run/postgresql",
            "host=/run/postgresql dbname=geode user=u",
        ),
    ],
)
def test_libpq_conninfo(url: str, expected: str) -> None:
    assert libpq_conninfo(url) == expected


def test_libpq_conninfo_refuses_sqlite() -> None:
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        libpq_conninfo("sqlite:///x.db")


@pytest.fixture
def empty_database(postgresql_url: str) -> Iterator[str]:
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"geode_queue_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_schema_is_created_once_by_processes_starting_together(empty_database: str) -> None:
    engines = [create_engine(empty_database) for _ in range(4)]
    created: list[bool] = []
    threads = [
        threading.Thread(target=lambda e=e: created.append(ensure_queue_schema(e))) for e in engines
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert sorted(created) == [False, False, False, True]
        assert ensure_queue_schema(engines[0]) is False
    finally:
        for engine in engines:
            engine.dispose()


def jobs_for(app: App, lock: str) -> list[tuple[str, int | None]]:
    with app.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "select status, worker_id from procrastinate_jobs where queueing_lock = :l order by id"
            ),
            {"l": lock},
        )
        return [(r.status, r.worker_id) for r in rows]


def forget_jobs(app: App, *locks: str) -> None:
    with app.engine.begin() as connection:
        connection.execute(
            sa.text("delete from procrastinate_jobs where queueing_lock = any(:l)"),
            {"l": list(locks)},
        )


def test_an_id_is_queued_once_however_often_it_is_handed_over(
    pg_app: App, pg_tenant: TenantInfo
) -> None:
    assert isinstance(pg_app.dispatcher, ProcrastinateDispatcher)
    job_id = pg_app.batches.submit(pg_tenant.id, "widgets", [{"customerId": "a"}])
    lock = f"batch-{job_id}"
    try:
        pg_app.dispatcher.enqueue_batch_job(job_id)
        pg_app.dispatcher.requeue_unfinished()
        assert jobs_for(pg_app, lock) == [("todo", None)]
    finally:
        pg_app.batches.stop(pg_tenant.id, job_id)
        forget_jobs(pg_app, lock)


def test_requeue_unfinished_queues_stored_jobs_that_have_no_queued_job(
    pg_app: App, pg_tenant: TenantInfo
) -> None:
    job_id = pg_app.batches.submit(pg_tenant.id, "widgets", [{"customerId": "a"}])
    lock = f"batch-{job_id}"
    try:
        forget_jobs(pg_app, lock)  # as if the job was stored while no queue took it
        assert isinstance(pg_app.dispatcher, ProcrastinateDispatcher)
        assert pg_app.dispatcher.requeue_unfinished() >= 1
        assert jobs_for(pg_app, lock) == [("todo", None)]
    finally:
        pg_app.batches.stop(pg_tenant.id, job_id)
        forget_jobs(pg_app, lock)


def make_doing_on_a_dead_worker(app: App, lock: str) -> int:
    with app.engine.begin() as connection:
        worker_id = connection.execute(
            sa.text(
                "insert into procrastinate_workers (last_heartbeat) values (now() - interval '1 hour') returning id"
            )
        ).scalar_one()
        connection.execute(
            sa.text(
                "update procrastinate_jobs set status = 'doing', worker_id = :w where queueing_lock = :l and status = 'todo'"
            ),
            {"w": worker_id, "l": lock},
        )
    return int(worker_id)


async def sweep(app: App) -> list[int]:
    queue = queue_app(
        app,
        procrastinate.PsycopgConnector(conninfo=libpq_conninfo(app.settings.resolved_database_url)),
    )
    async with queue.open_async():
        return await retry_stalled_jobs(queue, stalled_after=2)


def test_a_job_held_by_a_dead_worker_is_queued_again_once(
    pg_app: App, pg_tenant: TenantInfo
) -> None:
    job_id = pg_app.batches.submit(pg_tenant.id, "widgets", [{"customerId": "a"}])
    lock = f"batch-{job_id}"
    try:
        worker_id = make_doing_on_a_dead_worker(pg_app, lock)
        assert jobs_for(pg_app, lock) == [("doing", worker_id)]
        retried = asyncio.run(sweep(pg_app))
        assert len(retried) >= 1
        assert [s for s, _ in jobs_for(pg_app, lock)] == ["todo"]
        assert not set(asyncio.run(sweep(pg_app))) & set(retried)
    finally:
        pg_app.batches.stop(pg_tenant.id, job_id)
        forget_jobs(pg_app, lock)


def test_a_stalled_job_gives_way_to_one_already_waiting(pg_app: App, pg_tenant: TenantInfo) -> None:
    job_id = pg_app.batches.submit(pg_tenant.id, "widgets", [{"customerId": "a"}])
    lock = f"batch-{job_id}"
    try:
        make_doing_on_a_dead_worker(pg_app, lock)
        pg_app.dispatcher.enqueue_batch_job(job_id)  # a restart queued it again meanwhile
        asyncio.run(sweep(pg_app))
        assert [s for s, _ in jobs_for(pg_app, lock)] == ["failed", "todo"]
    finally:
        pg_app.batches.stop(pg_tenant.id, job_id)
        forget_jobs(pg_app, lock)
