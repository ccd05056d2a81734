"""Runs a task batch by batch: the job, and so the place that commits.

Each batch is one transaction holding its effects, its log rows and the
checkpoint move. A process killed at any moment leaves the store at a batch
boundary, and `resume` continues from the checkpoint: nothing is applied twice
and nothing is lost.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geode import incidents
from geode.db import bulk, sqlite_writer
from geode.db.engine import reading
from geode.db.statistics import TableStatistics
from geode.errors import ConflictError, GeodeError
from geode.massops import repository
from geode.massops.apply import BatchApplier, Counts, PendingWrites, failure_row
from geode.massops.intents import IntentRegistry, SpoolEntry
from geode.massops.pipeline import BatchWriter, ProcessBatchWriter, WriteJob, Writer
from geode.massops.references import Needed, ReferenceState
from geode.massops.repository import TaskInfo
from geode.massops.retry import keep_failed_inputs
from geode.massops.spool import read_spool
from geode.timestamps import utcnow
from geode.util import collect_batch_garbage, gc_paused

ProgressCallback = Callable[[int, int], None]


class TaskCancelled(Exception):
    pass


def needed_path(spool_path: Path) -> Path:
    return spool_path.with_suffix(".refs")


def final_status(counts: repository.Counts) -> str:
    failed = any(c.get("failed", 0) or c.get("skipped", 0) for c in counts.values())
    return "completeWithErrors" if failed else "complete"


class TaskRunner:
    def __init__(
        self,
        engine: Engine,
        task: TaskInfo,
        intents: IntentRegistry,
        *,
        batch_size: int,
        commit_every: int = 4_000,
        on_progress: ProgressCallback | None = None,
        connection: sa.Connection | None = None,
        stop_requested: Callable[[], bool] | None = None,
        process_writer_min_operations: int = sqlite_writer.MIN_OPERATIONS,
    ) -> None:
        """With `connection` (dry runs) batches nest as savepoints in its
        transaction instead of committing."""
        self.engine = engine
        self.intents = intents
        self.process_writer_min_operations = process_writer_min_operations
        self.task = task
        self.batch_size = batch_size
        self.commit_every = commit_every
        self.on_progress = on_progress
        self.stop_requested = stop_requested
        """Asked before each batch, like the task's cancel flag (the CLI's Ctrl-C)."""
        self.connection = connection

    def run(self) -> TaskInfo:
        task = self.task
        spool = Path(task.spool_path)
        needed: Needed = msgspec.msgpack.decode(needed_path(spool).read_bytes(), type=Needed)
        with self._transaction() as connection:
            refs = self._restore_references(connection, needed, task.processed)
            repository.update_task(
                connection, task.id, status="running", started_at=task.started_at or utcnow(),
                error_message=None,
            )  # fmt: skip
        counts = {intent: Counter(c) for intent, c in task.counts.items()}
        try:
            with gc_paused():
                if self.connection is not None:
                    self._run_sequential(task.processed, refs, counts)
                else:
                    self._run_pipelined(task.processed, refs, counts)
        except (KeyboardInterrupt, TaskCancelled):
            self._finish("cancelled")
            raise
        except ConflictError:
            raise
        except Exception as exc:
            self._finish("failed", error=failure_message(self.task.id, exc))
            raise
        done = self._reload()
        return self._finish(final_status(done.counts))

    def _reload(self) -> TaskInfo:
        if self.connection is not None:
            return repository.get_task(self.connection, self.task.id)
        with reading(self.engine) as connection:
            return repository.get_task(connection, self.task.id)

    # -- hooks: where operations come from and where the checkpoint lives ---------
    # (a whole task here; one chunk of it in `massops.chunk_runner`)

    def _entries(self, start: int) -> Iterator[tuple[int, SpoolEntry]]:
        return read_spool(Path(self.task.spool_path), self.intents, start)

    def _advance(self, expected: int, end: int, counts: repository.Counts) -> bulk.Update:
        return repository.advance_step(self.task.id, expected, end, counts)

    def _checkpoint(self) -> tuple[int, repository.Counts]:
        task = self._reload()
        return task.processed, task.counts

    def _load_references(
        self, connection: sa.Connection, batch: list[tuple[int, SpoolEntry]], refs: ReferenceState
    ) -> None:
        """A whole-task run restores every reference up front; chunks load per batch."""

    # -------------------------------------------------------------------------------

    def _run_sequential(
        self, processed: int, refs: ReferenceState, counts: dict[str, Counter[str]]
    ) -> None:
        for batch in _batches(self._entries(processed), self.batch_size):
            self._check_cancel(None)
            processed = self._run_batch(batch, processed, refs, counts)
            collect_batch_garbage()
            self._progress(processed)

    def _run_pipelined(
        self, processed: int, refs: ReferenceState, counts: dict[str, Counter[str]]
    ) -> None:
        """Prepare batch N+1 while the writer thread commits batch N.

        Should the database refuse a write (a constraint, a trigger, a value it
        cannot store), the pipeline stops, state is reloaded from the last
        commit, the batch at that checkpoint is redone alone (split until the
        culprit fails alone: `_run_batch`), and the pipeline restarts. The
        batches prepared on top of the refused one are dropped with their
        pending rows, so none of them keeps an effect of the culprit.
        """
        TableStatistics(self.engine, self.intents.lookup_tables).refresh_stale()
        while True:
            try:
                self._pipeline(processed, refs, counts)
                return
            except Exception as exc:
                if bulk.refusal(exc) is None:
                    raise
                processed, plain = self._checkpoint()
                counts = {intent: Counter(c) for intent, c in plain.items()}
                with reading(self.engine) as connection:
                    refs = self._restore_references(connection, refs.needed, processed)
                batch = next(_batches(self._entries(processed), self.batch_size))
                processed = self._run_batch(batch, processed, refs, counts)
                self._progress(processed)

    def _pipeline(
        self, processed: int, refs: ReferenceState, counts: dict[str, Counter[str]]
    ) -> None:
        writer = self._writer(processed)
        pending = PendingWrites(self.intents)
        try:
            for number, batch in enumerate(_batches(self._entries(processed), self.batch_size), 1):
                writer.raise_if_failed()
                pending.committed(writer.committed_batch)
                with reading(self.engine) as reader:
                    self._check_cancel(reader)
                    self._load_references(reader, batch, refs)
                    applier = BatchApplier(
                        reader, self.task.id, self.task.tenant_id, utcnow(), refs, self.intents,
                        pending,
                    )  # fmt: skip
                    result = applier.prepare(batch)
                applier.record(number)
                merged = _merge(counts, result.counts)
                end = processed + len(batch)
                steps = [*applier.plan, self._advance(processed, end, _plain(merged))]
                writer.submit(WriteJob(number, steps, processed, end))
                counts.clear()
                counts.update(merged)
                if result.references is not None:
                    refs.merge(result.references)
                processed = end
                collect_batch_garbage()
                self._progress(processed)  # applied; committed within a second
        except BaseException:
            writer.abort()
            raise
        writer.close()
        self._progress(writer.committed_end)

    def _writer(self, processed: int) -> Writer:
        database = self.engine.url.database
        if (
            self.engine.dialect.name == "sqlite"
            and database not in (None, "", ":memory:")
            and self.task.total - processed >= self.process_writer_min_operations
        ):
            return ProcessBatchWriter(str(database), processed, commit_ops=self.commit_every)
        return BatchWriter(
            self.engine,
            processed,
            commit_ops=self.commit_every,
            lookup_tables=self.intents.lookup_tables,
        )

    def _progress(self, processed: int) -> None:
        if self.on_progress is not None:
            self.on_progress(processed, self.task.total)

    def _transaction(self) -> AbstractContextManager[sa.Connection]:
        if self.connection is not None:
            return _nested(self.connection)
        return self.engine.begin()

    def _restore_references(
        self, connection: sa.Connection, needed: Needed, processed: int
    ) -> ReferenceState:
        """What earlier operations output, from their logs: a resume starts here."""
        refs = ReferenceState(needed)
        load_builtins(connection, self.intents, self.task.tenant_id, refs)
        if processed:
            refs.load_logs(repository.ref_logs(connection, self.task.id))
        return refs

    def _check_cancel(self, reader: sa.Connection | None) -> None:
        """Before every batch. `reader`: the batch's reading connection, which sees
        the task's cancel flag; None on the dry-run path, whose task nobody else sees."""
        if self.stop_requested is not None and self.stop_requested():
            raise TaskCancelled(self.task.id)
        if reader is not None and repository.cancel_requested(reader, self.task.id):
            raise TaskCancelled(self.task.id)

    def _run_batch(
        self,
        batch: list[tuple[int, SpoolEntry]],
        processed: int,
        refs: ReferenceState,
        counts: dict[str, Counter[str]],
    ) -> int:
        """Apply `batch` in one transaction. Should the database refuse it, apply
        each half the same way, down to single operations: the culprit fails
        alone (`_fail_refused`) and every other operation is applied, each seeing
        exactly the effects committed before it."""
        end = processed + len(batch)
        try:
            with self._transaction() as connection:
                self._load_references(connection, batch, refs)
                result = BatchApplier(
                    connection, self.task.id, self.task.tenant_id, utcnow(), refs, self.intents
                ).apply(batch)
                merged = _merge(counts, result.counts)
                bulk.execute(connection, [self._advance(processed, end, _plain(merged))])
        except Exception as exc:
            refused = bulk.refusal(exc)
            if refused is None:
                raise
            if len(batch) == 1:
                return self._fail_refused(batch[0], processed, refs, counts, refused, exc)
            middle = len(batch) // 2
            processed = self._run_batch(batch[:middle], processed, refs, counts)
            return self._run_batch(batch[middle:], processed, refs, counts)
        counts.clear()
        counts.update(merged)
        if result.references is not None:
            refs.merge(result.references)
        return end

    def _fail_refused(
        self,
        entry: tuple[int, SpoolEntry],
        processed: int,
        refs: ReferenceState,
        counts: dict[str, Counter[str]],
        refused: bulk.BulkRefused,
        cause: BaseException,
    ) -> int:
        """Log one operation the database refused as failed, and move past it."""
        index, spooled = entry
        code, message = refusal_log(self.task.id, index, refused, cause)
        row = failure_row(self.task.id, index, spooled, code, message, self.intents)
        with self._transaction() as connection:
            repository.insert_logs(connection, [row])
            intent = str(spooled.op.__struct_config__.tag)
            merged = _merge(counts, {intent: Counter(failed=1)})
            bulk.execute(connection, [self._advance(processed, processed + 1, _plain(merged))])
        counts.clear()
        counts.update(merged)
        ref = spooled.op.ref
        if isinstance(ref, str):  # operations that read its output are skipped
            refs.mark_unavailable(ref, index, "failure")
        return processed + 1

    def _finish(self, status: str, error: str | None = None) -> TaskInfo:
        with self._transaction() as connection:
            if status == "completeWithErrors" and self.connection is None:
                # Before the spool goes, in the transaction that finishes the task.
                keep_failed_inputs(
                    connection, self.task.id, Path(self.task.spool_path), self.intents
                )
            values: dict[str, object] = {"status": status, "error_message": error}
            if status in ("complete", "completeWithErrors", "cancelled", "failed"):
                values["finished_at"] = utcnow()
            repository.update_task(connection, self.task.id, **values)
            task = repository.get_task(connection, self.task.id)
        if status in ("complete", "completeWithErrors") and self.connection is None:
            spool = Path(task.spool_path)
            spool.unlink(missing_ok=True)
            needed_path(spool).unlink(missing_ok=True)
        return task


class _nested:
    """A savepoint that behaves like `engine.begin()` for the dry-run path."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sa.Connection:
        self.savepoint = self.connection.begin_nested()
        return self.connection

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.savepoint.commit()
        else:
            self.savepoint.rollback()


def refusal_log(
    task_id: str, index: int, refused: bulk.BulkRefused, cause: BaseException
) -> tuple[str, str]:
    """The error code and message of an operation the database refused: words
    and an error id; the database's own text (`cause`) goes to the server log only."""
    if isinstance(refused, bulk.BulkConflict):
        what = (
            f"operation {index} was not applied: it conflicts with a record that another "
            "operation or writer stored with the same key"
        )
        code = "conflict"
    else:
        what = (
            f"operation {index} was not applied: the database refused to store its "
            "changes, so none of them were kept"
        )
        code = "storage_error"
    incident = incidents.record(f"{what} [task {task_id}]", cause, frames=False)
    return code, f"{what} (error id {incident.error_id})"


def failure_message(task_id: str, exc: BaseException) -> str:
    """A task's `error_message` when its run stops on an unexpected error."""
    if isinstance(exc, GeodeError):
        return exc.message
    incident = incidents.record(f"task {task_id} stopped on an unexpected error", exc)
    return (
        "the run stopped on an unexpected error; what was applied before it stays "
        f"applied, and `geode massop resume {task_id}` continues from there "
        f"(error id {incident.error_id})"
    )


def load_builtins(
    connection: sa.Connection, intents: IntentRegistry, tenant_id: str, refs: ReferenceState
) -> None:
    """What the file reads of the names every file may read (`{{ defaults.rootItemId }}`)."""
    for name, builtin in intents.builtins.items():
        if refs.wants(name):
            refs.remember(name, builtin.load(connection, tenant_id))


def _batches(
    entries: Iterator[tuple[int, SpoolEntry]], size: int
) -> Iterator[list[tuple[int, SpoolEntry]]]:
    while batch := list(itertools.islice(entries, size)):
        yield batch


def _merge(counts: dict[str, Counter[str]], extra: Counts) -> dict[str, Counter[str]]:
    merged = {intent: Counter(c) for intent, c in counts.items()}
    for intent, c in extra.items():
        merged.setdefault(intent, Counter()).update(c)
    return merged


def _plain(counts: dict[str, Counter[str]]) -> repository.Counts:
    return {intent: dict(c) for intent, c in counts.items()}
