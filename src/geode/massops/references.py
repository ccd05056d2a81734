"""What the run remembers of earlier operations so `{{ ref.field }}` can be rendered.

Only the fields some later operation reads are kept (found by the validation
pass), so a million-operation file does not keep a million outputs in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from geode.massops.templates import Reference, TemplateError


def read_path(output: dict[str, Any], dotted: str) -> Any:
    node: Any = output
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


@dataclass
class ReferenceState:
    """Outputs later operations read. A batch works on a layer over the run's
    state (`parent`), merged into it once prepared, so nothing is copied."""

    needed: dict[str, tuple[str, ...]]
    values: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    # _ref -> (operation index, "failed" or "skipped")
    unavailable: dict[str, tuple[int, str]] = field(default_factory=dict)
    parent: ReferenceState | None = None

    def layer(self) -> ReferenceState:
        return ReferenceState(self.needed, parent=self)

    def _values(self, ref: str) -> tuple[Any, ...] | None:
        values = self.values.get(ref)
        if values is None and self.parent is not None:
            return self.parent._values(ref)
        return values

    def _unavailable(self, ref: str) -> tuple[int, str] | None:
        hit = self.unavailable.get(ref)
        if hit is None and self.parent is not None:
            return self.parent._unavailable(ref)
        return hit

    def load_logs(self, rows: Iterable[tuple[str, int, str, str | None]]) -> None:
        """Take (ref, idx, status, output) log rows of operations already run."""
        for ref, idx, status, output in rows:
            if status == "success" and output is not None:
                self.remember(ref, msgspec.json.decode(output, type=dict[str, Any]))
            else:
                self.mark_unavailable(ref, idx, status)

    def knows(self, ref: str) -> bool:
        """Whether this state holds the ref's output or its failure."""
        return self._values(ref) is not None or self._unavailable(ref) is not None

    def remember(self, ref: str, output: dict[str, Any]) -> None:
        fields = self.needed.get(ref)
        if fields:
            self.values[ref] = tuple(read_path(output, f) for f in fields)

    def mark_unavailable(self, ref: str, index: int, status: str) -> None:
        if ref in self.needed:
            self.unavailable[ref] = (index, status)

    def blocker(self, references: list[Reference]) -> str | None:
        """Why an operation must be skipped, if a reference points at a failure."""
        for reference in references:
            hit = self._unavailable(reference.ref)
            if hit is not None:
                index, status = hit
                return (
                    f"skipped: waited on operation {index} (_ref '{reference.ref}'), "
                    f"which {'failed' if status == 'failure' else 'was skipped'}"
                )
        return None

    def lookup(self, reference: Reference) -> Any:
        fields = self.needed.get(reference.ref, ())
        values = self._values(reference.ref)
        if values is None or reference.field not in fields:
            raise TemplateError(f"{reference} cannot be resolved: '{reference.ref}' has no output")
        value = values[fields.index(reference.field)]
        if value is None or value == "":
            raise TemplateError(
                f"{reference} is empty: operation '{reference.ref}' has no {reference.field}"
            )
        return value

    def merge(self, other: ReferenceState) -> None:
        self.values.update(other.values)
        self.unavailable.update(other.unavailable)
