"""Runs one batch job slice by slice: the job, and so the place that commits.

Each slice is one transaction holding its effects, its result rows and the
checkpoint move (a compare-and-set on `cursor`). A worker killed at any
moment leaves the job at a slice boundary; whoever runs it next carries on
from the checkpoint, so no object is applied twice and none is lost. A stop
request is read before every slice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import msgspec
import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine

from geode import incidents
from geode.batches import repository
from geode.batches.handler import BatchHandler, ObjectResult, failed, keys_of
from geode.batches.repository import JobInfo
from geode.batches.validation import describe
from geode.db import bulk
from geode.db.engine import reading
from geode.incidents import storable
from geode.jsontext import encode_for_file
from geode.timestamps import utcnow

log = logging.getLogger(__name__)

SLICE_SIZE = 250
# Numbers with a fraction stay exact: money is never a float.
_payload_decoder = msgspec.json.Decoder(list[Any], float_hook=Decimal)
_CONFLICT_RETRIES = 3


class BatchJobRunner:
    def __init__(
        self, engine: Engine, handlers: Mapping[str, BatchHandler], slice_size: int = SLICE_SIZE
    ) -> None:
        self.engine = engine
        self.handlers = handlers
        self.slice_size = slice_size

    def run(self, job_id: int) -> JobInfo:
        """Run (or carry on) a job to its end. Safe to call twice, or on a finished job."""
        with self.engine.begin() as connection:
            job = repository.get_job(connection, job_id)
            if job.finished:
                return job
            if job.stop_requested:
                repository.set_status(connection, job_id, "stopped", finished_at=utcnow())
                return repository.get_job(connection, job_id)
            repository.claim(connection, job, utcnow())
            payload = repository.get_payload(connection, job_id)
        handler = self.handlers[job.type]
        objects = _payload_decoder.decode(payload)
        try:
            cursor = job.cursor
            while cursor < len(objects):
                end = min(cursor + self.slice_size, len(objects))
                if not self._run_slice(handler, job, objects, cursor, end):
                    break
                cursor = end
            else:
                with self.engine.begin() as connection:
                    repository.set_status(connection, job_id, "completed", finished_at=utcnow())
        except Exception as exc:
            incident = incidents.record(f"batch job {job_id} stopped on an unexpected error", exc)
            with self.engine.begin() as connection:
                done = repository.get_job(connection, job_id)
                repository.set_status(
                    connection, job_id, "failed", finished_at=utcnow(),
                    error_message=(
                        f"the job stopped on an unexpected error after {done.cursor} of "
                        f"{done.object_count} objects; their results stand, the others were "
                        f"not applied (error id {incident.error_id})"
                    ),
                )  # fmt: skip
        with reading(self.engine) as connection:
            return repository.get_job(connection, job_id)

    def _run_slice(
        self, handler: BatchHandler, job: JobInfo, objects: list[Any], start: int, end: int
    ) -> bool:
        """Apply objects[start:end]; False when the job must not go on (stopped, taken over).

        Should the database refuse the slice's write, each half is applied the
        same way, down to single objects: the culprit fails alone, in words and
        with an error id, and the other objects are applied.
        """
        attempt = 0
        while True:
            try:
                return self._commit(
                    job,
                    start,
                    end,
                    lambda c: apply_slice(c, handler, job.tenant_id, objects, start, end),
                )
            except Exception as exc:
                refused = bulk.refusal(exc)
                if refused is None:
                    raise
                cause: BaseException = exc
            # A concurrent job may have inserted the same natural key between our
            # read and our write: a retry reads it back and updates instead.
            attempt += 1
            if not isinstance(refused, bulk.BulkConflict) or attempt > _CONFLICT_RETRIES:
                break
        if end - start > 1:
            middle = (start + end) // 2
            return self._run_slice(handler, job, objects, start, middle) and self._run_slice(
                handler, job, objects, middle, end
            )
        item = refused_item(job.id, start, objects[start], handler.key_fields, refused, cause)
        return self._commit(job, start, end, lambda _: [item])

    def _commit(
        self,
        job: JobInfo,
        start: int,
        end: int,
        results_of: Callable[[sa.Connection], list[ObjectResult]],
    ) -> bool:
        """One transaction: the results of objects[start:end], their effects
        (`results_of` writes them) and the checkpoint move."""
        with self.engine.begin() as connection:
            current = repository.get_job(connection, job.id)
            if current.stop_requested or current.status != "running":
                if current.status == "running":
                    repository.set_status(connection, job.id, "stopped", finished_at=utcnow())
                return False
            if current.cursor != start:
                return False  # another worker owns this job now
            results = results_of(connection)
            ok = sum(1 for r in results if r.ok)
            repository.insert_results(
                connection,
                job.id,
                [
                    (start + i, r.ok, encode_for_file(r.item).decode())
                    for i, r in enumerate(results)
                ],
            )
            if not repository.advance(connection, job.id, start, end, ok, len(results) - ok):
                connection.rollback()
                return False
        return True


def refused_item(
    job_id: int,
    position: int,
    obj: Any,
    key_fields: Sequence[str],
    refused: bulk.BulkRefused,
    cause: BaseException,
) -> ObjectResult:
    """The failed item of an object the database refused: its keys, made storable
    (a key may be the very value refused), and the reason in words with an error
    id; the database's own text goes to the server log only."""
    keys = keys_of(obj, key_fields) if isinstance(obj, dict) else {}
    keys = {name: storable(v) if isinstance(v, str) else v for name, v in keys.items()}
    if isinstance(refused, bulk.BulkConflict):
        what = (
            f"body[{position}] was not applied: it conflicts with a record that another "
            "request stored with the same key at the same time; send it again"
        )
    else:
        what = (
            f"body[{position}] was not applied: the database refused to store it, so "
            "nothing of it was kept"
        )
    incident = incidents.record(f"{what} [batch job {job_id}]", cause, frames=False)
    return failed(keys, f"{what} (error id {incident.error_id})")


def apply_slice(
    connection: sa.Connection,
    handler: BatchHandler,
    tenant_id: str,
    objects: Sequence[Any],
    start: int,
    end: int,
) -> list[ObjectResult]:
    """Validate each object, hand the valid ones to the handler, merge back in order."""
    results: list[ObjectResult | None] = []
    valid: list[BaseModel] = []
    for position in range(start, end):
        obj = objects[position]
        try:
            valid.append(handler.schema.model_validate(obj))
            results.append(None)
        except ValidationError as exc:
            keys = keys_of(obj, handler.key_fields) if isinstance(obj, dict) else {}
            results.append(failed(keys, describe(exc, position)))
    applied = iter(handler.apply(connection, tenant_id, valid) if valid else [])
    return [r if r is not None else next(applied) for r in results]
