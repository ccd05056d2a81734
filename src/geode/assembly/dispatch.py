"""The port between "a job was stored" and "a worker will run it".

Job state users see (status, counts, results, stop requests) lives in our
own tables, written in the same transactions as the work. A dispatcher only
carries job ids to workers: in-process threads on the embedded default,
Procrastinate workers on PostgreSQL (`geode.jobs` implements both).

It names the app's kinds of job (batch jobs, mass-operation tasks and
chunks), so it lives with the app's assembly, not in the job runtime.
"""

from __future__ import annotations

from typing import Protocol


class Dispatcher(Protocol):
    def enqueue_batch_job(self, job_id: int) -> None: ...

    def enqueue_massop_task(self, task_id: str) -> None: ...

    def enqueue_massop_chunk(self, task_id: str, seq: int) -> None: ...


class NoWorkers:
    """No worker in this process: jobs stay `queued` in their tables, and the next
    worker or server to start picks them up (CLI commands, `serve --no-worker`
    on SQLite)."""

    def enqueue_batch_job(self, job_id: int) -> None:
        pass

    def enqueue_massop_task(self, task_id: str) -> None:
        pass

    def enqueue_massop_chunk(self, task_id: str, seq: int) -> None:
        pass
