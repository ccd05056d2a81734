"""The writer thread of a pipelined run.

SQLite's and PostgreSQL's drivers release the GIL while they write, so the
main thread can prepare batch N+1 (decode, render, compare, build rows) while
this thread commits batch N. Each job is still one transaction holding the
batch's effects, its log rows and the checkpoint move.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from geode.massops import repository
from geode.massops.apply import BatchApplier


@dataclass
class WriteJob:
    batch: int
    applier: BatchApplier
    expected: int
    end: int
    counts: repository.Counts


class BatchWriter:
    def __init__(self, engine: Engine, task_id: str, start: int) -> None:
        self.engine = engine
        self.task_id = task_id
        self.committed_batch = 0
        self.committed_end = start
        self._error: BaseException | None = None
        self._jobs: queue.Queue[WriteJob | None] = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._loop, name="geode-writer", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is not None:
                continue  # drain: nothing after a failed batch may be written
            try:
                with self.engine.begin() as connection:
                    job.applier.write(connection)
                    repository.advance(connection, self.task_id, job.expected, job.end, job.counts)
            except BaseException as exc:  # handed to the main thread
                self._error = exc
            else:
                self.committed_batch = job.batch
                self.committed_end = job.end

    def raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(self, job: WriteJob) -> None:
        """Blocks while the previous job is still queued: at most two batches in flight."""
        self.raise_if_failed()
        self._jobs.put(job)

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
