"""One Procrastinate worker with its stalled-job loop: in the foreground (`geode worker`)
or on a thread of the server (`geode serve` on PostgreSQL).

The worker claims jobs with `FOR UPDATE SKIP LOCKED`, is woken by LISTEN/NOTIFY
when a job is queued, and writes a heartbeat every few seconds so the others
can tell when it died (see `stalled`). Asked to stop, it takes no new job and
waits for the jobs in hand, which stop at their next checkpoint (see `tasks`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from dataclasses import dataclass

import procrastinate
from procrastinate.worker import Worker

from geode.app import App
from geode.jobs.distributed.conninfo import libpq_conninfo
from geode.jobs.distributed.stalled import retry_stalled_jobs_forever
from geode.jobs.distributed.tasks import queue_app
from geode.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    name: str
    concurrency: int
    heartbeat_interval: float
    stalled_timeout: float
    stalled_check_interval: float
    poll_interval: float

    @classmethod
    def from_settings(
        cls, settings: Settings, *, name: str | None = None, concurrency: int | None = None
    ) -> WorkerOptions:
        if settings.worker_stalled_timeout <= 2 * settings.worker_heartbeat_interval:
            raise ValueError(
                "GEODE_WORKER_STALLED_TIMEOUT must be more than twice "
                "GEODE_WORKER_HEARTBEAT_INTERVAL, or live workers would look dead"
            )
        return cls(
            name=name or f"geode-{socket.gethostname()}-{os.getpid()}",
            concurrency=concurrency or settings.worker_concurrency,
            heartbeat_interval=settings.worker_heartbeat_interval,
            stalled_timeout=settings.worker_stalled_timeout,
            stalled_check_interval=settings.worker_stalled_check_interval,
            poll_interval=settings.worker_poll_interval,
        )


class QueueWorker:
    def __init__(
        self, app: App, options: WorkerOptions, *, install_signal_handlers: bool = False
    ) -> None:
        """With `install_signal_handlers`, SIGINT and SIGTERM stop the worker (main
        thread only): the foreground command. A server thread calls `stop` instead."""
        self.options = options
        self.install_signal_handlers = install_signal_handlers
        connector = procrastinate.PsycopgConnector(
            conninfo=libpq_conninfo(app.settings.resolved_database_url),
            min_size=1,
            # Fetch, finish and heartbeat share these; jobs use our own engine.
            max_size=options.concurrency + 3,
            kwargs={"application_name": f"geode-worker {options.name}"[:63]},
        )
        self.queue = queue_app(app, connector)

    async def run(self, stopping: asyncio.Event | None = None) -> None:
        """Run until a signal (foreground) or `stopping` is set, then stop cleanly."""
        options = self.options
        async with self.queue.open_async():
            worker = Worker(
                self.queue,
                name=options.name,
                concurrency=options.concurrency,
                fetch_job_polling_interval=options.poll_interval,
                # Jobs in hand are flagged at once, and stop at their next checkpoint.
                shutdown_graceful_timeout=0,
                delete_jobs="successful",
                install_signal_handlers=self.install_signal_handlers,
                update_heartbeat_interval=options.heartbeat_interval,
                stalled_worker_timeout=options.stalled_timeout,
            )
            sweeper = asyncio.create_task(
                retry_stalled_jobs_forever(
                    self.queue,
                    interval=options.stalled_check_interval,
                    stalled_after=options.stalled_timeout,
                ),
                name="geode-stalled-jobs",
            )
            running = asyncio.create_task(worker.run(), name="geode-worker")  # type: ignore[no-untyped-call]
            waiting = asyncio.create_task((stopping or asyncio.Event()).wait())
            try:
                await asyncio.wait({running, waiting}, return_when=asyncio.FIRST_COMPLETED)
                if not running.done():
                    worker.stop()  # type: ignore[no-untyped-call]
                await running
            finally:
                for task in (sweeper, waiting, running):
                    task.cancel()
                await asyncio.gather(sweeper, waiting, running, return_exceptions=True)


class BackgroundWorker:
    """A `QueueWorker` on its own thread and event loop, for the server's lifespan."""

    def __init__(self, worker: QueueWorker) -> None:
        self.worker = worker
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="geode-queue-worker", daemon=True)
        self._thread.start()
        self._ready.wait(30)

    def stop(self, timeout: float | None = 60) -> None:
        """Take no new job; wait (up to `timeout`) for the jobs in hand to stop."""
        if self._thread is None:
            return
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("the worker thread did not stop within %ss", timeout)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception:
            log.exception("the worker thread failed")
        finally:
            self._ready.set()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._ready.set()
        await self.worker.run(self._stopping)
