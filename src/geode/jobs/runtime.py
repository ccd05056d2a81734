"""Which worker a server runs, chosen by the database it is given."""

from __future__ import annotations

from collections.abc import Callable

from geode.app import App
from geode.jobs.local import LocalWorker

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
    worker = attach_local_worker(app)
    return worker.start, worker.stop
