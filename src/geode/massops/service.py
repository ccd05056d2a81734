"""Mass operations as the front doors see them: validate, submit, run, resume, inspect.

Front doors (CLI now, REST and GraphQL next) call these and nothing deeper, so
every door behaves the same.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from geode.db import sqlite_writer
from geode.db.engine import reading
from geode.errors import ConflictError, InvalidFileError
from geode.ids import new_id
from geode.json_input import DEFAULT_MAX_DEPTH
from geode.massops import lifecycle, repository
from geode.massops import retry as retry_files
from geode.massops.distributed import ChunkedTasks, EnqueueChunk, store_plan
from geode.massops.intents import IntentRegistry
from geode.massops.problems import Problem
from geode.massops.repository import TaskInfo
from geode.massops.runner import ProgressCallback, TaskRunner, failure_message, needed_path
from geode.massops.spool import SpoolWriter, reorder_spool
from geode.massops.validation import ValidationProgress, ValidationReport, validate_file
from geode.timestamps import utcnow

FINISHED = ("complete", "completeWithErrors")


@dataclass(frozen=True)
class Retry:
    """`task` retried as `new`; `new` is None when nothing of it failed."""

    task: TaskInfo
    new: TaskInfo | None


class MassOperationService:
    def __init__(
        self,
        engine: Engine,
        intents: IntentRegistry,
        spool_dir: Path,
        batch_size: int,
        commit_every: int = 4_000,
        enqueue_task: Callable[[str], None] = lambda _task_id: None,
    ) -> None:
        """`intents`: every intent a file may use (the app assembles them);
        `enqueue_task` hands a task id to the workers (the app binds its dispatcher)."""
        self.engine = engine
        self.intents = intents
        self.enqueue_task = enqueue_task
        self.spool_dir = spool_dir
        self.batch_size = batch_size
        self.commit_every = commit_every
        self.chunked = ChunkedTasks(engine, intents, batch_size, commit_every)
        self.chunk_size: int | None = None
        """Set (on PostgreSQL) to split worker tasks bigger than this into chunks."""
        self.writer_process_min_ops = sqlite_writer.MIN_OPERATIONS
        """On SQLite, runs with this many operations to go write from a process."""
        self.max_json_depth = DEFAULT_MAX_DEPTH
        """Files nesting values deeper than this are refused (see json_input)."""

    def validate(self, path: Path) -> ValidationReport:
        try:
            return validate_file(path, self.intents, max_depth=self.max_json_depth)
        except RecursionError:
            return _too_deep()

    def submit(
        self,
        tenant_id: str,
        path: Path,
        *,
        source_name: str | None = None,
        by_worker: bool = False,
        on_validation_progress: ValidationProgress | None = None,
        retry_of: str | None = None,
    ) -> TaskInfo:
        """Create the task (`validating`), validate the whole file, and make it a
        `pending` task over its spool.

        A refused file leaves the task `invalid` with its problems and raises
        InvalidFileError listing them; nothing is written to the store.
        Validation runs outside any transaction, so it holds no lock meanwhile.
        """
        task_id = new_id()
        spool_path = (self.spool_dir / f"{task_id}.spool").resolve()
        task = lifecycle.create_task(
            self.engine, task_id, tenant_id, path, spool_path, source_name or str(path),
            by_worker=by_worker, retry_of=retry_of,
        )  # fmt: skip
        return self._validate_task(task, path, on_validation_progress, by_worker=by_worker)

    def _validate_task(
        self,
        task: TaskInfo,
        path: Path,
        on_progress: ValidationProgress | None,
        *,
        by_worker: bool,
    ) -> TaskInfo:
        """Validate `task`'s file into its spool and end its validation (see lifecycle)."""
        task_id, spool_path = task.id, Path(task.spool_path)
        recorder = lifecycle.ProgressRecorder(self.engine, task_id, on_progress)
        with lifecycle.validation_lock(spool_path, task_id):
            try:
                report = self._write_spool(path, spool_path, recorder)
            except KeyboardInterrupt:
                lifecycle.interrupted(
                    self.engine, task_id, "cancelled",
                    f"cancelled while validating; `geode massop resume {task_id}` validates "
                    "the file again and runs it",
                )  # fmt: skip
                raise
            except BaseException as exc:
                lifecycle.interrupted(self.engine, task_id, "failed", failure_message(task_id, exc))
                raise
            if not report.ok:
                error = invalid_file(report)
                lifecycle.refused(self.engine, task_id, report, error.message)
                raise error
            if task.source_sha256 and report.sha256 != task.source_sha256:
                spool_path.unlink(missing_ok=True)
                needed_path(spool_path).unlink(missing_ok=True)
                raise lifecycle.changed_file(task, report.sha256)
            with self.engine.begin() as connection:
                lifecycle.validated(connection, task_id, report)
                chunked = (
                    by_worker
                    and self.chunk_size is not None
                    and report.total > self.chunk_size
                    and store_plan(
                        connection,
                        task_id,
                        spool_path,
                        report.needed,
                        self.chunk_size,
                        self.intents,
                    )
                )
                task = repository.get_task(connection, task_id)
        if chunked:  # its operations now live in the database, for workers anywhere
            spool_path.unlink(missing_ok=True)
            needed_path(spool_path).unlink(missing_ok=True)
        if task.retry_of is not None and path.parent == self.spool_dir.resolve():
            path.unlink(missing_ok=True)  # a retry's file, made by `retry`: the spool has it
        return task

    def retry(
        self,
        task_id: str,
        tenant_id: str | None = None,
        *,
        by_worker: bool = False,
        on_validation_progress: ValidationProgress | None = None,
    ) -> Retry:
        """A new task of the failed and skipped operations of a finished task, in
        file order (see massops.retry); queued for the workers with `by_worker`.
        Refused (ConflictError) while the task has not finished."""
        with reading(self.engine) as connection:
            task = repository.get_task(connection, task_id, tenant_id)
        if task.status not in FINISHED:
            raise ConflictError(
                f"task {task_id} is {task.status}: only a finished task can be retried"
                + (
                    f"; finish it first with `geode massop resume {task_id}`"
                    if task.status in ("pending", "running", "cancelled", "failed", "validating")
                    else "; correct the file and run it as a new task"
                )
            )
        path = (self.spool_dir / f"retry-{new_id()}.json").resolve()
        with reading(self.engine) as connection:
            count = retry_files.write_retry_file(connection, task_id, path)
        if count == 0:
            return Retry(task, None)
        try:
            new = self.submit(
                task.tenant_id, path, source_name=f"retry of {task_id} ({task.source_name})",
                by_worker=by_worker, on_validation_progress=on_validation_progress,
                retry_of=task_id,
            )  # fmt: skip
        except InvalidFileError:
            path.unlink(missing_ok=True)
            raise
        if by_worker:
            self.enqueue_task(new.id)
        return Retry(task, new)

    def revalidate(
        self, task_id: str, on_validation_progress: ValidationProgress | None = None
    ) -> TaskInfo:
        """Before a resume: validate the task's file again when its validation was
        cut short (a kill, Ctrl-C) or its spool is gone, if the file is still the
        one that was read. Any other task comes back as it is."""
        task = self.get(task_id)
        if not lifecycle.needs_validation(task):
            return task
        path = lifecycle.check_source(task)
        return self._validate_task(task, path, on_validation_progress, by_worker=False)

    def queue(
        self,
        tenant_id: str,
        path: Path,
        *,
        source_name: str | None = None,
        on_validation_progress: ValidationProgress | None = None,
    ) -> TaskInfo:
        """Submit the file as a task for the workers and queue it."""
        task = self.submit(
            tenant_id, path, source_name=source_name, by_worker=True,
            on_validation_progress=on_validation_progress,
        )  # fmt: skip
        self.enqueue_task(task.id)
        return task

    def requeue(self, task_id: str, tenant_id: str | None = None) -> TaskInfo:
        """`reopen` the task for the workers and queue it; a finished task comes
        back as it is, queued for nothing."""
        task = self.reopen(task_id, tenant_id)
        if task.status not in FINISHED:
            self.enqueue_task(task.id)
        return task

    def _spool(
        self, path: Path, spool_dir: Path | None = None
    ) -> tuple[str, Path, ValidationReport]:
        """Validate into a new spool, for a task not stored yet (dry runs)."""
        task_id = new_id()
        spool_path = ((spool_dir or self.spool_dir) / f"{task_id}.spool").resolve()
        report = self._write_spool(path, spool_path)
        if not report.ok:
            raise invalid_file(report)
        return task_id, spool_path, report

    def _write_spool(
        self, path: Path, spool_path: Path, progress: ValidationProgress | None = None
    ) -> ValidationReport:
        """Validate `path` into `spool_path`; a refused file leaves no spool."""
        writer = SpoolWriter(spool_path)
        try:
            report = validate_file(
                path, self.intents, writer, max_depth=self.max_json_depth, progress=progress
            )
        except RecursionError:
            report = _too_deep()  # discarded below, like any refused file
        except BaseException:
            writer.discard()
            raise
        if not report.ok:
            writer.discard()
            return report
        writer.close()
        if report.order is not None:
            reorder_spool(spool_path, report.order)
        needed_path(spool_path).write_bytes(msgspec.msgpack.encode(report.needed))
        return report

    def _insert_task(
        self,
        connection: Connection,
        task_id: str,
        tenant_id: str,
        spool_path: Path,
        report: ValidationReport,
        source_name: str,
        *,
        by_worker: bool = False,
    ) -> TaskInfo:
        repository.insert_task(
            connection,
            id=task_id,
            tenant_id=tenant_id,
            status="pending",
            source_name=source_name,
            spool_path=str(spool_path),
            source_sha256=report.sha256,
            total=report.total,
            processed=0,
            counts="{}",
            cancel_requested=False,
            by_worker=by_worker,
            created_at=utcnow(),
        )
        return repository.get_task(connection, task_id)

    def run(
        self,
        task_id: str,
        on_progress: ProgressCallback | None = None,
        stop_requested: Callable[[], bool] | None = None,
    ) -> TaskInfo:
        """Run (or resume) a task; it stops as cancelled before the first batch
        after `stop_requested()` turns true."""
        with reading(self.engine) as connection:
            task = repository.get_task(connection, task_id)
        if task.status in FINISHED:
            return task  # resuming a finished task is a no-op, so retries are safe
        if task.status == "cancelled" and task.cancel_requested:
            return task  # cancelled on request: it stays so until `reopen`ed
        _refuse_unvalidated(task)
        if task.chunked:
            return self.chunked.run_inline(task_id)
        if not Path(task.spool_path).exists():
            raise ConflictError(
                f"task {task_id} cannot resume: its spool {task.spool_path} is gone"
            )
        return TaskRunner(
            self.engine,
            task,
            self.intents,
            batch_size=self.batch_size,
            commit_every=self.commit_every,
            on_progress=on_progress,
            stop_requested=stop_requested,
            process_writer_min_operations=self.writer_process_min_ops,
        ).run()

    def dry_run(
        self,
        tenant_id: str,
        path: Path,
        on_progress: ProgressCallback | None = None,
        on_order: Callable[[list[int]], None] | None = None,
    ) -> TaskInfo:
        """Everything a run does, inside one transaction that is rolled back.
        `on_order` is told the run order (file indexes) when it is not the file's."""
        scratch = self.spool_dir / f"dry-run-{new_id()}"
        try:
            with self.engine.connect() as connection:
                outer = connection.begin()
                try:
                    task_id, spool_path, report = self._spool(path, scratch)
                    if report.order is not None and on_order is not None:
                        on_order(report.order)
                    task = self._insert_task(
                        connection, task_id, tenant_id, spool_path, report, str(path)
                    )
                    runner = TaskRunner(
                        self.engine, task, self.intents, batch_size=self.batch_size,
                        on_progress=on_progress, connection=connection,
                    )  # fmt: skip
                    return runner.run()
                finally:
                    outer.rollback()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def request_cancel(self, task_id: str, tenant_id: str | None = None) -> TaskInfo:
        with self.engine.begin() as connection:
            task = repository.get_task(connection, task_id, tenant_id)
            # A chunked task between chunks has no runner to notice the flag; its
            # running chunks stop at their next checkpoint all the same.
            if task.status in ("pending", "failed") or (task.chunked and task.status == "running"):
                repository.update_task(
                    connection, task_id, status="cancelled", cancel_requested=True,
                    finished_at=utcnow(),
                )  # fmt: skip
            elif task.status == "running":
                repository.update_task(connection, task_id, cancel_requested=True)
            return repository.get_task(connection, task_id)

    def reopen(
        self, task_id: str, tenant_id: str | None = None, *, by_worker: bool = True
    ) -> TaskInfo:
        """Make a cancelled, failed or stalled task runnable again from its checkpoint,
        for a worker to resume: the caller queues it. A finished task comes back as
        it is. Raises ConflictError when the spool the run needs is gone.

        Queuing a task that is in fact still running is safe: the checkpoint is a
        compare-and-set, so no operation runs twice.
        """
        with self.engine.begin() as connection:
            task = repository.get_task(connection, task_id, tenant_id)
            if task.status in FINISHED:
                return task
            _refuse_unvalidated(task)
            spool = Path(task.spool_path)
            if task.chunked:
                self.chunked.reopen(connection, task_id)
            elif not (spool.exists() and needed_path(spool).exists()):
                raise ConflictError(
                    f"task {task_id} cannot resume: its spool is gone; submit the file again"
                )
            values: dict[str, Any] = {"cancel_requested": False, "by_worker": by_worker}
            if task.status in ("cancelled", "failed"):
                values.update(status="pending", finished_at=None, error_message=None)
            repository.update_task(connection, task_id, **values)
            return repository.get_task(connection, task_id)

    def run_for_worker(self, task_id: str, enqueue_chunk: EnqueueChunk) -> TaskInfo:
        """A worker's entry point: a chunked task only queues its ready chunks."""
        with reading(self.engine) as connection:
            task = repository.get_task(connection, task_id)
        if task.chunked:
            return self.chunked.dispatch(task_id, enqueue_chunk)
        return self.run(task_id)

    def run_chunk_for_worker(self, task_id: str, seq: int, enqueue_chunk: EnqueueChunk) -> None:
        """Run one chunk, then queue whatever can run next (or finish the task)."""
        self.chunked.run_chunk(task_id, seq)
        self.chunked.dispatch(task_id, enqueue_chunk)

    def unfinished_worker_tasks(self) -> list[str]:
        """Tasks handed to workers that have not ended: a starting worker picks them up."""
        with reading(self.engine) as connection:
            return repository.unfinished_worker_tasks(connection)

    def get(self, task_id: str, tenant_id: str | None = None) -> TaskInfo:
        with reading(self.engine) as connection:
            return repository.get_task(connection, task_id, tenant_id)

    def list(self, tenant_id: str | None = None, limit: int = 100) -> list[TaskInfo]:
        with reading(self.engine) as connection:
            return repository.list_tasks(connection, tenant_id, limit)

    def logs(
        self,
        task_id: str,
        status: str | None = None,
        after: int = -1,
        limit: int | None = None,
        *,
        tenant_id: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Log rows in operation order; with `tenant_id`, another tenant's task is not found."""
        with reading(self.engine) as connection:
            repository.get_task(connection, task_id, tenant_id)
            yield from repository.iter_logs(connection, task_id, status, after, limit)


def _refuse_unvalidated(task: TaskInfo) -> None:
    """A task whose file was refused, or is not validated yet, has nothing to run."""
    if task.status == lifecycle.INVALID:
        raise ConflictError(
            f"task {task.id} cannot run: its file was refused (see `geode massop status "
            f"{task.id}`); correct the file and run it as a new task"
        )
    if task.status == lifecycle.VALIDATING:
        raise ConflictError(
            f"task {task.id} is validating its file, or its validation was cut short: "
            f"`geode massop resume {task.id}` validates the file again and runs it"
        )


def _too_deep() -> ValidationReport:
    """The checks walk values recursively: a file nested past Python's recursion
    limit is refused as a problem of the file, not a crash."""
    report = ValidationReport()
    report.add(
        Problem(None, None, "$", "the file nests values too deeply to check", "invalid_file")
    )
    return report


def invalid_file(report: ValidationReport) -> InvalidFileError:
    count = len(report.problems) + report.omitted_problems
    detail = [p.as_dict() for p in report.problems]
    message = (
        f"the file was refused: {count} problem{'s' if count != 1 else ''}; nothing was written"
    )
    return InvalidFileError(message, detail=detail)
