"""The writer thread of a pipelined run.

SQLite's and PostgreSQL's drivers release the GIL while they write, so the
main thread can prepare batch N+1 (decode, render, compare, build rows) while
this thread writes batch N. On SQLite the statements themselves need the GIL
to bind every row (the two threads would fight over it row by row: measured
slower), so `submit` waits until a batch's statements have run and only the
commit (a long, GIL-free sync) overlaps the next preparation. On PostgreSQL
the server does the work of a `COPY` while this thread waits on its socket
without the GIL, so `submit` returns as soon as the batch is handed over
(1M-operation first run: 84 -> 68 s).

Commits are grouped: a commit costs about as much as writing 2,000 operations
(WAL sync and checkpoint), so the writer keeps one transaction open across
consecutive batches, up to `commit_ops` operations or `commit_seconds`. Each
batch still moves the checkpoint inside that transaction, so whatever commits,
its effects, logs and checkpoint commit together; a crash rolls back to the
last commit and `resume` continues from its checkpoint. After a commit the
writer refreshes PostgreSQL's statistics of tables that have grown a lot, so
the next batches' lookups keep using their indexes (`db.statistics`).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geode.db.statistics import TableStatistics
from geode.massops import repository
from geode.massops.apply import LOOKUP_TABLES, BatchApplier


@dataclass
class WriteJob:
    batch: int
    applier: BatchApplier
    expected: int
    end: int
    counts: repository.Counts


Advance = Callable[[sa.Connection, int, int, repository.Counts], None]


class BatchWriter:
    def __init__(
        self,
        engine: Engine,
        advance: Advance,
        start: int,
        *,
        commit_ops: int = 4_000,
        commit_seconds: float = 1.0,
    ) -> None:
        self.engine = engine
        self.commit_ops = commit_ops
        self.commit_seconds = commit_seconds
        self.advance = advance
        self.committed_batch = 0
        self.committed_end = start
        self._error: BaseException | None = None
        self._jobs: queue.Queue[WriteJob | None] = queue.Queue(maxsize=1)
        self._written = threading.Event()
        self.statistics = TableStatistics(engine, LOOKUP_TABLES)
        self._wait_for_statements = engine.dialect.name != "postgresql"
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
        """Write jobs in one transaction until it is big or old enough, or the
        run ends; return the next job to write (None at the end of the run)."""
        began = time.monotonic()
        first = job.expected
        last = job
        more = True
        with self.engine.begin() as connection:
            current: WriteJob | None = job
            while current is not None:
                current.applier.write(connection)
                for table, rows in current.applier.rows_written().items():
                    self.statistics.wrote(table, rows)
                self.advance(connection, current.expected, current.end, current.counts)
                last = current
                self._written.set()
                remaining = self.commit_seconds - (time.monotonic() - began)
                if last.end - first >= self.commit_ops or remaining <= 0:
                    break
                try:
                    current = self._jobs.get(timeout=remaining)
                except queue.Empty:
                    break
                more = current is not None
        self.committed_batch = last.batch
        self.committed_end = last.end
        self.statistics.refresh()
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
