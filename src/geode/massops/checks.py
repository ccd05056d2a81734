"""Checks of one operation, and of `_ref` links across operations.

Shared by the sequential validation pass and the parallel one, so both refuse
exactly the same files with exactly the same messages.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import msgspec

from geode import limits
from geode.massops.intents import IntentSchemas
from geode.massops.problems import Problem, explain_operation, operation_path, suggest
from geode.massops.templates import Path, Reference, TemplateError, find_templates, parse_template

_NOT_DECODED: Any = object()


@dataclass(slots=True)
class CheckedOperation:
    op: Any  # the typed operation, None when invalid
    intent: str | None
    ref: str | None
    templates: list[tuple[Path, str]]
    uses: list[tuple[str, Reference]]  # (JSON path, reference) of every template
    problems: list[Problem]


def check_operation(
    index: int,
    item: Any,
    intents: IntentSchemas,
    op: Any = _NOT_DECODED,
    templates: list[tuple[Path, str]] | None = None,
    *,
    scan_text: bool = False,
) -> CheckedOperation:
    """`item` is the operation as parsed JSON; `op` its typed form if already decoded,
    `templates` its `find_templates` if already found.

    `scan_text`: the raw JSON may hold a NUL or a lone surrogate (`limits.may_hold_bad_text`),
    so every string of `item` is looked at; `item` must then come from a parser that
    keeps lone surrogates (the standard library's, or ijson's python backend).
    """
    problems: list[Problem] = []
    if op is _NOT_DECODED:
        try:
            op = msgspec.convert(item, intents.operation)
        except (msgspec.ValidationError, ArithmeticError):
            op = None
    if op is None:
        problems.extend(explain_operation(index, item, intents))
        intent = _intent_of(item, intents)
    else:
        intent = op.__struct_config__.tag
    bad_text: set[str] = set()
    if scan_text:
        reported = {problem.path for problem in problems}
        for path, message in limits.text_problems(item):
            where = operation_path(index, *path)
            bad_text.add(where)
            if where not in reported:  # a key's own check may have said it already
                problems.append(Problem(index, intent, where, message, "invalid_value"))
    if templates is None:
        templates = find_templates(item)
    uses: list[tuple[str, Reference]] = []
    for path, text in templates:
        where = operation_path(index, *path)
        if where in bad_text:
            continue
        try:
            uses.extend((where, reference) for reference in parse_template(text))
        except TemplateError as exc:
            problems.append(Problem(index, intent, where, str(exc), "invalid_template"))
    ref = item.get("_ref") if isinstance(item, dict) else None
    return CheckedOperation(
        op, intent, ref if isinstance(ref, str) and ref else None, templates, uses, problems
    )


def _intent_of(item: object, intents: IntentSchemas) -> str | None:
    intent = item.get("intent") if isinstance(item, dict) else None
    return intent if isinstance(intent, str) and intent in intents.intents else None


@dataclass
class ReferenceChecker:
    """Follows `_ref` declarations and uses in file order.

    `needed` ends up naming, per `_ref`, the output fields later operations
    read: all the run has to remember.
    """

    outputs: dict[str, frozenset[str]]
    """What each intent outputs (`IntentSchemas.outputs`)."""
    builtins: dict[str, frozenset[str]] = field(default_factory=dict)
    """Names every file may read without declaring them (`{{ defaults.rootItemId }}`)."""
    refs: dict[str, tuple[int, str]] = field(default_factory=dict)
    # unknown ref -> (index, intent, path) of its users, judged at the end
    pending: dict[str, list[tuple[int, str | None, str]]] = field(default_factory=dict)
    # _ref -> fields read from it; tuples shared between refs of the same shape
    # (a million-operation file has hundreds of thousands of refs)
    needed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _shapes: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)

    def check(
        self,
        index: int,
        intent: str | None,
        ref: str | None,
        uses: list[tuple[str, Reference]],
    ) -> list[Problem]:
        problems = [
            p
            for where, r in uses
            if (p := self._own(index, intent, where, r, ref) or self._use(index, intent, where, r))
        ]
        if ref is not None:
            if ref in self.builtins:
                problems.append(
                    Problem(
                        index, intent, operation_path(index, "_ref"),
                        f"_ref '{ref}' is reserved: {{{{ {ref}.field }}}} reads the tenant's "
                        f"{ref}; name this operation otherwise",
                        "duplicate_ref",
                    )
                )  # fmt: skip
            elif ref in self.refs:
                problems.append(
                    Problem(
                        index, intent, operation_path(index, "_ref"),
                        f"_ref '{ref}' is already used by operation {self.refs[ref][0]}; "
                        "each _ref names one operation",
                        "duplicate_ref",
                    )
                )  # fmt: skip
            else:
                # An invalid operation still claims its _ref, so its users
                # are not also reported as dangling.
                # Interned: a decoded intent is a new string each time, and a
                # million-operation file declares hundreds of thousands of refs.
                self.refs[ref] = (index, sys.intern(intent or ""))
        return problems

    def _own(
        self, index: int, intent: str | None, where: str, reference: Reference, ref: str | None
    ) -> Problem | None:
        if ref is None or reference.ref != ref or ref in self.refs:
            return None  # (a repeated _ref is reported as such; uses read the first)
        return Problem(
            index, intent, where,
            f"{reference} reads operation {index}'s own _ref '{ref}'; a template can only "
            "read an earlier operation's output",
            "invalid_reference",
        )  # fmt: skip

    def _use(
        self, index: int, intent: str | None, where: str, reference: Reference
    ) -> Problem | None:
        builtin = self.builtins.get(reference.ref)
        if builtin is not None:
            if reference.field in builtin:
                self._need(reference)  # the run reads it when it starts
                return None
            return Problem(
                index, intent, where,
                f"{reference} reads '{reference.field}', which {reference.ref} does not hold; "
                f"it holds: {', '.join(sorted(builtin))}",
                "invalid_reference",
            )  # fmt: skip
        target = self.refs.get(reference.ref)
        if target is None:
            self.pending.setdefault(reference.ref, []).append((index, intent, where))
            return None
        allowed = self.outputs.get(target[1], frozenset())
        if target[1] and reference.field not in allowed:
            near = suggest(reference.field, allowed)
            hint = f"did you mean '{near}'? " if near else ""
            return Problem(
                index, intent, where,
                f"{reference} reads '{reference.field}', which operation {target[0]} "
                f"({target[1]}) does not output; {hint}"
                f"it outputs: {', '.join(sorted(allowed))}",
                "invalid_reference",
            )  # fmt: skip
        self._need(reference)
        return None

    def _need(self, reference: Reference) -> None:
        fields = self.needed.get(reference.ref, ())
        if reference.field not in fields:
            shape = tuple(sorted((*fields, reference.field)))
            self.needed[reference.ref] = self._shapes.setdefault(shape, shape)

    def finish(self) -> list[Problem]:
        """Uses of a `_ref` no earlier operation declared."""
        problems: list[Problem] = []
        for ref, uses in self.pending.items():
            if ref in self.refs:
                detail = (
                    f"'{ref}' is defined later, by operation {self.refs[ref][0]}; "
                    "an operation can only refer to operations before it"
                )
            else:
                near = suggest(ref, self.refs)
                detail = f"no operation has _ref '{ref}'" + (
                    f"; did you mean '{near}'?" if near else ""
                )
            problems.extend(
                Problem(index, intent, where, detail, "invalid_reference")
                for index, intent, where in uses
            )
        return problems

    def needed_fields(self) -> dict[str, tuple[str, ...]]:
        return self.needed
