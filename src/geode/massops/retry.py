"""Re-run only what failed: a task's failed and skipped operations as a new file.

A finished task's spool is deleted, so the operations a retry needs are kept
in their log rows (`input`) when the task finishes, in the transaction that
finishes it and before the spool goes: only failed and skipped operations,
which are few in a healthy run, and read from the spool frame by frame (frames
holding none of them are skipped unread).

The retry is an ordinary file, validated like any other: its operations in
their original order, each `{{ ref.field }}` naming an operation of the task
that succeeded replaced by what that operation output (its log keeps the
output of every operation with a `_ref`), references among the retried
operations kept as references.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.errors import ConflictError
from geode.massops.intents import IntentRegistry, SpoolEntry
from geode.massops.models import OperationLog
from geode.massops.references import read_path
from geode.massops.spool import FRAME_HEADER, is_reordered, read_spool
from geode.massops.templates import (
    Reference,
    TemplateError,
    find_templates,
    parse_template,
    render_known,
)

_logs: sa.Table = OperationLog.__table__  # type: ignore[assignment]
FILE_VERSION = "0.0.1"
_indexed_raw = msgspec.msgpack.Decoder(list[tuple[int, msgspec.Raw]])
_encoder = msgspec.json.Encoder()


# -- when a task finishes: keep what a retry will need ----------------------------


def problem_indexes(connection: sa.Connection, task_id: str) -> list[int]:
    """Indexes of the failed and skipped operations, in file order (the partial
    index on problems answers this without touching the successes)."""
    query = (
        sa.select(_logs.c.idx)
        .where(_logs.c.task_id == task_id, _logs.c.status != "success")
        .order_by(_logs.c.idx)
    )
    return [int(i) for i in connection.execute(query).scalars()]


def keep_failed_inputs(
    connection: sa.Connection, task_id: str, spool: Path, intents: IntentRegistry
) -> None:
    """Store each failed or skipped operation of a task run from `spool` in its log row."""
    indexes = problem_indexes(connection, task_id)
    if indexes:
        _store_inputs(connection, task_id, spool_entries_at(spool, indexes, intents))


def keep_failed_inputs_from_frames(
    connection: sa.Connection, task_id: str, frames: Iterable[bytes], intents: IntentRegistry
) -> None:
    """The same for a chunked task, whose operations live in its chunks' frames
    (msgpack lists of (index, entry)) rather than in a spool."""
    wanted = set(problem_indexes(connection, task_id))
    if not wanted:
        return

    def entries() -> Iterator[tuple[int, SpoolEntry]]:
        for data in frames:
            for index, raw in _indexed_raw.decode(data):
                if index in wanted:
                    yield index, intents.entry_decoder.decode(raw)

    _store_inputs(connection, task_id, entries())


def spool_entries_at(
    spool: Path, indexes: list[int], intents: IntentRegistry
) -> Iterator[tuple[int, SpoolEntry]]:
    """The spool's entries at `indexes` (ascending); other frames are passed over.
    A spool in run order rather than file order (`massops.ordering`) is read whole."""
    if is_reordered(spool):
        wanted_set = set(indexes)
        found = [(i, entry) for i, entry in read_spool(spool, intents) if i in wanted_set]
        yield from sorted(found, key=lambda pair: pair[0])
        return
    wanted = iter(indexes)
    target = next(wanted, None)
    position = 0
    with open(spool, "rb") as file:
        while target is not None and (header := file.read(FRAME_HEADER.size)):
            length, count = FRAME_HEADER.unpack(header)
            if target >= position + count:
                file.seek(length, os.SEEK_CUR)
                position += count
                continue
            frame = intents.frame_decoder.decode(file.read(length))
            while target is not None and target < position + count:
                yield target, frame[target - position]
                target = next(wanted, None)
            position += count


def operation_json(entry: SpoolEntry) -> str:
    """A spooled operation as the file had it: templates are still in it (the
    run renders a copy), and an order's detached documents go back in place."""
    document: dict[str, Any] = msgspec.json.decode(_encoder.encode(entry.op))
    for name, text in (entry.documents or {}).items():
        document[name] = msgspec.Raw(text.encode())
    return _encoder.encode(document).decode()


def _store_inputs(
    connection: sa.Connection, task_id: str, entries: Iterable[tuple[int, SpoolEntry]]
) -> None:
    statement = (
        sa.update(_logs)
        .where(_logs.c.task_id == sa.bindparam("t"), _logs.c.idx == sa.bindparam("i"))
        .values(input=sa.bindparam("input"))
    )
    rows: list[dict[str, Any]] = []
    for index, entry in entries:
        rows.append({"t": task_id, "i": index, "input": operation_json(entry)})
        if len(rows) >= 1000:
            connection.execute(statement, rows)
            rows = []
    if rows:
        connection.execute(statement, rows)


# -- the retry file -----------------------------------------------------------------


def write_retry_file(connection: sa.Connection, task_id: str, path: Path) -> int:
    """Write the retry of a finished task to `path`; returns how many operations
    it holds (0: nothing failed, and no file is written)."""
    problems = list(
        connection.execute(
            sa.select(_logs.c.idx, _logs.c.input)
            .where(_logs.c.task_id == task_id, _logs.c.status != "success")
            .order_by(_logs.c.idx)
        )
    )
    if not problems:
        return 0
    missing = [int(idx) for idx, text in problems if text is None]
    if missing:
        raise ConflictError(
            f"task {task_id} cannot be retried: the input of operation {missing[0]} was not "
            "kept (the task finished before Geode kept failed operations); run the file again: "
            "what succeeded reports `unchanged`"
        )
    operations: list[dict[str, Any]] = [msgspec.json.decode(text) for _, text in problems]
    retried = {op["_ref"] for op in operations if isinstance(op.get("_ref"), str)}
    outputs = _outputs(connection, task_id, _references(operations) - retried)
    for (index, _), operation in zip(problems, operations, strict=True):
        _resolve(operation, outputs, retried, int(index))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_encoder.encode({"version": FILE_VERSION, "operations": operations}))
    return len(operations)


def _references(operations: list[dict[str, Any]]) -> set[str]:
    names: set[str] = set()
    for operation in operations:
        for _, text in find_templates(operation):
            try:
                names.update(r.ref for r in parse_template(text))
            except TemplateError:
                continue  # validated once already; the new file's validation says why
    return names


def _outputs(connection: sa.Connection, task_id: str, refs: set[str]) -> dict[str, Any]:
    """What the operations named `refs` output, from the task's logs."""
    found: dict[str, Any] = {}
    names = sorted(refs)
    for start in range(0, len(names), 500):
        query = sa.select(_logs.c.ref, _logs.c.output).where(
            _logs.c.task_id == task_id,
            _logs.c.ref.in_(names[start : start + 500]),
            _logs.c.status == "success",
        )
        for ref, output in connection.execute(query):
            if output is not None:
                found[ref] = msgspec.json.decode(output, type=dict[str, Any])
    return found


def _resolve(node: Any, outputs: dict[str, Any], retried: set[str], index: int) -> Any:
    """Render, in place, the references of `node` to operations that succeeded."""

    def lookup(reference: Reference) -> object | None:
        if reference.ref in retried:
            return None  # still a reference: its operation runs again
        output = outputs.get(reference.ref)
        value: object = None if output is None else read_path(output, reference.field)
        if value is None or value == "":
            raise ConflictError(
                f"operation {index} cannot be retried: {reference} has no value in the task's logs"
            )
        return value

    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = _resolve(value, outputs, retried, index)
    elif isinstance(node, list):
        for position, value in enumerate(node):
            node[position] = _resolve(value, outputs, retried, index)
    elif isinstance(node, str) and "{{" in node:
        return render_known(node, lookup)
    return node
