"""The in-process worker of the embedded default: two lanes, each in arrival order.

Mass-operation tasks run on one thread and batch jobs on another, so a batch
job submitted while a long task runs starts at once instead of queueing
behind the whole task. SQLite still takes one writer at a time: the two take
turns at its lock, the task giving way between its transactions to any writer
that waits (`db.write_turns`). One thread per lane, not more: a second task
or batch job at once would only queue on that same lock.

Nothing is lost across restarts: the queues are rebuilt from the job tables
at start (unfinished batch jobs and mass-operation tasks), and every job
carries on from its own checkpoint.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Work = tuple[str, int | str | tuple[str, int]]


class _Lane:
    """One thread running its queue's jobs one after another."""

    def __init__(
        self, name: str, run: Callable[[Work], None], done: Callable[[_Lane], None]
    ) -> None:
        self.name = name
        self._run = run
        self._done = done
        self.queue: queue.Queue[Work | None] = queue.Queue()
        self.busy = False
        """Work queued or in hand (changed under the worker's lock)."""
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.queue.put(None)

    def join(self, timeout: float | None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            work = self.queue.get()
            if work is None:
                return
            try:
                self._run(work)
            except Exception:
                # The job recorded its own failure; the lane carries on.
                log.exception("%s job %s failed", *work)
            finally:
                self._done(self)


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
        self._state = threading.Lock()
        self.idle = threading.Event()
        """Set while neither lane has work queued or in hand."""
        self.idle.set()
        self._tasks = _Lane("geode-worker-tasks", self._run, self._lane_done)
        self._batches = _Lane("geode-worker-batches", self._run, self._lane_done)

    def enqueue_batch_job(self, job_id: int) -> None:
        self._put(self._batches, ("batch", job_id))

    def enqueue_massop_task(self, task_id: str) -> None:
        self._put(self._tasks, ("massop", task_id))

    def enqueue_massop_chunk(self, task_id: str, seq: int) -> None:
        self._put(self._tasks, ("chunk", (task_id, seq)))

    def start(self) -> None:
        self._tasks.start()
        self._batches.start()

    def stop(self, timeout: float | None = None) -> None:
        """Finish the jobs in hand (they stop at their next checkpoint if asked), then exit."""
        self._tasks.stop()
        self._batches.stop()
        self._tasks.join(timeout)
        self._batches.join(timeout)

    def _put(self, lane: _Lane, work: Work) -> None:
        with self._state:
            self.idle.clear()
            lane.busy = True
            lane.queue.put(work)

    def _lane_done(self, lane: _Lane) -> None:
        with self._state:
            if lane.queue.empty():
                lane.busy = False
                if not (self._tasks.busy or self._batches.busy):
                    self.idle.set()

    def _run(self, work: Work) -> None:
        kind, ident = work
        if kind == "batch":
            assert isinstance(ident, int)
            self._run_batch_job(ident)
        elif kind == "chunk" and self._run_massop_chunk is not None:
            assert isinstance(ident, tuple)
            self._run_massop_chunk(*ident)
        else:
            self._run_massop_task(str(ident))
