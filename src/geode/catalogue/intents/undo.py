"""One operation's changes to a batch's in-memory view, so that a refused
operation leaves nothing of itself in the batch (issue 11).

An operation edits the writers' dicts and lists (items, variants, the indexes
by path, name, sku, ...) as it goes and may be refused part-way: a product
whose second variant names an unknown price variant has staged its item and its
first variant already. Copying the writers' state before each operation would
cost a whole batch per operation; instead each write through the `Journal`
notes what it replaced, and `undo` puts those back, newest first. Reads that
fill a cache (a row loaded from the store) are not journaled: what they hold is
true whatever the operation does.
"""

from __future__ import annotations

from typing import Any

_ABSENT: Any = object()
"""The key was not in the dict before the write."""

_SET, _APPEND, _REMOVE, _ADD = range(4)


class Journal:
    """Writes of the operation being applied, to undo if it is refused."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: list[tuple[int, Any, Any, Any]] = []

    def begin(self) -> None:
        """A new operation: what came before it is kept whatever happens."""
        self._entries.clear()

    def put(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        self._entries.append((_SET, mapping, key, mapping.get(key, _ABSENT)))
        mapping[key] = value

    def append(self, values: list[Any], value: Any) -> None:
        self._entries.append((_APPEND, values, None, None))
        values.append(value)

    def remove(self, values: list[Any], value: Any) -> None:
        """Remove the first `value` from `values` if it is there."""
        if value in values:
            index = values.index(value)
            self._entries.append((_REMOVE, values, index, value))
            del values[index]

    def add(self, values: set[Any], value: Any) -> None:
        if value not in values:
            self._entries.append((_ADD, values, value, None))
            values.add(value)

    def undo(self) -> None:
        """Restore what the operation's writes replaced, newest first."""
        for kind, target, key, old in reversed(self._entries):
            if kind == _SET:
                if old is _ABSENT:
                    target.pop(key, None)
                else:
                    target[key] = old
            elif kind == _APPEND:
                target.pop()
            elif kind == _REMOVE:
                target.insert(key, old)
            else:
                target.discard(key)
        self._entries.clear()
