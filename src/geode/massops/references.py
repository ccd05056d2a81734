"""What the run remembers of earlier operations so `{{ ref.field }}` can be rendered.

Only the fields some later operation reads are kept (found by the validation
pass), so a million-operation file does not keep a million outputs in memory.

The map from `_ref` to what it output is the one structure of a run that grows
with the file (200,000 entries for the benchmark's million operations), so it
is kept compact: one dict from `_ref` to a slot, where a slot is "not run yet",
the bare value when the ref is read for one field (the usual case), a tuple of
values for several, or why the operation has no output. The fields each ref is
read for are stored once per shape, not per ref.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec

from geode.massops.templates import Reference, TemplateError

Needed = dict[str, tuple[str, ...]]
"""_ref -> the output fields later operations read from it (from validation)."""


def read_path(output: dict[str, Any], dotted: str) -> Any:
    node: Any = output
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


class _Waiting:
    """The slot of a ref whose operation has not run (or not been loaded) yet."""


_WAITING = _Waiting()


@dataclass(frozen=True, slots=True)
class _Unavailable:
    index: int
    status: str  # "failure" or "skipped"


class ReferenceState:
    """A batch works on a `layer` over the run's state, merged into it once
    prepared, so nothing is copied."""

    def __init__(self, needed: Needed, *, _parent: ReferenceState | None = None) -> None:
        if _parent is not None:
            self._root: ReferenceState = _parent._root
            self._parent: ReferenceState | None = _parent
            self._slots: dict[str, Any] = {}
            return
        self._root = self
        self._parent = None
        # The slots reuse `needed`'s key strings; only odd shapes are stored per ref.
        self._slots = dict.fromkeys(needed, _WAITING)
        shapes = Counter(needed.values())
        self._default: tuple[str, ...] = shapes.most_common(1)[0][0] if shapes else ()
        self._shapes: Needed = {
            ref: fields for ref, fields in needed.items() if fields != self._default
        }

    @property
    def needed(self) -> Needed:
        root = self._root
        return {ref: root._shapes.get(ref, root._default) for ref in root._slots}

    def blank(self) -> ReferenceState:
        """The same refs, none of them run yet."""
        return ReferenceState(self.needed)

    def layer(self) -> ReferenceState:
        return ReferenceState({}, _parent=self)

    def _fields(self, ref: str) -> tuple[str, ...] | None:
        root = self._root
        if ref not in root._slots:
            return None
        return root._shapes.get(ref, root._default)

    def _slot(self, ref: str) -> Any:
        state: ReferenceState | None = self
        while state is not None:
            slot = state._slots.get(ref, _WAITING)
            if slot is not _WAITING:
                return slot
            state = state._parent
        return _WAITING

    def load_logs(self, rows: Iterable[tuple[str, int, str, str | None]]) -> None:
        """Take (ref, idx, status, output) log rows of operations already run."""
        for ref, idx, status, output in rows:
            if status == "success" and output is not None:
                self.remember(ref, msgspec.json.decode(output, type=dict[str, Any]))
            else:
                self.mark_unavailable(ref, idx, status)

    def wants(self, ref: str) -> bool:
        """Whether some operation reads `ref`."""
        return ref in self._root._slots

    def knows(self, ref: str) -> bool:
        """Whether this state holds the ref's output or its failure."""
        return self._slot(ref) is not _WAITING

    def remember(self, ref: str, output: dict[str, Any]) -> None:
        fields = self._fields(ref)
        if not fields:
            return
        if len(fields) == 1:
            self._slots[ref] = read_path(output, fields[0])
        else:
            self._slots[ref] = tuple(read_path(output, f) for f in fields)

    def mark_unavailable(self, ref: str, index: int, status: str) -> None:
        if self._fields(ref) is not None:
            self._slots[ref] = _Unavailable(index, status)

    def blocker(self, references: list[Reference]) -> str | None:
        """Why an operation must be skipped, if a reference points at a failure."""
        for reference in references:
            slot = self._slot(reference.ref)
            if isinstance(slot, _Unavailable):
                return (
                    f"skipped: waited on operation {slot.index} (_ref '{reference.ref}'), "
                    f"which {'failed' if slot.status == 'failure' else 'was skipped'}"
                )
        return None

    def lookup(self, reference: Reference) -> Any:
        fields = self._fields(reference.ref) or ()
        slot = self._slot(reference.ref)
        if slot is _WAITING or isinstance(slot, _Unavailable) or reference.field not in fields:
            raise TemplateError(f"{reference} cannot be resolved: '{reference.ref}' has no output")
        value = slot if len(fields) == 1 else slot[fields.index(reference.field)]
        if value is None or value == "":
            raise TemplateError(
                f"{reference} is empty: operation '{reference.ref}' has no {reference.field}"
            )
        return value

    def merge(self, other: ReferenceState) -> None:
        # Assigning to existing keys keeps this dict's key strings.
        self._slots.update(other._slots)
