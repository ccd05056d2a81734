"""Runs one chunk of a chunked task: the same batch pipeline as a whole-task run,
with the operations read from the chunk's frames and the checkpoint on its row.

References always point at earlier waves (see `massops.planning`), which are
committed before this chunk starts, so each batch loads the outputs it reads
from the logs just before it is prepared; nothing else is kept in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geode.db import bulk
from geode.db.engine import reading
from geode.massops import repository
from geode.massops.intents import IntentRegistry, SpoolEntry
from geode.massops.references import ReferenceState
from geode.massops.repository import ChunkInfo, TaskInfo
from geode.massops.runner import TaskRunner, load_builtins
from geode.massops.templates import compile_template
from geode.util import gc_paused


class ChunkRunner(TaskRunner):
    def __init__(
        self,
        engine: Engine,
        task: TaskInfo,
        intents: IntentRegistry,
        chunk: ChunkInfo,
        needed: dict[str, tuple[str, ...]],
        ref_index: dict[str, int],
        *,
        batch_size: int,
        commit_every: int,
    ) -> None:
        super().__init__(engine, task, intents, batch_size=batch_size, commit_every=commit_every)
        self.chunk = chunk
        self.needed = needed
        self.ref_index = ref_index

    def run_chunk(self) -> None:
        """Apply the chunk from its checkpoint; raises TaskCancelled on a stop request."""
        with self.engine.begin() as connection:
            repository.set_chunk_status(connection, self.task.id, self.chunk.seq, "running")
            refs = self._restore_references(connection, self.needed, self.chunk.processed)
        counts = {intent: Counter(c) for intent, c in self.chunk.counts.items()}
        with gc_paused():
            self._run_pipelined(self.chunk.processed, refs, counts)
        with self.engine.begin() as connection:
            repository.set_chunk_status(connection, self.task.id, self.chunk.seq, "done")

    def _entries(self, start: int) -> Iterator[tuple[int, SpoolEntry]]:
        position = 0
        with reading(self.engine) as connection:
            frames = list(self._frame_counts(connection))
        for frame, count in frames:
            if position + count <= start:
                position += count
                continue
            with reading(self.engine) as connection:
                data = repository.chunk_frame(connection, self.task.id, self.chunk.seq, frame)
            for entry in self.intents.numbered_frame_decoder.decode(data):
                if position >= start:
                    yield entry
                position += 1

    def _frame_counts(self, connection: sa.Connection) -> Iterator[tuple[int, int]]:
        yield from repository.chunk_frame_counts(connection, self.task.id, self.chunk.seq)

    def _advance(self, expected: int, end: int, counts: repository.Counts) -> bulk.Update:
        return repository.advance_chunk_step(self.task.id, self.chunk.seq, expected, end, counts)

    def _checkpoint(self) -> tuple[int, repository.Counts]:
        with reading(self.engine) as connection:
            chunk = repository.get_chunk(connection, self.task.id, self.chunk.seq)
        return chunk.processed, chunk.counts

    def _restore_references(
        self, connection: sa.Connection, needed: dict[str, tuple[str, ...]], processed: int
    ) -> ReferenceState:
        refs = ReferenceState(needed)  # the file's own refs load batch by batch instead
        load_builtins(connection, self.intents, self.task.tenant_id, refs)
        return refs

    def _load_references(
        self, connection: sa.Connection, batch: list[tuple[int, SpoolEntry]], refs: ReferenceState
    ) -> None:
        wanted = {
            reference.ref
            for _, entry in batch
            for _, text in entry.templates or ()
            for reference in compile_template(text).references
        }
        missing = [ref for ref in wanted if not refs.knows(ref) and ref in self.ref_index]
        positions = sorted(self.ref_index[ref] for ref in missing)
        refs.load_logs(repository.ref_logs_at(connection, self.task.id, positions))
