"""Task and log storage. Functions take the caller's connection and never commit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.db import bulk
from geode.db.key_lookup import KeyLookup
from geode.errors import NotFoundError
from geode.massops.models import ChunkFrame, OperationLog, Task, TaskChunk
from geode.timestamps import stored_timestamp

_tasks: sa.Table = Task.__table__  # type: ignore[assignment]
_logs: sa.Table = OperationLog.__table__  # type: ignore[assignment]
_chunks: sa.Table = TaskChunk.__table__  # type: ignore[assignment]
_frames: sa.Table = ChunkFrame.__table__  # type: ignore[assignment]

LOG_TABLE = "massop_logs"
LOG_COLUMNS = (
    "task_id", "idx", "intent", "ref", "status", "outcome",
    "resource_id", "key", "error_code", "message", "output",
)  # fmt: skip
Counts = dict[str, dict[str, int]]


@dataclass
class TaskInfo:
    id: str
    tenant_id: str
    status: str
    source_name: str
    spool_path: str
    total: int
    processed: int
    counts: Counts
    cancel_requested: bool
    error_message: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    chunked: bool = False
    source_path: str | None = None
    source_size: int | None = None
    source_mtime_ns: int | None = None
    bytes_read: int | None = None
    operations_read: int | None = None
    problems: list[dict[str, Any]] | None = None
    retry_of: str | None = None
    source_sha256: str = ""

    @classmethod
    def from_row(cls, row: Any) -> TaskInfo:
        return cls(
            id=row.id,
            tenant_id=row.tenant_id,
            status=row.status,
            source_name=row.source_name,
            spool_path=row.spool_path,
            total=row.total,
            processed=row.processed,
            counts=msgspec.json.decode(row.counts),
            cancel_requested=bool(row.cancel_requested),
            error_message=row.error_message,
            created_at=stored_timestamp(row.created_at),
            started_at=stored_timestamp(row.started_at) if row.started_at else None,
            finished_at=stored_timestamp(row.finished_at) if row.finished_at else None,
            chunked=bool(row.chunked),
            source_path=row.source_path,
            source_size=row.source_size,
            source_mtime_ns=row.source_mtime_ns,
            bytes_read=row.bytes_read,
            operations_read=row.operations_read,
            problems=msgspec.json.decode(row.problems) if row.problems else None,
            retry_of=row.retry_of,
            source_sha256=row.source_sha256,
        )


def insert_task(connection: sa.Connection, **values: Any) -> None:
    connection.execute(sa.insert(_tasks).values(**values))


def get_task(connection: sa.Connection, task_id: str, tenant_id: str | None = None) -> TaskInfo:
    query = sa.select(_tasks).where(_tasks.c.id == task_id)
    if tenant_id is not None:
        query = query.where(_tasks.c.tenant_id == tenant_id)
    row = connection.execute(query).one_or_none()
    if row is None:
        raise NotFoundError(f"no task with id '{task_id}'")
    task = TaskInfo.from_row(row)
    if task.chunked and task.status not in ("complete", "completeWithErrors"):
        # Progress lives in the chunk rows while workers run them.
        task.processed, task.counts = chunk_progress(connection, task_id)
    return task


# -- chunks of a task that several workers run (see massops.planning) -----------


@dataclass
class ChunkInfo:
    task_id: str
    seq: int
    wave: int
    size: int
    processed: int
    counts: Counts
    status: str


def insert_chunk_frame(
    connection: sa.Connection, task_id: str, seq: int, frame: int, count: int, data: bytes
) -> None:
    connection.execute(
        sa.insert(_frames).values(task_id=task_id, seq=seq, frame=frame, count=count, data=data)
    )


def insert_chunks(connection: sa.Connection, task_id: str, chunks: list[tuple[int, int]]) -> None:
    """(wave, size) per chunk, numbered from 0."""
    connection.execute(
        sa.insert(_chunks),
        [
            {"task_id": task_id, "seq": seq, "wave": wave, "size": size, "processed": 0,
             "counts": "{}", "status": "done" if size == 0 else "pending"}
            for seq, (wave, size) in enumerate(chunks)
        ],
    )  # fmt: skip


def _chunk(row: Any) -> ChunkInfo:
    return ChunkInfo(
        row.task_id, row.seq, row.wave, row.size, row.processed,
        msgspec.json.decode(row.counts), row.status,
    )  # fmt: skip


def get_chunk(connection: sa.Connection, task_id: str, seq: int) -> ChunkInfo:
    row = connection.execute(
        sa.select(_chunks).where(_chunks.c.task_id == task_id, _chunks.c.seq == seq)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"task '{task_id}' has no chunk {seq}")
    return _chunk(row)


def list_chunks(connection: sa.Connection, task_id: str) -> list[ChunkInfo]:
    query = sa.select(_chunks).where(_chunks.c.task_id == task_id).order_by(_chunks.c.seq)
    return [_chunk(row) for row in connection.execute(query)]


def chunk_progress(connection: sa.Connection, task_id: str) -> tuple[int, Counts]:
    processed = 0
    counts: Counts = {}
    for chunk in list_chunks(connection, task_id):
        processed += chunk.processed
        for intent, c in chunk.counts.items():
            into = counts.setdefault(intent, {})
            for outcome, n in c.items():
                into[outcome] = into.get(outcome, 0) + n
    return processed, counts


def set_chunk_status(connection: sa.Connection, task_id: str, seq: int, status: str) -> None:
    connection.execute(
        sa.update(_chunks)
        .where(_chunks.c.task_id == task_id, _chunks.c.seq == seq)
        .values(status=status)
    )


def advance_chunk_step(
    task_id: str, seq: int, expected: int, processed: int, counts: Counts
) -> bulk.Update:
    """The chunk's checkpoint, a compare-and-set like `advance_step`."""
    return bulk.Update(
        _chunks.name,
        ("processed", "counts"),
        ("task_id", "seq", "processed"),
        [(processed, msgspec.json.encode(counts).decode(), task_id, seq, expected)],
        conflict=f"chunk {seq} of task {task_id} was advanced by another worker; stopping so "
        "no operation runs twice",
    )


def chunk_frame_counts(
    connection: sa.Connection, task_id: str, seq: int
) -> Iterator[tuple[int, int]]:
    """(frame number, entry count) of each frame of a chunk, in order."""
    query = (
        sa.select(_frames.c.frame, _frames.c.count)
        .where(_frames.c.task_id == task_id, _frames.c.seq == seq)
        .order_by(_frames.c.frame)
    )
    for frame, count in connection.execute(query):
        yield int(frame), int(count)


def chunk_frame(connection: sa.Connection, task_id: str, seq: int, frame: int) -> bytes:
    """One frame's msgpack data: frames are read one at a time, to keep memory flat."""
    data = connection.execute(
        sa.select(_frames.c.data).where(
            _frames.c.task_id == task_id, _frames.c.seq == seq, _frames.c.frame == frame
        )
    ).scalar_one()
    return bytes(data)


def task_frames(connection: sa.Connection, task_id: str) -> Iterator[bytes]:
    """Every frame of every chunk of a task, one at a time (for `retry`)."""
    keys = connection.execute(
        sa.select(_frames.c.seq, _frames.c.frame)
        .where(_frames.c.task_id == task_id)
        .order_by(_frames.c.seq, _frames.c.frame)
    ).all()
    for seq, frame in keys:
        yield chunk_frame(connection, task_id, int(seq), int(frame))


def cancel_requested(connection: sa.Connection, task_id: str) -> bool:
    """Read before every batch: one column, not the task with its chunks' progress."""
    query = sa.select(_tasks.c.cancel_requested).where(_tasks.c.id == task_id)
    return bool(connection.execute(query).scalar())


def get_needed(connection: sa.Connection, task_id: str) -> bytes | None:
    blob = connection.execute(sa.select(_tasks.c.needed).where(_tasks.c.id == task_id)).scalar()
    return bytes(blob) if blob is not None else None


def lock_task(connection: sa.Connection, task_id: str) -> TaskInfo:
    """The task row, locked until the transaction ends (PostgreSQL; SQLite's
    writers are serialised already), so two workers never schedule at once."""
    query = sa.select(_tasks).where(_tasks.c.id == task_id).with_for_update()
    row = connection.execute(query).one_or_none()
    if row is None:
        raise NotFoundError(f"no task with id '{task_id}'")
    return TaskInfo.from_row(row)


_REF_LOGS_AT = KeyLookup.of(
    sa.select(_logs.c.ref, _logs.c.idx, _logs.c.status, _logs.c.output).where(
        _logs.c.task_id == sa.bindparam("task_id")
    ),
    _logs.c.idx,
    "indexes",
)


def ref_logs_at(
    connection: sa.Connection, task_id: str, indexes: Sequence[int]
) -> Iterator[tuple[str, int, str, str | None]]:
    """(ref, idx, status, output) of the operations at `indexes`, by primary key."""
    for part in bulk.chunked(list(indexes)):
        for row in _REF_LOGS_AT.execute(connection, {"task_id": task_id, "indexes": part}):
            yield row.ref, row.idx, row.status, row.output


def list_tasks(
    connection: sa.Connection, tenant_id: str | None = None, limit: int = 100
) -> list[TaskInfo]:
    query = sa.select(_tasks).order_by(_tasks.c.created_at.desc(), _tasks.c.id).limit(limit)
    if tenant_id is not None:
        query = query.where(_tasks.c.tenant_id == tenant_id)
    return [TaskInfo.from_row(row) for row in connection.execute(query)]


def unfinished_worker_tasks(connection: sa.Connection) -> list[str]:
    query = sa.select(_tasks.c.id).where(
        _tasks.c.by_worker.is_(True), _tasks.c.status.in_(("pending", "running"))
    )  # not `validating`: that task's validation belongs to the request that uploaded it
    return [str(i) for i in connection.execute(query.order_by(_tasks.c.created_at)).scalars()]


def update_task(connection: sa.Connection, task_id: str, **values: Any) -> None:
    connection.execute(sa.update(_tasks).where(_tasks.c.id == task_id).values(**values))


def advance_step(task_id: str, expected: int, processed: int, counts: Counts) -> bulk.Update:
    """Move the checkpoint, in the batch's own transaction: a compare-and-set,
    so that if another process moved it first, this batch is not applied twice."""
    return bulk.Update(
        _tasks.name,
        ("processed", "counts"),
        ("id", "processed"),
        [(processed, msgspec.json.encode(counts).decode(), task_id, expected)],
        conflict=f"task {task_id} was advanced by another process; stopping so no operation "
        "runs twice",
    )


def insert_logs(connection: sa.Connection, rows: Sequence[Sequence[Any]]) -> None:
    bulk.insert_rows(connection, _logs.name, LOG_COLUMNS, rows)


def iter_logs(
    connection: sa.Connection,
    task_id: str,
    status: str | None = None,
    after: int = -1,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    query = sa.select(_logs).where(_logs.c.task_id == task_id, _logs.c.idx > after)
    if status is not None:
        query = query.where(_logs.c.status == status)
    query = query.order_by(_logs.c.idx)
    if limit is not None:
        query = query.limit(limit)
    for row in connection.execute(query).mappings():
        yield dict(row)


def ref_logs(connection: sa.Connection, task_id: str) -> Iterator[tuple[str, int, str, str | None]]:
    """(ref, idx, status, output) of every named operation already run, for resume.

    Not "idx below the checkpoint": the checkpoint is a position in the run
    order, which may differ from the file's (`massops.ordering`). A batch's log
    rows commit with its checkpoint move, so the logs are exactly those of the
    operations before the checkpoint."""
    query = sa.select(_logs.c.ref, _logs.c.idx, _logs.c.status, _logs.c.output).where(
        _logs.c.task_id == task_id, _logs.c.ref.is_not(None)
    )
    yield from connection.execute(query)
