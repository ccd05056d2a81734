"""Validation of one chunk of operations: the work a validation process does.

Kept free of database imports so worker processes start quickly.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

import msgspec

from geode.json_input import DEFAULT_MAX_DEPTH, DuplicateKey, TooDeep, json_path, proven_sound, scan
from geode.limits import holds_no_key_bad_character, may_hold_bad_text
from geode.massops.checks import CheckedOperation, check_operation
from geode.massops.intents import IntentSchemas, SpoolEntry
from geode.massops.problems import Problem
from geode.massops.reading import duplicate_problem
from geode.massops.spool import encode_frame
from geode.massops.templates import survey

_plain = msgspec.json.Decoder(float_hook=Decimal)
# Numbers as floats: twice as fast as Decimals, and enough for what the walk
# looks at (nesting, keys, strings); exact values are decoded when reported.
_shape = msgspec.json.Decoder()
_raws = msgspec.json.Decoder(list[msgspec.Raw])


class ChunkReport(msgspec.Struct):
    """Sent back over a pipe, so plain fields only."""

    start: int
    count: int = 0
    frame: bytes = b""
    problems: list[Problem] = msgspec.field(default_factory=list)
    intents: dict[str, int] = msgspec.field(default_factory=dict)
    # (index, intent, _ref, uses as (path, ref, field)) of operations that
    # declare or use a _ref; plain tuples, which cross processes cheaply
    links: list[tuple[int, str | None, str | None, list[tuple[str, str, str]]]] = msgspec.field(
        default_factory=list
    )
    dependencies: list[tuple[int, str, list[str], list[str]]] = msgspec.field(default_factory=list)
    """(index, intent, provides, needs) of operations declaring any (`massops.ordering`)."""
    framing_error: str | None = None
    stopped_at: int | None = None
    """The operation nested too deep to read: the pass ends there, as the
    sequential one does."""


_TOO_DEEP: Any = object()


def validate_chunk(
    chunk: bytes, start: int, intents: IntentSchemas, max_depth: int = DEFAULT_MAX_DEPTH
) -> ChunkReport:
    """Check the operations in `chunk` (`{op},{op},...`), the first being number `start`."""
    report = ChunkReport(start)
    try:
        raws = _raws.decode(b"[" + chunk + b"]")
    except (msgspec.DecodeError, RecursionError) as exc:
        report.framing_error = str(exc)
        return report
    report.count = len(raws)
    entries: list[SpoolEntry] = []
    counts: Counter[str] = Counter()
    suspect = may_hold_bad_text(chunk)
    for offset, raw in enumerate(raws):
        index = start + offset
        text = bytes(raw)
        scan_text = suspect and may_hold_bad_text(text)
        try:
            shape = _decode_shape(text)
        except msgspec.DecodeError as exc:  # invalid UTF-8, say: the sequential pass says where
            report.framing_error = str(exc)
            return report
        # Depth and repeated keys first: the checks below walk values recursively,
        # and msgspec kept the last of two keys. An operation sits 2 levels down.
        members, templates = (-1, []) if shape is _TOO_DEEP else survey(shape, 2, max_depth)
        duplicates: list[DuplicateKey] = []
        if members < 0 or not proven_sound(text, members):
            too_deep, duplicates = scan(text, ["operations", index], max_depth)
            if too_deep is None and shape is _TOO_DEEP:  # a limit past msgspec's own
                too_deep = TooDeep(["operations", index], max_depth)
            if too_deep is not None:
                where = json_path("$", too_deep.parts)
                report.problems.append(Problem(index, None, where, too_deep.message(), "too_deep"))
                report.stopped_at = index
                break
        typed = (
            intents.plain_keys_decoder if holds_no_key_bad_character(text) else intents.json_decoder
        )
        try:
            op: Any = typed.decode(text)
        except (msgspec.ValidationError, msgspec.DecodeError, ArithmeticError):
            op = None
        if scan_text:
            # The standard library keeps a lone surrogate as it is, for the report.
            item = json.loads(text, parse_float=Decimal)
            checked = check_operation(index, item, intents, op, scan_text=True)
            _add(index, report, counts, entries, checked, duplicates, intents)
            continue
        if op is not None and not duplicates and not templates:
            intent = op.__struct_config__.tag
            counts[intent] += 1
            ref = op.ref if isinstance(op.ref, str) else None
            if ref is not None:
                report.links.append((index, intent, ref, []))
            _depend(index, op, report, intents)
            entries.append(intents.entry(op, None))
            continue
        # The shape's floats do for a valid operation (only its `_ref` is read);
        # an invalid one is explained from its exact values.
        item = shape if op is not None else _plain.decode(text)
        checked = check_operation(index, item, intents, op, templates)
        _add(index, report, counts, entries, checked, duplicates, intents)
    report.intents = dict(counts)
    if not report.problems and report.stopped_at is None:
        report.frame = encode_frame(entries)
    return report


def _decode_shape(text: bytes) -> Any:
    """The operation as plain JSON, numbers as floats where they fit; `_TOO_DEEP`
    past msgspec's own nesting limit."""
    try:
        try:
            return _shape.decode(text)
        except msgspec.ValidationError:  # a number past a float's range
            return _plain.decode(text)
    except RecursionError:
        return _TOO_DEEP


def _add(
    index: int,
    report: ChunkReport,
    counts: Counter[str],
    entries: list[SpoolEntry],
    checked: CheckedOperation,
    duplicates: list[DuplicateKey],
    intents: IntentSchemas,
) -> None:
    if checked.intent is not None:
        counts[checked.intent] += 1
    report.problems.extend(duplicate_problem(index, checked.intent, d) for d in duplicates)
    report.problems.extend(checked.problems)
    if checked.ref is not None or checked.uses:
        uses = [(where, r.ref, r.field) for where, r in checked.uses]
        report.links.append((index, checked.intent, checked.ref, uses))
    if checked.op is not None:
        templates = [(list(p), t) for p, t in checked.templates] or None
        _depend(index, checked.op, report, intents)
        entries.append(intents.entry(checked.op, templates))


def _depend(index: int, op: Any, report: ChunkReport, intents: IntentSchemas) -> None:
    intent = str(op.__struct_config__.tag)
    if intent in intents.ordered_intents:
        provides, needs = intents.dependencies(op)
        if provides or needs:
            report.dependencies.append((index, intent, provides, needs))
