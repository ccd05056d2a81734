"""The run order of a file: every operation after what it depends on.

A family declares, per operation, the records it provides and the records it
needs (`IntentFamily.dependencies`: plain keys such as "shape:mug"). The run
order is the file order, except that an operation runs after every operation
of the file, earlier or later, that provides a record it needs. Operations
providing the same record keep their file order, and an operation reading
`{{ ref.field }}` stays after the operation declaring that `_ref`. Among the
orders that satisfy all this, the one kept is the closest to the file (each
step runs the lowest-numbered operation that may run), so a file already in
order runs as it is, and a cycle is refused up front.

Memory: only operations that may move are recorded ("movable": they provide
or need a record, or read the `_ref` of one that may move; an operation of
neither kind is ready from the start and so keeps its place), edges live in
compact arrays, and no graph is built unless some operation needs a record
that a later one provides. A customer/order file of a million operations
records nothing. A registry whose families declare no dependencies has no
collector at all (`IntentRegistry.ordered`).
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from geode.massops.problems import Problem

MAX_CYCLES = 20
"""Cycles reported for one file; past that, fixing the first ones comes first."""

_REF = -1  # the reason of an edge from a `_ref` to an operation reading it
_SAME = -2  # the reason of an edge between two operations providing the same record


def _pairs() -> array[int]:
    return array("q")


@dataclass
class DependencyCollector:
    """Fed in file order by the validation pass; `finish` gives the order."""

    keys: dict[str, int] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    movable: array[int] = field(default_factory=lambda: array("H"))
    """Per operation index: 0, or 1 + the code of its intent (`intent_names`) when it
    may move (for cycle messages). Arrays, not dicts: a catalogue file of 400,000
    operations records nearly all of them, and per-entry dicts took 150 MB."""
    intent_names: list[str] = field(default_factory=list)
    intent_codes: dict[str, int] = field(default_factory=dict)
    last_provider: array[int] = field(default_factory=_pairs)
    """Per record key: the last operation providing it so far, or -1."""
    first_provider: array[int] = field(default_factory=_pairs)
    """Per record key: the first operation providing it, or -1."""
    edges: array[int] = field(default_factory=_pairs)
    """(from, to, reason) triples known as the file is read: same-record chains
    and `_ref` links (reason: `_SAME`/`_REF`)."""
    needs: array[int] = field(default_factory=_pairs)
    """(operation, key) pairs, resolved against their providers at the end."""
    refs: dict[str, int] = field(default_factory=dict)
    """`_ref` -> index, of movable operations only."""
    late: bool = False
    """Whether some operation needs a record that a later operation provides."""

    def _key(self, name: str) -> int:
        key = self.keys.get(name)
        if key is None:
            key = self.keys[name] = len(self.names)
            self.names.append(name)
            self.last_provider.append(-1)
            self.first_provider.append(-1)
        return key

    def _mark(self, index: int, intent: str) -> None:
        """Operation `index` may move (once marked, its intent stays the first one)."""
        movable = self.movable
        if len(movable) <= index:
            movable.extend(bytes(2 * (index + 1 - len(movable))))
        if movable[index]:
            return
        code = self.intent_codes.get(intent)
        if code is None:
            code = self.intent_codes[intent] = len(self.intent_names)
            self.intent_names.append(intent)
        movable[index] = code + 1

    def is_movable(self, index: int) -> bool:
        return index < len(self.movable) and self.movable[index] != 0

    def intent_of(self, index: int) -> str | None:
        code = self.movable[index] if index < len(self.movable) else 0
        return self.intent_names[code - 1] if code else None

    def add(self, index: int, intent: str, provides: Sequence[str], needs: Sequence[str]) -> None:
        """What operation `index` provides and needs (called in file order, and
        before `link` of the same operation)."""
        if not provides and not needs:
            return
        self._mark(index, intent)
        own = set(provides)
        for name in set(needs) - own:
            key = self._key(name)
            earlier = self.last_provider[key]
            if earlier >= 0:
                # Provided earlier in the file: it waits for that operation only, so
                # a later operation on the same record cannot pull it past its place.
                self.edges.extend((earlier, index, key))
            else:
                self.needs.extend((index, key))  # for the first provider after it
        for name in own:
            key = self._key(name)
            previous = self.last_provider[key]
            if previous >= 0 and previous != index:
                self.edges.extend((previous, index, _SAME))
            elif self.first_provider[key] < 0:
                self.first_provider[key] = index
            self.last_provider[key] = index

    def link(self, index: int, intent: str | None, ref: str | None, reads: Iterable[str]) -> None:
        """Operation `index` declares `ref` and reads the `_ref`s `reads`."""
        for name in reads:
            producer = self.refs.get(name)
            if producer is not None and producer != index:
                self.edges.extend((producer, index, _REF))
                self._mark(index, intent or "")
        if ref is not None and self.is_movable(index):
            self.refs.setdefault(ref, index)

    def finish(self, total: int) -> tuple[list[int] | None, list[Problem]]:
        """(run order, or None when it is the file order; cycle problems)."""
        needs = self.needs
        resolved = _pairs()
        for position in range(0, len(needs), 2):
            index, key = needs[position], needs[position + 1]
            provider = self.first_provider[key]
            if provider < 0:
                continue  # stored already, or not at all: the operation will say
            self.late = True  # no provider came before it: it waits for the first after
            resolved.extend((provider, index, key))
        if not self.late:
            return None, []
        graph = _Graph(total, self.edges + resolved)
        order, left = graph.order()
        if left:
            return None, self._cycles(graph, left)
        return order, []

    def _cycles(self, graph: _Graph, left: list[int]) -> list[Problem]:
        problems: list[Problem] = []
        for cycle in graph.cycles(left):
            if len(problems) == MAX_CYCLES:
                break
            problems.append(self._cycle_problem(graph, cycle))
        return problems

    def _cycle_problem(self, graph: _Graph, cycle: list[int]) -> Problem:
        named = ", ".join(f"{i} ({self.intent_of(i) or 'operation'})" for i in cycle)
        steps = []
        for position, index in enumerate(cycle):
            after = cycle[position - 1]
            steps.append(self._why(index, after, graph.reason(after, index)))
        message = (
            f"operations {named} depend on each other in a cycle, so none of them can run "
            f"first: {'; '.join(steps)}; break the cycle (e.g. create one of them without "
            "what it names, and name it in a later update)"
        )
        return Problem(None, None, "$.operations", message, "dependency_cycle")

    def _why(self, index: int, after: int, reason: int) -> str:
        if reason == _REF:
            return f"operation {index} reads the _ref of operation {after}"
        if reason == _SAME:
            return f"operation {index} changes the same record as operation {after}, after it"
        return f"operation {index} needs {self.names[reason]}, which operation {after} provides"


class _Graph:
    """Edges as compressed rows (successors of each node, with their reason)."""

    def __init__(self, total: int, triples: array[int]) -> None:
        self.total = total
        count = len(triples) // 3
        starts = array("q", bytes(8 * (total + 1)))
        for position in range(0, len(triples), 3):
            starts[triples[position] + 1] += 1
        for node in range(total):
            starts[node + 1] += starts[node]
        fill = array("q", starts[:-1])
        targets = array("q", bytes(8 * count))
        reasons = array("q", bytes(8 * count))
        indegree = array("q", bytes(8 * total))
        for position in range(0, len(triples), 3):
            source, target, reason = triples[position : position + 3]
            slot = fill[source]
            targets[slot], reasons[slot] = target, reason
            fill[source] = slot + 1
            indegree[target] += 1
        self.starts, self.targets, self.reasons, self.indegree = starts, targets, reasons, indegree

    def successors(self, node: int) -> array[int]:
        return self.targets[self.starts[node] : self.starts[node + 1]]

    def reason(self, source: int, target: int) -> int:
        for slot in range(self.starts[source], self.starts[source + 1]):
            if self.targets[slot] == target:
                return self.reasons[slot]
        raise KeyError((source, target))

    def order(self) -> tuple[list[int], list[int]]:
        """(the order, lowest index first among those ready; nodes left in cycles)."""
        indegree = array("q", self.indegree)
        ready = [node for node in range(self.total) if indegree[node] == 0]
        heapq.heapify(ready)
        order: list[int] = []
        while ready:
            node = heapq.heappop(ready)
            order.append(node)
            for target in self.successors(node):
                indegree[target] -= 1
                if indegree[target] == 0:
                    heapq.heappush(ready, target)
        if len(order) == self.total:
            return order, []
        return order, [node for node in range(self.total) if indegree[node] > 0]

    def cycles(self, left: list[int]) -> Iterable[list[int]]:
        """Distinct cycles among the nodes `left` unordered, lowest index first.

        Every node left has a predecessor left; walking back from any of them
        ends in a cycle."""
        remaining = set(left)
        predecessors: dict[int, list[int]] = {}
        for source in left:
            for target in self.successors(source):
                if target in remaining:
                    predecessors.setdefault(target, []).append(source)
        seen: set[int] = set()
        for start in left:
            if start in seen:
                continue
            path: list[int] = []
            on_path: dict[int, int] = {}
            node = start
            while node not in seen and node not in on_path:
                on_path[node] = len(path)
                path.append(node)
                node = min(predecessors[node])
            seen.update(path)
            if node in on_path:  # a new cycle, walked backwards
                cycle = path[on_path[node] :][::-1]
                low = cycle.index(min(cycle))
                yield cycle[low:] + cycle[:low]


def describe(order: Sequence[int]) -> str:
    """An order as runs of consecutive indexes: "2, 0-1, 3-99"."""
    parts: list[str] = []
    start = previous = None
    for index in [*order, None]:
        if start is not None and previous is not None and index == previous + 1:
            previous = index
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = index
    return ", ".join(parts)
