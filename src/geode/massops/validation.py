"""The validation pass: read the file once, check everything, spool it.

Nothing touches the store here. A file with any problem is refused whole, with
every problem listed; a clean file leaves a spool of typed operations and the
list of `{{ ref.field }}` values the run must remember.

Large files are cut into chunks of whole operations (`framing`) and checked by
worker processes (`chunks`), while this process follows `_ref` links in file
order and writes the spool. Files of any other layout, and any chunk the
framing could not prove, take the sequential path, which streams with ijson.
Both paths use the same checks (`checks`), so they agree on every file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import ijson

from geode.json_input import (
    DEFAULT_MAX_DEPTH,
    Position,
    encoding_problem,
    find_lone_surrogate,
    locate_error,
    may_hold_surrogate,
    position_at,
    surrogate_message,
    syntax_message,
    utf8_error,
)
from geode.limits import may_hold_bad_text
from geode.massops.checks import ReferenceChecker, check_operation
from geode.massops.chunks import ChunkReport
from geode.massops.framing import Framer, NotFramed
from geode.massops.intents import VERSION_PATTERN, IntentRegistry
from geode.massops.ordering import DependencyCollector
from geode.massops.problems import Problem
from geode.massops.reading import NO_VERSION, OperationReader, Refused, duplicate_problem
from geode.massops.spool import SpoolWriter
from geode.massops.templates import Reference
from geode.massops.worker import WorkerFailed, WorkerPool
from geode.util import gc_paused

MAX_PROBLEMS = 10_000
PARALLEL_MIN_BYTES = 16 << 20
PROGRESS_EVERY = 256
"""Operations between two calls of a validation's `progress` (which throttles by time)."""

ValidationProgress = Callable[[int, int], None]
"""Told (bytes read, operations read) as the validation pass goes."""


@dataclass
class ValidationReport:
    total: int = 0
    sha256: str = ""
    problems: list[Problem] = field(default_factory=list)
    omitted_problems: int = 0
    intents: Counter[str] = field(default_factory=Counter)
    # _ref name -> the output fields later operations read from it
    needed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    parallel: bool = False  # which path checked the file
    stopped: bool = False  # refused before the end: nothing after the problem was read
    order: list[int] | None = None
    """The run order (operation indexes) when it is not the file's (`massops.ordering`)."""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.omitted_problems

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.omitted_problems += 1


class _HashingReader:
    """File wrapper that fingerprints the bytes as they are read."""

    def __init__(self, raw: IO[bytes], *, watch_surrogates: bool = False) -> None:
        """`watch_surrogates`: note a possible surrogate escape (for ijson, which
        misreads them; msgspec, on the parallel path, refuses them itself)."""
        self._raw = raw
        self.digest = hashlib.sha256()
        self.offset = 0  # bytes read so far
        self.last_size = 0  # of the last read: a parser's error lies in it
        self.watch_surrogates = watch_surrogates
        self.maybe_surrogate = False  # a "\\ud..." escape seen: see json_input
        self._tail = b""

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self.digest.update(chunk)
        self.offset += len(chunk)
        self.last_size = len(chunk)
        if self.watch_surrogates and not self.maybe_surrogate:
            self.maybe_surrogate = may_hold_surrogate(self._tail + chunk[:4]) or (
                may_hold_surrogate(chunk)
            )
            self._tail = chunk[-2:]
        return chunk

    def finish(self) -> str:
        while self.read(1 << 20):
            pass
        return self.digest.hexdigest()


def validate_file(
    path: Path,
    intents: IntentRegistry,
    spool: SpoolWriter | None = None,
    *,
    workers: int = 2,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    chunk_size: int = 1 << 20,
    max_depth: int = DEFAULT_MAX_DEPTH,
    progress: ValidationProgress | None = None,
) -> ValidationReport:
    """Check `path`; when `spool` is given, write the operations to it while clean.
    Values nested deeper than `max_depth` (from the file's root) stop the pass.
    `progress` is told how far the pass got every few hundred operations."""
    with gc_paused():
        if workers > 1 and path.stat().st_size >= parallel_min_bytes:
            try:
                return _validate_parallel(
                    path, intents, spool, workers, chunk_size, max_depth, progress
                )
            except (NotFramed, WorkerFailed):
                # An unusual layout, or no worker processes to be had here
                # (an embedding program without a __main__ guard, say).
                if spool is not None:
                    spool.reset()
        return _validate_sequential(path, intents, spool, max_depth, progress)


def _validate_parallel(
    path: Path,
    intents: IntentRegistry,
    spool: SpoolWriter | None,
    workers: int,
    chunk_size: int,
    max_depth: int,
    progress: ValidationProgress | None = None,
) -> ValidationReport:
    report = ValidationReport()
    checker = _checker(intents)
    collector = DependencyCollector() if intents.ordered else None
    with open(path, "rb") as raw:
        reader = _HashingReader(raw)
        framer = Framer(reader, chunk_size)
        _check_version(json.loads(framer.version_literal), report)
        pool = WorkerPool(workers, intents.locator, max_depth)
        try:
            for chunk_report in pool.map(framer.chunks()):
                _merge_chunk(chunk_report, report, checker, spool, collector)
                if progress is not None:
                    progress(reader.offset, chunk_report.start + chunk_report.count)
                if chunk_report.stopped_at is not None:
                    report.stopped = True
                    report.total = chunk_report.stopped_at
                    break
        finally:
            pool.close(abandon=report.stopped)
        if not report.stopped:
            report.sha256 = reader.finish()
            report.total = framer.total
    report.parallel = True
    _finish(report, checker, collector)
    return report


def _merge_chunk(
    chunk: ChunkReport,
    report: ValidationReport,
    checker: ReferenceChecker,
    spool: SpoolWriter | None,
    collector: DependencyCollector | None = None,
) -> None:
    if chunk.framing_error is not None:
        raise NotFramed(chunk.framing_error)
    for problem in chunk.problems:
        report.add(problem)
    report.intents.update(chunk.intents)
    if collector is not None:  # each operation's `add` before its `link`
        for index, tag, provides, needs in chunk.dependencies:
            collector.add(index, tag, provides, needs)
    for index, intent, ref, uses in chunk.links:
        references = [(where, Reference(name, field)) for where, name, field in uses]
        for problem in checker.check(index, intent, ref, references):
            report.add(problem)
        if collector is not None:
            collector.link(index, intent, ref, [name for _, name, _ in uses])
    if spool is not None and report.ok:
        spool.add_frame(chunk.frame, chunk.count)


def _may_hold_bad_text(path: Path) -> bool:
    """`limits.may_hold_bad_text` of the whole file, read in blocks that overlap by
    enough for an escape pair cut at a block boundary."""
    tail = b""
    with open(path, "rb") as raw:
        while block := raw.read(1 << 20):
            if may_hold_bad_text(tail + block):
                return True
            tail = block[-12:]
    return False


def _checker(intents: IntentRegistry) -> ReferenceChecker:
    builtins = {name: builtin.fields for name, builtin in intents.builtins.items()}
    return ReferenceChecker(intents.outputs, builtins)


def _validate_sequential(
    path: Path,
    intents: IntentRegistry,
    spool: SpoolWriter | None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    progress: ValidationProgress | None = None,
) -> ValidationReport:
    report = ValidationReport()
    checker = _checker(intents)
    collector = DependencyCollector() if intents.ordered else None
    # A NUL or a lone surrogate escape anywhere: every string is then looked at
    # (`limits.text_problems`), so each one is reported at its own path.
    scan_text = _may_hold_bad_text(path)
    with open(path, "rb") as raw:
        encoding = encoding_problem(raw.read(4))
        raw.seek(0)
        if encoding is not None:
            report.add(Problem(None, None, "$", encoding, "invalid_encoding"))
            report.stopped = True
            return report
        reader = _HashingReader(raw, watch_surrogates=True)
        operations = OperationReader(
            reader,
            max_depth,
            report.add,
            lambda version: _check_version(version, report),
            keep_surrogates=scan_text,
        )
        try:
            for index, item, duplicates in operations:
                checked = check_operation(index, item, intents, scan_text=scan_text)
                for duplicate in duplicates:
                    report.add(duplicate_problem(index, checked.intent, duplicate))
                for problem in checked.problems:
                    report.add(problem)
                if checked.intent is not None:
                    report.intents[checked.intent] += 1
                for problem in checker.check(index, checked.intent, checked.ref, checked.uses):
                    report.add(problem)
                if collector is not None:
                    if checked.intent in intents.ordered_intents and checked.op is not None:
                        provides, needs = intents.dependencies(checked.op)
                        collector.add(index, checked.intent, provides, needs)
                    reads = [reference.ref for _, reference in checked.uses]
                    collector.link(index, checked.intent, checked.ref, reads)
                if spool is not None and report.ok and checked.op is not None:
                    templates = [(list(p), t) for p, t in checked.templates] or None
                    spool.add(intents.entry(checked.op, templates))
                if progress is not None and index % PROGRESS_EVERY == 0:
                    progress(reader.offset, index + 1)
        except Refused as exc:
            report.add(exc.problem)
            report.stopped = True
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            inside = operations.count if operations.in_operations else None
            if not _lone_surrogate(path, reader, report):
                report.add(_unreadable(path, reader.offset - reader.last_size, exc, inside))
            report.stopped = True
        else:
            if not scan_text:  # else each one was reported at its own path
                _lone_surrogate(path, reader, report)
        if not report.stopped:
            report.sha256 = reader.finish()
            if operations.version is NO_VERSION:
                _check_version(NO_VERSION, report)
    report.total = operations.count
    _finish(report, checker, collector)
    return report


def _lone_surrogate(path: Path, reader: _HashingReader, report: ValidationReport) -> bool:
    """Report an unpaired surrogate escape, which ijson reads as "?" or fails on."""
    if not reader.maybe_surrogate or (offset := find_lone_surrogate(path)) is None:
        return False
    message = surrogate_message(position_at(path, offset))
    report.add(Problem(None, None, "$", message, "invalid_encoding"))
    return True


def _unreadable(path: Path, near: int, error: BaseException, inside: int | None) -> Problem:
    """The problem of a file the parser gave up on: where, and why in words."""
    bad_byte = utf8_error(path, near + (1 << 16))
    if bad_byte is not None:
        with open(path, "rb") as raw:
            raw.seek(bad_byte)
            value = raw.read(1)
        message = (
            f"the file is not valid UTF-8: byte {bad_byte} (0x{value.hex().upper()}, at "
            f"{_line_and_column(position_at(path, bad_byte))}) cannot start or continue a "
            "character; save the file as UTF-8"
        )
        return Problem(None, None, "$", message, "invalid_encoding")
    where = locate_error(path, near)
    message = f"the file is not valid JSON at {where}: {syntax_message(error)}"
    if inside is not None:
        message += f" (while reading operation {inside})"
    return Problem(None, None, "$", message, "invalid_file")


def _line_and_column(position: Position) -> str:
    return f"line {position.line}, column {position.column}"


def _finish(
    report: ValidationReport, checker: ReferenceChecker, collector: DependencyCollector | None
) -> None:
    if report.total == 0 and report.ok:
        report.add(
            Problem(None, None, "$.operations", "the file has no operations", "invalid_file")
        )
    if not report.stopped:  # else a reference may be to an operation never read
        for problem in checker.finish():
            report.add(problem)
    report.needed = checker.needed_fields()
    if collector is not None and not report.stopped:
        # Also for a file with other problems: a cycle is one more thing to fix.
        report.order, cycles = collector.finish(report.total)
        for problem in cycles:
            report.add(problem)


def _check_version(version: object, report: ValidationReport) -> None:
    if version is NO_VERSION:
        report.add(
            Problem(
                None, None, "$.version", "'version' is required, e.g. \"0.0.1\"", "invalid_version"
            )
        )
    elif not isinstance(version, str) or not re.match(VERSION_PATTERN, version):
        report.add(
            Problem(
                None, None, "$.version",
                f"version {version!r} is not of the form x.y.z, e.g. \"0.0.1\"",
                "invalid_version",
            )
        )  # fmt: skip
