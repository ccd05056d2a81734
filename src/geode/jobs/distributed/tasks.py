"""The Procrastinate tasks: each carries one id to our runners.

`run_batch_job` → `app.batches.run`; `run_massop_task` → `app.massops.run` (or,
for a task split into chunks, queues its chunks); `run_massop_chunk` → one
chunk of such a task, then queues the chunks that can run next.

Delivery is at least once: a job whose worker died is run again by another
worker. That is safe because our runners carry on from a checkpoint moved by
compare-and-set in the same transaction as the work, so no object or
operation is ever applied twice.

The tasks are synchronous: Procrastinate runs them in a thread of its own,
and cannot interrupt them. They stop themselves at checkpoints instead:
  - on a stop or cancel request, which our runners read from our tables;
  - when their worker shuts down (Ctrl-C, SIGTERM): Procrastinate flags the
    job, a mass-operation task stops after its current batch and its job goes
    back to the queue for the next worker. A batch job (at most four slices)
    or a chunk finishes first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import procrastinate
from procrastinate.exceptions import JobAborted
from procrastinate.job_context import AbortReason, JobContext
from procrastinate.jobs import Job

from geode.app import App
from geode.errors import ConflictError
from geode.massops.runner import TaskCancelled

log = logging.getLogger(__name__)

BATCH_TASK = "geode.run_batch_job"
MASSOP_TASK = "geode.run_massop_task"
CHUNK_TASK = "geode.run_massop_chunk"
# A task runs only while it is one of these; anything else has ended (or must
# be reopened by a user first), so a late or duplicate job finds nothing to do.
RUNNABLE_TASK_STATUSES = ("pending", "running")


class WorkerStopping(BaseException):
    """Raised from the progress callback to leave a task at its last checkpoint.

    A BaseException, like KeyboardInterrupt, so the runner does not record it
    as a failure: the task stays `running` and the next worker carries on.
    """


class RequeueOnShutdown(procrastinate.BaseRetryStrategy):
    """A job interrupted by its worker's shutdown goes back to the queue at once.

    Procrastinate asks only for interruptions caused by a shutdown (not for
    user aborts); any other error is final: our runner has recorded it.
    """

    def get_retry_decision(
        self, *, exception: BaseException, job: Job
    ) -> procrastinate.RetryDecision | None:
        if isinstance(exception, JobAborted):
            return procrastinate.RetryDecision()
        return None


def run_batch_job(app: App, job_id: int) -> None:
    job = app.batches.run(job_id)
    log.info("batch job %s: %s (cursor %s/%s)", job_id, job.status, job.cursor, job.object_count)


def run_massop_task(app: App, context: JobContext, task_id: str) -> None:
    task = app.massops.get(task_id)
    if task.status not in RUNNABLE_TASK_STATUSES:
        log.info("mass-operation task %s is %s: nothing to run", task_id, task.status)
        return
    if task.chunked:  # its operations are in the database: queue what can run now
        app.massops.run_for_worker(task_id, app.dispatcher.enqueue_massop_chunk)
        return
    if not Path(task.spool_path).exists():
        # Every worker must see the spools (GEODE_DATA_DIR on shared storage):
        # fail this job loudly; the task stays as it is, for a worker that can.
        raise FileNotFoundError(f"task {task_id}: spool {task.spool_path} is not on this machine")
    try:
        done = app.massops.run(task_id, on_progress=_stop_on_shutdown(context))
    except TaskCancelled:
        log.info("mass-operation task %s cancelled", task_id)
        return
    except ConflictError as exc:
        # Another worker moved the checkpoint first: the task is in its hands.
        log.warning("mass-operation task %s: %s", task_id, exc.message)
        return
    except WorkerStopping:
        log.info("mass-operation task %s left at its checkpoint: worker stopping", task_id)
        raise JobAborted(f"worker stopping; task {task_id} goes back to the queue") from None
    log.info("mass-operation task %s: %s (%s/%s)", task_id, done.status, done.processed, done.total)


def run_massop_chunk(app: App, task_id: str, seq: int) -> None:
    try:
        app.massops.run_chunk_for_worker(task_id, seq, app.dispatcher.enqueue_massop_chunk)
    except TaskCancelled:
        log.info("chunk %s of mass-operation task %s cancelled", seq, task_id)


def _stop_on_shutdown(context: JobContext) -> Callable[[int, int], None]:
    def on_progress(processed: int, total: int) -> None:
        if processed < total and context.abort_reason() is AbortReason.SHUTDOWN:
            raise WorkerStopping

    return on_progress


def register_tasks(queue: procrastinate.App, app: App) -> None:
    """The same tasks on every Procrastinate app of this process, bound to `app`."""
    retry = RequeueOnShutdown()

    @queue.task(name=BATCH_TASK, retry=retry)
    def batch_job(job_id: int) -> None:
        run_batch_job(app, job_id)

    @queue.task(name=MASSOP_TASK, pass_context=True, retry=retry)
    def massop_task(context: JobContext, task_id: str) -> None:
        run_massop_task(app, context, task_id)

    @queue.task(name=CHUNK_TASK, retry=retry)
    def massop_chunk(task_id: str, seq: int) -> None:
        run_massop_chunk(app, task_id, seq)


def queue_app(app: App, connector: procrastinate.BaseConnector) -> procrastinate.App:
    """A Procrastinate app over `connector` that knows our tasks."""
    queue = procrastinate.App(connector=connector)
    register_tasks(queue, app)
    return queue


def queueing_lock(task_name: str, *ident: int | str) -> str:
    """One name per job: `batch-17`, `massop-<id>`, `massop-<id>-<seq>`.

    Used as Procrastinate's queueing lock (at most one waiting job per name)
    and as its lock (at most one running job per name).
    """
    kind = "batch" if task_name == BATCH_TASK else "massop"
    return "-".join((kind, *map(str, ident)))
