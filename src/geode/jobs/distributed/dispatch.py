"""`ProcrastinateDispatcher`: the `Dispatcher` port on PostgreSQL.

It defers one Procrastinate job per id over a small synchronous pool of its
own, so any thread may call it (request handlers, the CLI). The job is named
by a lock per id, so however often an id is handed over (a retry, a restart
that queues every unfinished job again), at most one job waits for it and at
most one runs it.
"""

from __future__ import annotations

import logging
import threading

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued

from geode.app import App
from geode.jobs.distributed.conninfo import libpq_conninfo
from geode.jobs.distributed.tasks import (
    BATCH_TASK,
    CHUNK_TASK,
    MASSOP_TASK,
    queue_app,
    queueing_lock,
)

log = logging.getLogger(__name__)

_ACTIVE = ("todo", "doing")


class ProcrastinateDispatcher:
    def __init__(self, app: App, *, max_connections: int = 4) -> None:
        self.app = app
        connector = procrastinate.SyncPsycopgConnector(
            conninfo=libpq_conninfo(app.settings.resolved_database_url),
            min_size=1,
            max_size=max_connections,
            kwargs={"application_name": "geode-dispatch"},
        )
        self.queue = queue_app(app, connector)
        self._lock = threading.Lock()
        self._open = False

    def enqueue_batch_job(self, job_id: int) -> None:
        self._defer(BATCH_TASK, job_id, job_id=job_id)

    def enqueue_massop_task(self, task_id: str) -> None:
        self._defer(MASSOP_TASK, task_id, task_id=task_id)

    def enqueue_massop_chunk(self, task_id: str, seq: int) -> None:
        self._defer(CHUNK_TASK, task_id, seq, task_id=task_id, seq=seq)

    def requeue_unfinished(self) -> int:
        """Queue every unfinished batch job and worker task that has no job waiting
        or running: jobs stored while no queue took them, or lost with a worker.
        Returns how many were queued."""
        work: list[tuple[str, int | str]] = [(BATCH_TASK, i) for i in self.app.batches.unfinished()]
        work += [(MASSOP_TASK, t) for t in self.app.massops.unfinished_worker_tasks()]
        queued = 0
        for task_name, ident in work:
            if self._has_active_job(queueing_lock(task_name, ident)):
                continue
            key = "job_id" if task_name == BATCH_TASK else "task_id"
            queued += self._defer(task_name, ident, **{key: ident})
        if queued:
            log.info("queued %s unfinished job(s) again", queued)
        return queued

    def close(self) -> None:
        with self._lock:
            if self._open:
                self.queue.close()
                self._open = False

    def _defer(self, task_name: str, *ident: int | str, **kwargs: int | str) -> bool:
        """False when a job for this id is already waiting (it will do)."""
        self._ensure_open()
        lock = queueing_lock(task_name, *ident)
        deferrer = self.queue.configure_task(task_name, lock=lock, queueing_lock=lock)
        try:
            deferrer.defer(**kwargs)
        except AlreadyEnqueued:
            return False
        return True

    def _has_active_job(self, lock: str) -> bool:
        self._ensure_open()
        jobs = self.queue.job_manager.list_jobs(queueing_lock=lock)
        return any(job.status in _ACTIVE for job in jobs)

    def _ensure_open(self) -> None:
        with self._lock:
            if not self._open:
                self.queue.open()
                self._open = True
