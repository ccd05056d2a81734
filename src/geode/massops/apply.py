"""Apply one batch of operations: prepare in memory, then write set-based.

Order within the batch is kept: each operation sees the ones before it and
the rows of earlier batches, committed or still pending. `prepare` only reads;
its `plan` holds the net effect and one log row per operation, for the
caller to write inside its own transaction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from msgspec import UNSET

from geode.db import bulk
from geode.db.key_lookup import prefer_index_lookups
from geode.incidents import storable
from geode.jsontext import dumps
from geode.massops import repository
from geode.massops.intents import (
    BatchContext,
    FamilyBatch,
    IntentFamily,
    IntentRegistry,
    PendingRows,
    SpoolEntry,
)
from geode.massops.references import ReferenceState
from geode.massops.templates import TemplateError, compile_template, set_path
from geode.outcomes import Applied, OperationFailed

Counts = dict[str, Counter[str]]

LOGGED_ID_LENGTH = 24
"""The width of `massop_logs.resource_id`: a record id (24 hex characters)."""


@dataclass
class BatchResult:
    counts: Counts = field(default_factory=dict)
    references: ReferenceState | None = None


class PendingWrites:
    """Rows of prepared batches whose transactions have not committed yet, per family."""

    def __init__(self, intents: IntentRegistry) -> None:
        self.families: dict[str, PendingRows] = {
            family.name: family.new_pending() for family in intents.families
        }

    def committed(self, batch: int) -> None:
        for pending in self.families.values():
            pending.committed(batch)


class BatchApplier:
    def __init__(
        self,
        connection: sa.Connection,
        task_id: str,
        tenant_id: str,
        now: str,
        refs: ReferenceState,
        intents: IntentRegistry,
        pending: PendingWrites | None = None,
    ) -> None:
        self.task_id = task_id
        self.intents = intents
        self.pending = pending or PendingWrites(intents)
        self.context = BatchContext(connection, tenant_id, now)
        # The batches of the families this batch's operations belong to, opened
        # on their first operation: opening one may read (the catalogue's reads
        # the tenant's settings), and a customer/order batch needs none of that.
        self.batches: dict[str, FamilyBatch] = {}
        self.connection = connection
        # This batch's outputs: a layer over the run's, merged once prepared.
        self.refs = refs.layer()
        self.logs: list[tuple[Any, ...]] = []
        self.plan: list[bulk.WriteStep] = []
        """The batch's net effect, once prepared: the writer runs it (only SQL there)."""
        self.counts: Counts = {}

    def prepare(self, entries: list[tuple[int, SpoolEntry]]) -> BatchResult:
        """Decide every operation's outcome; reads, never writes."""
        prefer_index_lookups(self.connection)
        self._prefetch(entries)
        for index, entry in entries:
            self._apply_one(index, entry)
        # In registry order, whatever order the families were opened in: the
        # order their writes run in (what a foreign key points at goes first).
        opened = [self.batches[f.name] for f in self.intents.families if f.name in self.batches]
        self.plan = [
            *(step for batch in opened for step in batch.plan()),
            bulk.Insert(repository.LOG_TABLE, repository.LOG_COLUMNS, self.logs),
        ]
        return BatchResult(self.counts, self.refs)

    def record(self, batch: int) -> None:
        for family_batch in self.batches.values():
            family_batch.record(batch)

    def apply(self, entries: list[tuple[int, SpoolEntry]]) -> BatchResult:
        """prepare and write on one connection: the sequential path."""
        result = self.prepare(entries)
        bulk.execute(self.connection, self.plan)
        return result

    def _prefetch(self, entries: list[tuple[int, SpoolEntry]]) -> None:
        """Each family reads the records its operations name, in one go. An
        operation whose key is a template is looked up alone once rendered."""
        by_family: dict[str, tuple[IntentFamily, list[Any]]] = {}
        for _, entry in entries:
            family = self.intents.family(entry.op)
            if entry.templates and any(path[0] in family.key_fields for path, _ in entry.templates):
                continue
            by_family.setdefault(family.name, (family, []))[1].append(entry.op)
        for family, ops in by_family.values():
            self._batch(family).prefetch(ops)

    def _apply_one(self, index: int, entry: SpoolEntry) -> None:
        op: Any = entry.op
        intent: str = op.__struct_config__.tag
        ref = op.ref if op.ref is not UNSET else None
        key = self._key_of(op)
        try:
            if entry.templates:
                templates = [(path, compile_template(text)) for path, text in entry.templates]
                references = [r for _, template in templates for r in template.references]
                blocker = self.refs.blocker(references)
                if blocker is not None:
                    self._log(index, intent, ref, "skipped", None, None, key, "skipped", blocker)
                    return
                for path, template in templates:
                    set_path(op, path, template.render(self.refs.lookup))
                key = self._key_of(op)
            applied = self._dispatch(op, entry.documents)
        except TemplateError as exc:
            self._log(index, intent, ref, "failure", None, None, key, "invalid_reference", str(exc))
            return
        except OperationFailed as exc:
            self._log(
                index, intent, ref, "failure", None, None, exc.key or key, exc.code, exc.message
            )
            return
        output = None
        if ref is not None:
            output = dumps(applied.output)
            self.refs.remember(ref, applied.output)
        self._log(
            index, intent, ref, "success", applied.outcome, applied.resource_id,
            applied.key, None, None, output,
        )  # fmt: skip

    def _dispatch(self, op: Any, documents: dict[str, str] | None) -> Applied:
        return self._batch(self.intents.family(op)).apply(op, documents)

    def _batch(self, family: IntentFamily) -> FamilyBatch:
        """The family's batch, opened on first use."""
        batch = self.batches.get(family.name)
        if batch is None:
            batch = family.open_batch(self.context, self.pending.families[family.name])
            self.batches[family.name] = batch
        return batch

    def _key_of(self, op: Any) -> str | None:
        return self.intents.family(op).log_key(op)

    def _log(
        self,
        index: int,
        intent: str,
        ref: str | None,
        status: str,
        outcome: str | None,
        resource_id: str | None,
        key: str | None,
        error_code: str | None,
        message: str | None,
        output: str | None = None,
    ) -> None:
        if resource_id is not None and len(resource_id) > LOGGED_ID_LENGTH:
            # A record known by an identifier (a shape, a price list, a stage) logs it as
            # its resource id when it fits the column; a longer one is in `key` already.
            resource_id = None
        self.logs.append(
            (
                self.task_id,
                index,
                intent,
                ref,
                status,
                outcome,
                resource_id,
                key,
                error_code,
                message,
                output,
            )
        )
        self.counts.setdefault(intent, Counter())[
            outcome or ("skipped" if status == "skipped" else "failed")
        ] += 1
        if status != "success" and ref is not None:
            self.refs.mark_unavailable(ref, index, status)


def failure_row(
    task_id: str,
    index: int,
    entry: SpoolEntry,
    code: str,
    message: str,
    intents: IntentRegistry,
) -> tuple[Any, ...]:
    """A log row for an operation the store refused outright. Its key and
    `_ref` are made storable: either may be the very value that was refused."""
    op: Any = entry.op
    ref = op.ref if op.ref is not UNSET else None
    key = intents.family(op).log_key(op)
    return (
        task_id,
        index,
        op.__struct_config__.tag,
        None if ref is None else storable(ref),
        "failure",
        None,
        None,
        None if key is None else storable(key),
        code,
        message,
        None,
    )
