"""The writer of a pipelined run: batch N is written while batch N+1 is prepared.

Two writers with one interface:
- `BatchWriter`, a thread. SQLite's and PostgreSQL's drivers release the GIL
  while they wait on the disk or the server. On PostgreSQL the server does the
  work of a `COPY` while this thread waits on its socket, so `submit` returns as
  soon as a batch is handed over (1M-operation first run: 84 -> 68 s). On SQLite
  the driver binds every row under the GIL (two threads would fight over it row
  by row: measured slower), so `submit` waits until a batch's statements have
  run and only the commit overlaps the next preparation.
- `ProcessBatchWriter`, SQLite's writer process (`db.sqlite_writer`), for runs
  big enough to repay starting it: there the binding runs on the other core.

Both group consecutive batches into one transaction (`CommitWindow`). Each
batch moves the checkpoint inside that transaction, so whatever commits, its
effects, logs and checkpoint commit together; a crash rolls back to the last
commit and `resume` continues from its checkpoint. After a commit the thread
writer refreshes PostgreSQL's statistics of tables that have grown a lot, so
the next batches' lookups keep using their indexes (`db.statistics`).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.engine import Engine

from geode.db import bulk
from geode.db.commit_window import CommitWindow
from geode.db.sqlite_writer import SqliteWriter
from geode.db.statistics import TableStatistics
from geode.db.write_turns import give_way, turns_path


@dataclass
class WriteJob:
    batch: int
    steps: list[bulk.WriteStep]
    """The batch's plan, its checkpoint move last."""
    expected: int
    end: int


class Writer(Protocol):
    @property
    def committed_batch(self) -> int:
        """The last batch whose transaction committed (0: none yet)."""

    @property
    def committed_end(self) -> int:
        """The checkpoint of that commit."""

    def submit(self, job: WriteJob) -> None: ...
    def raise_if_failed(self) -> None: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...


class BatchWriter:
    def __init__(
        self,
        engine: Engine,
        start: int,
        *,
        commit_ops: int = 4_000,
        commit_seconds: float = 1.0,
        lookup_tables: tuple[str, ...] = (),
    ) -> None:
        """`lookup_tables`: what preparing batches reads by key; their statistics
        are refreshed as they grow."""
        self.engine = engine
        self.commit_ops = commit_ops
        self.commit_seconds = commit_seconds
        self.committed_batch = 0
        self.committed_end = start
        self._error: BaseException | None = None
        self._jobs: queue.Queue[WriteJob | None] = queue.Queue(maxsize=1)
        self._written = threading.Event()
        self.statistics = TableStatistics(engine, lookup_tables)
        self._wait_for_statements = engine.dialect.name != "postgresql"
        sqlite = engine.dialect.name == "sqlite"
        self._turns = turns_path(engine.url.database) if sqlite else None
        self._thread = threading.Thread(target=self._loop, name="geode-writer", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        job = self._jobs.get()
        while job is not None:
            if self._error is not None:
                job = self._jobs.get()
                continue  # drain: nothing after a failed batch may be written
            try:
                job = self._transaction(job)
            except BaseException as exc:  # handed to the main thread
                self._error = exc
                self._written.set()
                job = self._jobs.get()

    def _transaction(self, job: WriteJob) -> WriteJob | None:
        """Write jobs in one transaction until the window closes or the run
        ends; return the next job to write (None at the end of the run)."""
        window = CommitWindow(self.commit_ops, self.commit_seconds)
        last = job
        more = True
        with self.engine.begin() as connection:
            current: WriteJob | None = job
            while current is not None:
                bulk.execute(connection, current.steps)
                for table, rows in bulk.row_counts(current.steps).items():
                    self.statistics.wrote(table, rows)
                last = current
                self._written.set()
                wait = window.add(last.end - last.expected)
                if wait is None:
                    break
                try:
                    current = self._jobs.get(timeout=wait)
                except queue.Empty:
                    break
                more = current is not None
        self.committed_batch = last.batch
        self.committed_end = last.end
        self.statistics.refresh()
        give_way(self._turns)  # SQLite: batch jobs and requests write between our transactions
        return self._jobs.get() if more else None

    def raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(self, job: WriteJob) -> None:
        """Hand a batch over; on SQLite, return once its statements have run (it
        may still be waiting for its commit); on PostgreSQL, at once."""
        self.raise_if_failed()
        self._written.clear()
        self._jobs.put(job)
        if self._wait_for_statements:
            self._written.wait()
        self.raise_if_failed()

    def close(self) -> None:
        """Wait until every submitted batch is committed; raise if one failed."""
        self._jobs.put(None)
        self._thread.join()
        self.raise_if_failed()

    def abort(self) -> None:
        """Drop the queued batch, let the one being written finish, and stop."""
        with contextlib.suppress(queue.Empty):
            self._jobs.get_nowait()
        self._jobs.put(None)
        self._thread.join()


class ProcessBatchWriter:
    """`BatchWriter`'s interface over SQLite's writer process."""

    def __init__(
        self, database: str, start: int, *, commit_ops: int = 4_000, commit_seconds: float = 1.0
    ) -> None:
        self._process = SqliteWriter(database, commit_ops=commit_ops, commit_seconds=commit_seconds)
        self._ends = {0: start}

    @property
    def committed_batch(self) -> int:
        return self._process.committed_batch

    @property
    def committed_end(self) -> int:
        return self._ends[self._process.committed_batch]

    def submit(self, job: WriteJob) -> None:
        self._ends[job.batch] = job.end
        self._process.submit(job.batch, job.end - job.expected, job.steps)

    def raise_if_failed(self) -> None:
        self._process.raise_if_failed()

    def close(self) -> None:
        self._process.close()

    def abort(self) -> None:
        """Unlike the thread's, writes the queued batch too: at most `max_ahead`
        batches, and a cancelled run then keeps every batch it reported done."""
        self._process.abort()
