"""The validation pass: stream the file once, check everything, spool it.

Nothing touches the store here. A file with any problem is refused whole, with
every problem listed; a clean file leaves a spool of typed operations and the
list of `{{ ref.field }}` values the run must remember.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson
import msgspec

from geode.massops.problems import Problem, explain_operation, operation_path, suggest
from geode.massops.schemas import INTENTS, OUTPUT_FIELDS, VERSION_PATTERN, Operation
from geode.massops.spool import SpoolEntry, SpoolWriter
from geode.massops.templates import TemplateError, find_templates, parse_template
from geode.util import gc_paused

MAX_PROBLEMS = 10_000


@dataclass
class ValidationReport:
    total: int = 0
    sha256: str = ""
    problems: list[Problem] = field(default_factory=list)
    omitted_problems: int = 0
    intents: Counter[str] = field(default_factory=Counter)
    # _ref name -> the output fields later operations read from it
    needed: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.omitted_problems

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.omitted_problems += 1


class _HashingReader:
    """File wrapper that fingerprints the bytes as ijson reads them."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self.digest.update(chunk)
        return chunk


def validate_file(path: Path, spool: SpoolWriter | None = None) -> ValidationReport:
    """Check `path`; when `spool` is given, write the operations to it while clean."""
    report = ValidationReport()
    _check_version(path, report)
    refs: dict[str, tuple[int, str]] = {}
    # unknown ref -> (index, intent, path) of its users
    pending: dict[str, list[tuple[int, str | None, str]]] = {}
    needed: dict[str, set[str]] = {}
    convert = msgspec.convert
    with open(path, "rb") as raw, gc_paused():
        reader = _HashingReader(raw)
        index = -1
        try:
            for index, item in enumerate(ijson.items(reader, "operations.item")):
                try:
                    op: Any = convert(item, Operation)
                except (msgspec.ValidationError, ArithmeticError):
                    for problem in explain_operation(index, item):
                        report.add(problem)
                    op = None
                intent = op.__struct_config__.tag if op is not None else _intent_of(item)
                if intent is not None:
                    report.intents[intent] += 1
                templates = find_templates(item)
                if templates:
                    _check_templates(index, intent, templates, refs, pending, needed, report)
                ref = item.get("_ref") if isinstance(item, dict) else None
                if isinstance(ref, str) and ref:
                    if ref in refs:
                        report.add(
                            Problem(
                                index, intent, operation_path(index, "_ref"),
                                f"_ref '{ref}' is already used by operation {refs[ref][0]}; "
                                "each _ref names one operation",
                                "duplicate_ref",
                            )
                        )  # fmt: skip
                    else:
                        # An invalid operation still claims its _ref, so its
                        # users are not also reported as dangling.
                        refs[ref] = (index, intent or "")
                if spool is not None and report.ok and op is not None:
                    spool.add(SpoolEntry(op, [(list(p), t) for p, t in templates] or None))
            while reader.read(1 << 20):
                pass  # the digest covers the whole file
        except ijson.JSONError as exc:
            report.add(
                Problem(
                    None, None, operation_path(index + 1) if index >= 0 else "$",
                    f"the file is not valid JSON after operation {index}: {exc}",
                    "invalid_file",
                )
            )  # fmt: skip
    report.total = index + 1
    report.sha256 = reader.digest.hexdigest()
    if report.total == 0 and report.ok:
        report.add(
            Problem(None, None, "$.operations", "the file has no operations", "invalid_file")
        )
    for ref, uses in pending.items():
        for use_index, use_intent, use_path in uses:
            if ref in refs:
                detail = (
                    f"'{ref}' is defined later, by operation {refs[ref][0]}; "
                    "an operation can only refer to operations before it"
                )
            else:
                near = suggest(ref, refs)
                detail = f"no operation has _ref '{ref}'" + (
                    f"; did you mean '{near}'?" if near else ""
                )
            report.add(Problem(use_index, use_intent, use_path, detail, "invalid_reference"))
    report.needed = {ref: tuple(sorted(fields)) for ref, fields in needed.items()}
    return report


def _intent_of(item: object) -> str | None:
    intent = item.get("intent") if isinstance(item, dict) else None
    return intent if isinstance(intent, str) and intent in INTENTS else None


def _check_version(path: Path, report: ValidationReport) -> None:
    import re

    with open(path, "rb") as raw:
        try:
            version = next(ijson.items(raw, "version"), None)
        except ijson.JSONError:
            return  # reported by the main pass with its position
    if version is None:
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


def _check_templates(
    index: int,
    intent: str | None,
    templates: list[tuple[tuple[str | int, ...], str]],
    refs: dict[str, tuple[int, str]],
    pending: dict[str, list[tuple[int, str | None, str]]],
    needed: dict[str, set[str]],
    report: ValidationReport,
) -> None:
    for path, text in templates:
        where = operation_path(index, *path)
        try:
            references = parse_template(text)
        except TemplateError as exc:
            report.add(Problem(index, intent, where, str(exc), "invalid_template"))
            continue
        for reference in references:
            target = refs.get(reference.ref)
            if target is None:
                pending.setdefault(reference.ref, []).append((index, intent, where))
                continue
            allowed = OUTPUT_FIELDS.get(target[1], frozenset())
            if target[1] and reference.field not in allowed:
                near = suggest(reference.field, allowed)
                hint = f"did you mean '{near}'? " if near else ""
                report.add(
                    Problem(
                        index, intent, where,
                        f"{reference} reads '{reference.field}', which operation {target[0]} "
                        f"({target[1]}) does not output; {hint}"
                        f"it outputs: {', '.join(sorted(allowed))}",
                        "invalid_reference",
                    )
                )  # fmt: skip
                continue
            needed.setdefault(reference.ref, set()).add(reference.field)
