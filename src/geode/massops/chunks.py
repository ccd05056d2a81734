"""Validation of one chunk of operations: the work a validation process does.

Kept free of database imports so worker processes start quickly.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

import msgspec

from geode.limits import may_hold_bad_text
from geode.massops.checks import CheckedOperation, check_operation
from geode.massops.problems import Problem
from geode.massops.schemas import Operation
from geode.massops.spool import SpoolEntry, encode_frame, spool_entry
from geode.massops.templates import may_hold_templates

_typed = msgspec.json.Decoder(Operation)
_plain = msgspec.json.Decoder(float_hook=Decimal)
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
    framing_error: str | None = None


def validate_chunk(chunk: bytes, start: int) -> ChunkReport:
    """Check the operations in `chunk` (`{op},{op},...`), the first being number `start`."""
    report = ChunkReport(start)
    try:
        raws = _raws.decode(b"[" + chunk + b"]")
    except msgspec.DecodeError as exc:
        report.framing_error = str(exc)
        return report
    report.count = len(raws)
    entries: list[SpoolEntry] = []
    intents: Counter[str] = Counter()
    suspect = may_hold_bad_text(chunk)
    for offset, raw in enumerate(raws):
        index = start + offset
        scan_text = suspect and may_hold_bad_text(bytes(raw))
        try:
            op: Any = _typed.decode(raw)
        except (msgspec.ValidationError, msgspec.DecodeError, ArithmeticError):
            op = None
        if scan_text:
            # The standard library keeps a lone surrogate as it is, for the report.
            item = json.loads(bytes(raw), parse_float=Decimal)
            _add(index, report, intents, entries, check_operation(index, item, op, scan_text=True))
            continue
        if op is not None and not may_hold_templates(raw):
            intent = op.__struct_config__.tag
            intents[intent] += 1
            ref = op.ref if isinstance(op.ref, str) else None
            if ref is not None:
                report.links.append((index, intent, ref, []))
            entries.append(spool_entry(op, None))
            continue
        _add(index, report, intents, entries, check_operation(index, _plain.decode(raw), op))
    report.intents = dict(intents)
    if not report.problems:
        report.frame = encode_frame(entries)
    return report


def _add(
    index: int,
    report: ChunkReport,
    intents: Counter[str],
    entries: list[SpoolEntry],
    checked: CheckedOperation,
) -> None:
    if checked.intent is not None:
        intents[checked.intent] += 1
    report.problems.extend(checked.problems)
    if checked.ref is not None or checked.uses:
        uses = [(where, r.ref, r.field) for where, r in checked.uses]
        report.links.append((index, checked.intent, checked.ref, uses))
    if checked.op is not None:
        templates = [(list(p), t) for p, t in checked.templates] or None
        entries.append(spool_entry(checked.op, templates))
