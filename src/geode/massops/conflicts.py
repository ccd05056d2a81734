"""Waves from the records operations read and write (`ResourcePlanner` placements).

Two operations of one file commute, and so may run in parallel chunks of one
wave, unless one writes a record the other reads or writes. For such a pair,
in run order, the later one goes to a strictly later wave when their keys
differ (two chunks), and to the same wave or later when they share a key (one
chunk, where run order holds). Kept per record: the wave and key of its last
write, and the highest wave that read it with the key of that read (or
`_MIXED` when reads on several keys share that wave). A record's name is held
as Python's `hash` of its text: a collision only adds a wait, never removes one.

An operation that "runs alone" writes its family's barrier record, which
every other operation of that family reads: it waits for every earlier one,
and every later one waits for it; consecutive ones share a key, so a wave.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

from geode.massops.intents import Placement

_MIXED = 0  # planning never gives an operation key 0
_NONE = -1


def barrier(family: str) -> str:
    """The record every operation of `family` reads and an operation run alone writes."""
    return f"\x00barrier\x1f{family}"


class Conflicts:
    """The reads and writes of placed operations, and the waves they impose."""

    def __init__(self) -> None:
        self.ops: dict[int, tuple[array[int], array[int]]] = {}
        self.state: dict[int, array[int]] = {}
        """record -> [write wave, write key, read wave, read key]"""

    def add(self, index: int, family: str, placement: Placement) -> None:
        """Record what operation `index` (of `family`) reads and writes."""
        fence = barrier(family)
        if placement.key is None:
            reads: Iterable[str] = ()
            writes: Iterable[str] = (fence,)
        else:
            reads, writes = (*placement.reads, fence), placement.writes
        self.ops[index] = (array("q", map(hash, reads)), array("q", map(hash, writes)))

    def earliest(self, index: int, key: int) -> int:
        """The lowest wave operation `index`, keyed `key`, may run in."""
        found = self.ops.get(index)
        if found is None:
            return 0
        reads, writes = found
        wave = 0
        for record in reads:
            state = self.state.get(record)
            if state is not None and state[0] != _NONE:
                wave = max(wave, state[0] + (state[1] != key))
        for record in writes:
            state = self.state.get(record)
            if state is None:
                continue
            if state[0] != _NONE:
                wave = max(wave, state[0] + (state[1] != key))
            if state[2] != _NONE:
                wave = max(wave, state[2] + (state[3] != key))
        return wave

    def ran(self, index: int, key: int, wave: int) -> None:
        """Operation `index` was placed in `wave`: later ones wait on it."""
        found = self.ops.pop(index, None)
        if found is None:
            return
        reads, writes = found
        for record in reads:
            state = self.state.get(record)
            if state is None:
                state = self.state[record] = array("q", (_NONE, _MIXED, _NONE, _MIXED))
            if wave > state[2]:
                state[2], state[3] = wave, key
            elif wave == state[2] and state[3] != key:
                state[3] = _MIXED
        for record in writes:
            state = self.state.get(record)
            if state is None:
                state = self.state[record] = array("q", (_NONE, _MIXED, _NONE, _MIXED))
            state[0], state[1] = wave, key
