"""Which worker a server runs, chosen by the database it is given.

SQLite (the embedded default): one in-process thread, since SQLite takes one
writer at a time. PostgreSQL: jobs go through Procrastinate, so they are run
by this server's own worker thread and by any `geode worker` on any machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from geode.app import App
from geode.jobs.local import LocalWorker

if TYPE_CHECKING:  # Procrastinate is imported only where PostgreSQL is used
    from geode.jobs.distributed.dispatch import ProcrastinateDispatcher

Lifecycle = tuple[Callable[[], None], Callable[[], None]]


def attach_local_worker(app: App) -> LocalWorker:
    """An in-process worker thread; it picks up every job left unfinished first."""
    worker = LocalWorker(app.batches.run, app.massops.run)
    app.dispatcher = worker
    for job_id in app.batches.unfinished():
        worker.enqueue_batch_job(job_id)
    for task_id in app.massops.unfinished_worker_tasks():
        worker.enqueue_massop_task(task_id)
    return worker


def server_worker(app: App) -> Lifecycle:
    """(start, stop) for the server's lifespan."""
    from geode.jobs.distributed.conninfo import is_postgresql

    if not is_postgresql(app.engine):
        worker = attach_local_worker(app)
        return worker.start, worker.stop
    return _queue_lifecycle(app, run_jobs=True)


def server_queue(app: App) -> Lifecycle | None:
    """For a server that runs no jobs itself: on PostgreSQL it still queues them for
    `geode worker`s; on SQLite there is no one to hand them to (None)."""
    from geode.jobs.distributed.conninfo import is_postgresql

    return _queue_lifecycle(app, run_jobs=False) if is_postgresql(app.engine) else None


def attach_queue(app: App) -> ProcrastinateDispatcher:
    """Procrastinate's tables made sure of, the dispatcher attached, and every
    unfinished job queued again (a no-op for jobs already waiting or running)."""
    from geode.jobs.distributed.dispatch import ProcrastinateDispatcher
    from geode.jobs.distributed.schema import ensure_queue_schema

    ensure_queue_schema(app.engine)
    dispatcher = ProcrastinateDispatcher(app)
    app.dispatcher = dispatcher
    dispatcher.requeue_unfinished()
    return dispatcher


def _queue_lifecycle(app: App, *, run_jobs: bool) -> Lifecycle:
    from geode.jobs.distributed.worker import BackgroundWorker, QueueWorker, WorkerOptions

    dispatcher = attach_queue(app)
    worker = (
        BackgroundWorker(QueueWorker(app, WorkerOptions.from_settings(app.settings)))
        if run_jobs
        else None
    )

    def start() -> None:
        if worker is not None:
            worker.start()

    def stop() -> None:
        try:
            if worker is not None:
                worker.stop()
        finally:
            dispatcher.close()

    return start, stop
