"""Runs one batch job slice by slice: the job, and so the place that commits.

Each slice is one transaction holding its effects, its result rows and the
checkpoint move (a compare-and-set on `cursor`). A worker killed at any
moment leaves the job at a slice boundary; whoever runs it next carries on
from the checkpoint, so no object is applied twice and none is lost. A stop
request is read before every slice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import msgspec
import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine

from geode.batches import repository
from geode.batches.handler import BatchHandler, ObjectResult, failed, keys_of
from geode.batches.repository import JobInfo
from geode.batches.validation import describe
from geode.db.bulk import BulkConflict
from geode.db.engine import reading
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
            log.exception("batch job %s failed", job_id)
            with self.engine.begin() as connection:
                repository.set_status(
                    connection, job_id, "failed", finished_at=utcnow(),
                    error_message=f"{type(exc).__name__}: {exc}",
                )  # fmt: skip
        with reading(self.engine) as connection:
            return repository.get_job(connection, job_id)

    def _run_slice(
        self, handler: BatchHandler, job: JobInfo, objects: list[Any], start: int, end: int
    ) -> bool:
        """Apply objects[start:end]; False when the job must not go on (stopped, taken over)."""
        for attempt in range(_CONFLICT_RETRIES + 1):
            try:
                with self.engine.begin() as connection:
                    current = repository.get_job(connection, job.id)
                    if current.stop_requested or current.status != "running":
                        if current.status == "running":
                            repository.set_status(
                                connection, job.id, "stopped", finished_at=utcnow()
                            )
                        return False
                    if current.cursor != start:
                        return False  # another worker owns this job now
                    results = apply_slice(connection, handler, job.tenant_id, objects, start, end)
                    ok = sum(1 for r in results if r.ok)
                    repository.insert_results(
                        connection,
                        job.id,
                        [
                            (start + i, r.ok, encode_for_file(r.item).decode())
                            for i, r in enumerate(results)
                        ],
                    )
                    if not repository.advance(
                        connection, job.id, start, end, ok, len(results) - ok
                    ):
                        connection.rollback()
                        return False
                return True
            except (sa.exc.IntegrityError, BulkConflict):
                # A concurrent job inserted the same natural key between our read
                # and our write: the retry reads it back and updates instead.
                if attempt == _CONFLICT_RETRIES:
                    raise
        return False


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
