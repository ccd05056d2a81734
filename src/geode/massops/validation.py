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
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import ijson
import ijson.backends.python as ijson_python

from geode.limits import may_hold_bad_text
from geode.massops.checks import ReferenceChecker, check_operation
from geode.massops.chunks import ChunkReport
from geode.massops.framing import Framer, NotFramed
from geode.massops.problems import Problem, operation_path
from geode.massops.schemas import VERSION_PATTERN
from geode.massops.spool import SpoolWriter, spool_entry
from geode.massops.templates import Reference
from geode.massops.worker import WorkerFailed, WorkerPool
from geode.util import gc_paused

MAX_PROBLEMS = 10_000
PARALLEL_MIN_BYTES = 16 << 20


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

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self.digest.update(chunk)
        return chunk

    def finish(self) -> str:
        while self.read(1 << 20):
            pass
        return self.digest.hexdigest()


def validate_file(
    path: Path,
    spool: SpoolWriter | None = None,
    *,
    workers: int = 2,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    chunk_size: int = 1 << 20,
) -> ValidationReport:
    """Check `path`; when `spool` is given, write the operations to it while clean."""
    with gc_paused():
        if workers > 1 and path.stat().st_size >= parallel_min_bytes:
            try:
                return _validate_parallel(path, spool, workers, chunk_size)
            except (NotFramed, WorkerFailed):
                # An unusual layout, or no worker processes to be had here
                # (an embedding program without a __main__ guard, say).
                if spool is not None:
                    spool.reset()
        return _validate_sequential(path, spool)


def _validate_parallel(
    path: Path, spool: SpoolWriter | None, workers: int, chunk_size: int
) -> ValidationReport:
    report = ValidationReport()
    checker = ReferenceChecker()
    with open(path, "rb") as raw:
        reader = _HashingReader(raw)
        framer = Framer(reader, chunk_size)
        _check_version(json.loads(framer.version_literal), report)
        pool = WorkerPool(workers)
        try:
            for chunk_report in pool.map(framer.chunks()):
                _merge_chunk(chunk_report, report, checker, spool)
        finally:
            pool.close()
        report.sha256 = reader.finish()
    report.total = framer.total
    report.parallel = True
    _finish(report, checker)
    return report


def _merge_chunk(
    chunk: ChunkReport,
    report: ValidationReport,
    checker: ReferenceChecker,
    spool: SpoolWriter | None,
) -> None:
    if chunk.framing_error is not None:
        raise NotFramed(chunk.framing_error)
    for problem in chunk.problems:
        report.add(problem)
    report.intents.update(chunk.intents)
    for index, intent, ref, uses in chunk.links:
        references = [(where, Reference(name, field)) for where, name, field in uses]
        for problem in checker.check(index, intent, ref, references):
            report.add(problem)
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


def _validate_sequential(path: Path, spool: SpoolWriter | None) -> ValidationReport:
    report = ValidationReport()
    checker = ReferenceChecker()
    _check_version(_read_version(path), report)
    # The C parser turns a lone surrogate into "?" or fails; the python one keeps it,
    # so it is used (slower) on the rare file that may hold bad text.
    scan_text = _may_hold_bad_text(path)
    items = ijson_python.items if scan_text else ijson.items
    with open(path, "rb") as raw:
        reader = _HashingReader(raw)
        index = -1
        try:
            for index, item in enumerate(items(reader, "operations.item")):
                checked = check_operation(index, item, scan_text=scan_text)
                for problem in checked.problems:
                    report.add(problem)
                if checked.intent is not None:
                    report.intents[checked.intent] += 1
                for problem in checker.check(index, checked.intent, checked.ref, checked.uses):
                    report.add(problem)
                if spool is not None and report.ok and checked.op is not None:
                    templates = [(list(p), t) for p, t in checked.templates] or None
                    spool.add(spool_entry(checked.op, templates))
        except ijson.JSONError as exc:
            where = operation_path(index + 1) if index >= 0 else "$"
            report.add(
                Problem(
                    None, None, where,
                    f"the file is not valid JSON after operation {index}: {exc}",
                    "invalid_file",
                )
            )  # fmt: skip
        report.sha256 = reader.finish()
    report.total = index + 1
    _finish(report, checker)
    return report


def _finish(report: ValidationReport, checker: ReferenceChecker) -> None:
    if report.total == 0 and report.ok:
        report.add(
            Problem(None, None, "$.operations", "the file has no operations", "invalid_file")
        )
    for problem in checker.finish():
        report.add(problem)
    report.needed = checker.needed_fields()


_NO_VERSION = object()
_UNREADABLE = object()  # the file is not JSON: the main pass reports where


def _read_version(path: Path) -> object:
    with open(path, "rb") as raw:
        try:
            return next(ijson.items(raw, "version"), _NO_VERSION)
        except ijson.JSONError:
            return _UNREADABLE


def _check_version(version: object, report: ValidationReport) -> None:
    if version is _NO_VERSION:
        report.add(
            Problem(
                None, None, "$.version", "'version' is required, e.g. \"0.0.1\"", "invalid_version"
            )
        )
    elif version is not _UNREADABLE and (
        not isinstance(version, str) or not re.match(VERSION_PATTERN, version)
    ):
        report.add(
            Problem(
                None, None, "$.version",
                f"version {version!r} is not of the form x.y.z, e.g. \"0.0.1\"",
                "invalid_version",
            )
        )  # fmt: skip
