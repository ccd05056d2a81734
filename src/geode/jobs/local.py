"""The in-process worker of the embedded default: one thread, jobs in arrival order.

SQLite takes one writer at a time, so a second thread would only queue on
its lock. Nothing is lost across restarts: the queue is rebuilt from the job
tables at start (unfinished batch jobs and mass-operation tasks), and every
job carries on from its own checkpoint.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Work = tuple[str, int | str | tuple[str, int]]


class LocalWorker:
    def __init__(
        self,
        run_batch_job: Callable[[int], object],
        run_massop_task: Callable[[str], object],
        run_massop_chunk: Callable[[str, int], object] | None = None,
    ) -> None:
        self._run_batch_job = run_batch_job
        self._run_massop_task = run_massop_task
        self._run_massop_chunk = run_massop_chunk
        self._queue: queue.Queue[Work | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.idle = threading.Event()
        self.idle.set()

    def enqueue_batch_job(self, job_id: int) -> None:
        self.idle.clear()
        self._queue.put(("batch", job_id))

    def enqueue_massop_task(self, task_id: str) -> None:
        self.idle.clear()
        self._queue.put(("massop", task_id))

    def enqueue_massop_chunk(self, task_id: str, seq: int) -> None:
        self.idle.clear()
        self._queue.put(("chunk", (task_id, seq)))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="geode-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Finish the job in hand (it stops at its next checkpoint if asked), then exit."""
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            work = self._queue.get()
            if work is None:
                return
            kind, ident = work
            try:
                if kind == "batch":
                    assert isinstance(ident, int)
                    self._run_batch_job(ident)
                elif kind == "chunk" and self._run_massop_chunk is not None:
                    assert isinstance(ident, tuple)
                    self._run_massop_chunk(*ident)
                else:
                    self._run_massop_task(str(ident))
            except Exception:
                # The job recorded its own failure; the worker carries on.
                log.exception("%s job %s failed", kind, ident)
            finally:
                if self._queue.empty():
                    self.idle.set()
