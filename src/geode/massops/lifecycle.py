"""A task exists from its first moment: created `validating`, before its file is read.

While the validation pass reads the file, its progress (bytes and operations
read) goes to the task row about once a second, so `massop list`/`status` and
the HTTP API show it. The pass ends the task's validation one of two ways:
`pending` over its spool, or `invalid` holding the problems of a refused file
(nothing is written to the store either way).

A process killed while validating leaves the task `validating`; `resume`
validates the file again from its recorded path, if the file is still the
one that was read: same size and modification time while no fingerprint was
taken yet, else the same sha256. A lock file next to the spool tells a killed
validation (its lock died with its process) from one still under way.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geode.errors import ConflictError
from geode.massops import repository
from geode.massops.repository import TaskInfo
from geode.massops.validation import ValidationProgress, ValidationReport
from geode.timestamps import utcnow

VALIDATING = "validating"
INVALID = "invalid"
PROGRESS_SECONDS = 1.0


def create_task(
    engine: Engine,
    task_id: str,
    tenant_id: str,
    path: Path,
    spool_path: Path,
    source_name: str,
    *,
    by_worker: bool = False,
    retry_of: str | None = None,
) -> TaskInfo:
    """Insert the task, `validating`, in its own transaction: visible at once."""
    stat = path.stat()
    with engine.begin() as connection:
        repository.insert_task(
            connection,
            id=task_id,
            tenant_id=tenant_id,
            status=VALIDATING,
            source_name=source_name,
            spool_path=str(spool_path),
            source_sha256="",
            total=0,
            processed=0,
            counts="{}",
            cancel_requested=False,
            by_worker=by_worker,
            created_at=utcnow(),
            source_path=str(path.resolve()),
            source_size=stat.st_size,
            source_mtime_ns=stat.st_mtime_ns,
            bytes_read=0,
            operations_read=0,
            retry_of=retry_of,
        )
        return repository.get_task(connection, task_id)


class ProgressRecorder:
    """Passes validation progress on to `forward` (a progress bar) every time,
    and to the task row at most once every `interval` seconds."""

    def __init__(
        self,
        engine: Engine,
        task_id: str,
        forward: ValidationProgress | None = None,
        interval: float = PROGRESS_SECONDS,
    ) -> None:
        self.engine = engine
        self.task_id = task_id
        self.forward = forward
        self.interval = interval
        self.last = time.monotonic()

    def __call__(self, bytes_read: int, operations: int) -> None:
        if self.forward is not None:
            self.forward(bytes_read, operations)
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            with self.engine.begin() as connection:
                repository.update_task(
                    connection, self.task_id, bytes_read=bytes_read, operations_read=operations
                )


def validated(connection: sa.Connection, task_id: str, report: ValidationReport) -> None:
    """The file is clean and spooled: the task is an ordinary `pending` one."""
    task = repository.get_task(connection, task_id)
    repository.update_task(
        connection, task_id, status="pending", total=report.total, source_sha256=report.sha256,
        operations_read=report.total, bytes_read=task.source_size, cancel_requested=False,
        finished_at=None, error_message=None,
    )  # fmt: skip


def refused(engine: Engine, task_id: str, report: ValidationReport, message: str) -> None:
    """The file was refused: the task ends `invalid`, holding every problem."""
    problems = [p.as_dict() for p in report.problems]
    with engine.begin() as connection:
        repository.update_task(
            connection, task_id, status=INVALID, error_message=message,
            problems=msgspec.json.encode(problems).decode(), operations_read=report.total,
            finished_at=utcnow(),
        )  # fmt: skip


def interrupted(engine: Engine, task_id: str, status: str, message: str) -> None:
    """Validation stopped (Ctrl-C, an error): `resume` validates the file again."""
    with engine.begin() as connection:
        repository.update_task(
            connection, task_id, status=status, error_message=message, finished_at=utcnow()
        )


def needs_validation(task: TaskInfo) -> bool:
    """Whether resuming `task` must first validate its file (again): its
    validation was cut short, or the spool a run needs is gone while the file
    it was made from may still be there."""
    if task.status == VALIDATING:
        return True
    if task.status in (INVALID, "complete", "completeWithErrors") or task.chunked:
        return False
    return task.source_path is not None and not Path(task.spool_path).exists()


def check_source(task: TaskInfo) -> Path:
    """The task's file, if it is still the one that was read; else ConflictError."""
    if task.source_path is None:
        raise ConflictError(f"task {task.id} cannot resume: it does not record its file")
    path = Path(task.source_path)
    if not path.is_file():
        raise ConflictError(
            f"task {task.id} cannot resume: its file {path} is gone; run the file again"
        )
    if not task.source_sha256:  # no fingerprint was taken yet: size and time must match
        stat = path.stat()
        if (stat.st_size, stat.st_mtime_ns) != (task.source_size, task.source_mtime_ns):
            raise ConflictError(
                f"task {task.id} cannot resume: its file {path} changed since the task "
                "started (size or modification time); run the file again as a new task"
            )
    return path


def changed_file(task: TaskInfo, sha256: str) -> ConflictError:
    return ConflictError(
        f"task {task.id} cannot resume: its file {task.source_path} changed since it was "
        f"validated (sha256 {sha256[:12]}... instead of {task.source_sha256[:12]}...); run "
        "the file again as a new task"
    )


@contextmanager
def validation_lock(spool_path: Path, task_id: str) -> Iterator[None]:
    """Held while a task's file is validated; refused (ConflictError) while
    another live process holds it. The kernel drops it with its process."""
    lock_path = spool_path.with_suffix(".validating")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise ConflictError(
            f"task {task_id} is being validated by another process; wait for it"
        ) from None
    try:
        yield
    finally:
        lock_path.unlink(missing_ok=True)
        os.close(descriptor)


def validation_view(task: TaskInfo) -> dict[str, Any] | None:
    """How far validation got (the whole file, once validated); None for tasks
    made before Geode recorded it."""
    if task.bytes_read is None:
        return None
    return {
        "bytesRead": task.bytes_read,
        "bytesTotal": task.source_size,
        "operationsRead": task.operations_read,
    }
