"""Rows written by batches whose transactions have not committed yet.

The pipelined runner prepares batch N+1 while batch N is still being written.
Batch N+1 must see batch N's effects, which the database cannot show it yet:
it looks here first. Entries are dropped once their batch has committed,
after which the database shows them, so this holds at most a few batches.
"""

from __future__ import annotations

from typing import Generic, TypeVar

V = TypeVar("V")
MISSING = object()


class Pending(Generic[V]):
    def __init__(self) -> None:
        self._entries: dict[str, tuple[int, V]] = {}
        # Which keys each batch put: a commit drops those, not a scan of them all
        # (the runner asks after every batch; a commit window holds many).
        self._keys: dict[int, list[str]] = {}

    def get(self, key: str) -> V | object:
        entry = self._entries.get(key)
        return MISSING if entry is None else entry[1]

    def put(self, batch: int, key: str, value: V) -> None:
        self._entries[key] = (batch, value)
        self._keys.setdefault(batch, []).append(key)

    def values(self) -> list[V]:
        """Every pending value (a few batches' worth), for lookups by other than the key."""
        return [value for _, value in self._entries.values()]

    def committed(self, batch: int) -> None:
        """Batches up to `batch` are in the database now."""
        for done in [b for b in self._keys if b <= batch]:
            for key in self._keys.pop(done):
                entry = self._entries.get(key)
                if entry is not None and entry[0] <= batch:
                    del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
