"""Batch jobs as the front doors see them: submit, status, stop, run.

`submit` stores the objects and the job in one transaction and only then
hands the job id to the dispatcher, so a job that is acknowledged is always
stored (and a refused request stores nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Engine

from geode.batches import repository
from geode.batches.handler import BatchHandler
from geode.batches.repository import JobInfo
from geode.batches.runner import BatchJobRunner
from geode.db.engine import reading
from geode.errors import InvalidInputError, NotFoundError
from geode.jsontext import encode_for_file
from geode.timestamps import utcnow

MAX_OBJECTS = 1000

Enqueue = Callable[[int], None]


class UnknownBatchTypeError(NotFoundError):
    code = "unknown_batch_type"


class BatchJobService:
    def __init__(
        self,
        engine: Engine,
        handlers: Mapping[str, BatchHandler] | Callable[[], Mapping[str, BatchHandler]],
        enqueue: Enqueue,
    ) -> None:
        """`handlers` may be a factory: CLI commands that never touch batch jobs then
        never import the seven types' schemas."""
        self.engine = engine
        self._handlers = handlers
        self.enqueue = enqueue

    @cached_property
    def handlers(self) -> Mapping[str, BatchHandler]:
        return self._handlers() if callable(self._handlers) else self._handlers

    @cached_property
    def runner(self) -> BatchJobRunner:
        return BatchJobRunner(self.engine, self.handlers)

    @property
    def types(self) -> list[str]:
        return list(self.handlers)

    def handler(self, type_: str) -> BatchHandler:
        try:
            return self.handlers[type_]
        except KeyError:
            raise UnknownBatchTypeError(
                f"unknown batch type {type_!r}; use one of: {', '.join(self.handlers)}",
                detail={"types": list(self.handlers)},
            ) from None

    def submit(self, tenant_id: str, type_: str, objects: Sequence[Any]) -> int:
        """Store a job and queue it. Objects are checked one by one when the job runs."""
        self.handler(type_)
        if not 1 <= len(objects) <= MAX_OBJECTS:
            raise InvalidInputError(
                f"body holds {len(objects)} objects; a batch takes 1 to {MAX_OBJECTS}, "
                "so split the list into several requests",
                detail={"count": len(objects), "max": MAX_OBJECTS},
            )
        with self.engine.begin() as connection:
            job_id = repository.insert_job(
                connection,
                tenant_id,
                type_,
                encode_for_file(list(objects)).decode(),
                len(objects),
                utcnow(),
            )
        self.enqueue(job_id)
        return job_id

    def get(self, tenant_id: str, job_id: int) -> JobInfo:
        with reading(self.engine) as connection:
            return repository.get_job(connection, job_id, tenant_id)

    def status(self, tenant_id: str, job_id: int) -> dict[str, Any]:
        """The seed's status document: counts so far and every object's result;
        for a `failed` job, `error` says why."""
        with reading(self.engine) as connection:
            job = repository.get_job(connection, job_id, tenant_id)
            successful, failed = repository.results(connection, job_id)
        status = {
            "operation": self.handler(job.type).operation,
            "errorCount": job.error_count,
            "totalCount": job.finished_count + job.error_count,
            "finishedCount": job.finished_count,
            "startedAt": job.started_at,
            "createdAt": job.created_at,
            "status": job.status,
            "response": {"successful": successful, "failed": failed}
            if successful or failed
            else None,
        }
        if job.status == "failed":  # only then: the seed's document has no such key
            status["error"] = job.error_message
        return status

    def stop(self, tenant_id: str, job_id: int) -> JobInfo:
        """A queued job never runs; a running one stops before its next slice."""
        with self.engine.begin() as connection:
            job = repository.get_job(connection, job_id, tenant_id)
            if job.status == "queued":
                repository.set_status(
                    connection, job_id, "stopped", stop_requested=True, finished_at=utcnow()
                )
            elif job.status == "running":
                repository.set_status(connection, job_id, "running", stop_requested=True)
            return repository.get_job(connection, job_id)

    def run(self, job_id: int) -> JobInfo:
        return self.runner.run(job_id)

    def unfinished(self) -> list[int]:
        with reading(self.engine) as connection:
            return repository.unfinished_job_ids(connection)
