"""Reads and writes of batch jobs and their result rows. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.batches.models import BatchJob, BatchResult
from geode.errors import NotFoundError
from geode.timestamps import stored_timestamp

_jobs: sa.Table = BatchJob.__table__  # type: ignore[assignment]
_results: sa.Table = BatchResult.__table__  # type: ignore[assignment]

FINISHED = ("completed", "stopped", "failed")
# Decimals stay exact (12.30 is not 12.3): the API writes them back as JSON numbers.
_item_decoder = msgspec.json.Decoder(dict[str, Any], float_hook=Decimal)


@dataclass(frozen=True, slots=True)
class JobInfo:
    id: int
    tenant_id: str
    type: str
    status: str
    object_count: int
    cursor: int
    finished_count: int
    error_count: int
    stop_requested: bool
    error_message: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


_INFO_COLUMNS = [c for c in _jobs.c if c.name != "payload"]


def _info(row: sa.Row[Any]) -> JobInfo:
    m = row._mapping
    return JobInfo(
        id=m["id"],
        tenant_id=m["tenant_id"],
        type=m["type"],
        status=m["status"],
        object_count=m["object_count"],
        cursor=m["cursor"],
        finished_count=m["finished_count"],
        error_count=m["error_count"],
        stop_requested=bool(m["stop_requested"]),
        error_message=m["error_message"],
        created_at=stored_timestamp(m["created_at"]),
        started_at=stored_timestamp(m["started_at"]) if m["started_at"] else None,
        finished_at=stored_timestamp(m["finished_at"]) if m["finished_at"] else None,
    )


def insert_job(
    connection: sa.Connection, tenant_id: str, type_: str, payload: str, count: int, now: str
) -> int:
    result = connection.execute(
        sa.insert(_jobs)
        .values(
            tenant_id=tenant_id, type=type_, status="queued", object_count=count, cursor=0,
            finished_count=0, error_count=0, stop_requested=False, payload=payload,
            created_at=now,
        )
        .returning(_jobs.c.id)
    )  # fmt: skip
    return int(result.scalar_one())


def get_job(connection: sa.Connection, job_id: int, tenant_id: str | None = None) -> JobInfo:
    """A job of another tenant is reported missing, exactly like one that never existed."""
    query = sa.select(*_INFO_COLUMNS).where(_jobs.c.id == job_id)
    if tenant_id is not None:
        query = query.where(_jobs.c.tenant_id == tenant_id)
    row = connection.execute(query).first()
    if row is None:
        raise NotFoundError(f"no batch job {job_id}")
    return _info(row)


def get_payload(connection: sa.Connection, job_id: int) -> str:
    return str(connection.execute(sa.select(_jobs.c.payload).where(_jobs.c.id == job_id)).scalar())


def unfinished_job_ids(connection: sa.Connection) -> list[int]:
    query = sa.select(_jobs.c.id).where(_jobs.c.status.in_(("queued", "running")))
    return [int(i) for i in connection.execute(query.order_by(_jobs.c.id)).scalars()]


def set_status(connection: sa.Connection, job_id: int, status: str, **values: Any) -> None:
    connection.execute(sa.update(_jobs).where(_jobs.c.id == job_id).values(status=status, **values))


def claim(connection: sa.Connection, job: JobInfo, now: str) -> bool:
    """queued → running; False when the job is no longer queued or running."""
    result = connection.execute(
        sa.update(_jobs)
        .where(_jobs.c.id == job.id, _jobs.c.status.in_(("queued", "running")))
        .values(status="running", started_at=job.started_at or now)
    )
    return result.rowcount == 1


def advance(
    connection: sa.Connection, job_id: int, expected: int, cursor: int, ok: int, bad: int
) -> bool:
    """Move the checkpoint and the counts in the slice's own transaction.

    A compare-and-set: False when another worker moved it first, and then
    the slice must be rolled back so no object is applied twice.
    """
    result = connection.execute(
        sa.update(_jobs)
        .where(_jobs.c.id == job_id, _jobs.c.cursor == expected, _jobs.c.status == "running")
        .values(
            cursor=cursor,
            finished_count=_jobs.c.finished_count + ok,
            error_count=_jobs.c.error_count + bad,
        )
    )
    return result.rowcount == 1


def insert_results(
    connection: sa.Connection, job_id: int, rows: Sequence[tuple[int, bool, str]]
) -> None:
    if rows:
        connection.execute(
            sa.insert(_results),
            [{"job_id": job_id, "position": p, "ok": ok, "item": item} for p, ok, item in rows],
        )


def results(connection: sa.Connection, job_id: int) -> tuple[list[Any], list[Any]]:
    successful: list[Any] = []
    failed: list[Any] = []
    query = sa.select(_results.c.ok, _results.c.item).where(_results.c.job_id == job_id)
    for ok, item in connection.execute(query.order_by(_results.c.position)):
        (successful if ok else failed).append(_item_decoder.decode(item))
    return successful, failed
