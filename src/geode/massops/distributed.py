"""Chunked tasks: planned once, then run chunk by chunk by any number of workers.

The task row is the coordination point: whoever finishes a chunk locks it,
and either finalises the task (every chunk done) or answers which chunks of
the current wave are still pending, for the caller to queue. Queuing a
chunk twice is harmless: a chunk's checkpoint is a compare-and-set, so two
workers can never both apply the same operations.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geode.db.engine import reading
from geode.errors import ConflictError
from geode.massops import repository
from geode.massops.chunk_runner import ChunkRunner
from geode.massops.intents import IntentRegistry
from geode.massops.planning import plan, store_chunks
from geode.massops.repository import TaskInfo
from geode.massops.retry import keep_failed_inputs_from_frames
from geode.massops.runner import TaskCancelled, failure_message, final_status
from geode.timestamps import utcnow

log = logging.getLogger(__name__)

FINISHED = ("complete", "completeWithErrors")
MAX_WAVES = 64
"""More waves than this (long chains of references) and a task runs whole."""

EnqueueChunk = Callable[[str, int], None]


class References(msgspec.Struct, array_like=True):
    """What a chunked task's workers need to read `{{ ref.field }}`: the fields
    later operations read, and where each named operation is in the file."""

    needed: dict[str, tuple[str, ...]]
    index: dict[str, int]


def store_plan(
    connection: sa.Connection,
    task_id: str,
    spool: Path,
    needed: dict[str, tuple[str, ...]],
    chunk_size: int,
    intents: IntentRegistry,
) -> bool:
    """Split a task just inserted on `connection`; False when it is better run whole."""
    tenant_id = repository.get_task(connection, task_id).tenant_id
    layout = plan(spool, chunk_size, intents, store=(connection, tenant_id))
    if layout.chunk_count < 2 or layout.wave_count > MAX_WAVES:
        return False
    for _ in store_chunks(connection, task_id, spool, layout):
        pass
    references = References(needed, layout.ref_index)
    repository.update_task(
        connection, task_id, chunked=True, needed=msgspec.msgpack.encode(references)
    )
    return True


@dataclass
class ChunkedTasks:
    engine: Engine
    intents: IntentRegistry
    batch_size: int
    commit_every: int

    def schedule(self, task_id: str) -> tuple[TaskInfo, list[int]]:
        """Finalise the task, or name the pending chunks of its current wave."""
        with self.engine.begin() as connection:
            task = repository.lock_task(connection, task_id)
            if task.status in (*FINISHED, "failed") or task.cancel_requested:
                return task, []
            chunks = repository.list_chunks(connection, task_id)
            open_chunks = [c for c in chunks if c.status != "done"]
            if not open_chunks:
                processed, counts = repository.chunk_progress(connection, task_id)
                if final_status(counts) == "completeWithErrors":
                    keep_failed_inputs_from_frames(
                        connection,
                        task_id,
                        repository.task_frames(connection, task_id),
                        self.intents,
                    )
                repository.update_task(
                    connection, task_id, status=final_status(counts), processed=processed,
                    counts=msgspec.json.encode(counts).decode(), finished_at=utcnow(),
                )  # fmt: skip
                return repository.get_task(connection, task_id), []
            wave = min(c.wave for c in open_chunks)
            ready = [c.seq for c in open_chunks if c.wave == wave and c.status == "pending"]
            if task.status != "running":
                repository.update_task(
                    connection, task_id, status="running", started_at=task.started_at or utcnow()
                )
            return repository.get_task(connection, task_id), ready

    def run_chunk(self, task_id: str, seq: int) -> None:
        """Apply one chunk from its checkpoint. A stop request or a failure is
        recorded on the task; the chunk stays resumable."""
        with reading(self.engine) as connection:
            task = repository.get_task(connection, task_id)
            chunk = repository.get_chunk(connection, task_id, seq)
            needed_blob = repository.get_needed(connection, task_id)
        if task.status in (*FINISHED, "failed") or task.cancel_requested or chunk.status == "done":
            return
        references = msgspec.msgpack.decode(needed_blob or b"", type=References)
        runner = ChunkRunner(
            self.engine, task, self.intents, chunk, references.needed, references.index,
            batch_size=self.batch_size, commit_every=self.commit_every,
        )  # fmt: skip
        try:
            runner.run_chunk()
        except ConflictError:
            log.info("chunk %s of task %s is run by another worker", seq, task_id)
        except (TaskCancelled, KeyboardInterrupt):
            self._interrupted(task_id, seq, "cancelled")
            raise
        except Exception as exc:
            self._interrupted(task_id, seq, "failed", failure_message(task_id, exc))
            raise

    def _interrupted(self, task_id: str, seq: int, status: str, error: str | None = None) -> None:
        with self.engine.begin() as connection:
            repository.set_chunk_status(connection, task_id, seq, "pending")
            task = repository.lock_task(connection, task_id)
            if task.status not in FINISHED:
                repository.update_task(
                    connection, task_id, status=status, error_message=error, finished_at=utcnow()
                )

    def run_inline(self, task_id: str) -> TaskInfo:
        """Every remaining chunk in this process, wave by wave (no workers attached)."""
        while True:
            task, ready = self.schedule(task_id)
            if not ready:
                if task.status == "running":
                    raise ConflictError(
                        f"task {task_id} has chunks running elsewhere; wait for them or "
                        "resume it later"
                    )
                return task
            for seq in ready:
                self.run_chunk(task_id, seq)

    def dispatch(self, task_id: str, enqueue: EnqueueChunk) -> TaskInfo:
        """Queue the chunks that can run now; called when a task starts or resumes,
        and after every chunk, so the next wave starts as soon as this one ends."""
        task, ready = self.schedule(task_id)
        for seq in ready:
            enqueue(task_id, seq)
        return task

    def reopen(self, connection: sa.Connection, task_id: str) -> None:
        """Cancelled or failed: chunks stay at their checkpoints; schedule again."""
        connection.execute(
            sa.text(
                "UPDATE massop_chunks SET status = 'pending' "
                "WHERE task_id = :task_id AND status = 'running'"
            ),
            {"task_id": task_id},
        )
