"""The sequential pass's reader: a mass-operation file as a stream of operations.

ijson's `items` builds each operation in C, but it also builds a path prefix
for every event, which grows with the depth: 30,000 levels cost gigabytes.
Here the flat events go through `json_input.Builder`, which refuses nesting
past the limit while streaming and notes repeated keys; the envelope is checked
on the way: one object holding `version` and `operations`, each once, nothing
else (the JSON Schema's `additionalProperties: false`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

from geode.json_input import Builder, DuplicateKey, TooDeep, events_of, json_path
from geode.massops.problems import Problem

NO_VERSION: Any = object()
ENVELOPE_FIELDS = ("version", "operations")


class Refused(Exception):
    """A problem after which the rest of the file cannot be read."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _kind(event: str, value: Any) -> str:
    kinds = {"start_array": "an array", "start_map": "an object", "null": "null"}
    if event in kinds:
        return kinds[event]
    return {"boolean": "a boolean", "string": "a string"}.get(event, "a number")


def not_an_object(kind: str) -> str:
    return (
        f'the file must be a JSON object with "version" and "operations", e.g. '
        f'{{"version": "0.0.1", "operations": [...]}}; this file is {kind}'
    )


class OperationReader:
    """Iterate for (index, operation, its repeated keys); envelope problems go to
    `on_problem` as they are met; `Refused` ends the file early."""

    def __init__(
        self,
        stream: IO[bytes] | Any,
        limit: int,
        on_problem: Callable[[Problem], None],
        on_version: Callable[[object], None],
        *,
        keep_surrogates: bool = False,
    ) -> None:
        self._events = events_of(stream, keep_surrogates=keep_surrogates)
        self._limit = limit
        self._on_problem = on_problem
        self._on_version = on_version
        self.version: object = NO_VERSION
        self.count = 0
        """Operations read so far; while reading one, its index."""
        self.in_operations = False

    def __iter__(self) -> Iterator[tuple[int, Any, list[DuplicateKey]]]:
        events = self._events
        event, value = next(events)
        if event != "start_map":
            message = not_an_object(_kind(event, value))
            raise Refused(Problem(None, None, "$", message, "invalid_file"))
        seen: set[str] = set()
        duplicates: list[DuplicateKey] = []
        builder = Builder(self._limit, duplicates)
        for event, value in events:
            if event == "end_map":
                break
            key: str = value
            where = json_path("$", [key])
            if key in seen:
                self._problem(None, DuplicateKey((), key))
            seen.add(key)
            event, value = next(events)
            if key == "operations" and event == "start_array":
                self.in_operations = True
                yield from self._operations(events)
                self.in_operations = False
                continue
            try:
                item = builder.build(events, event, value, [key])
            except TooDeep as exc:
                raise Refused(self._too_deep(None, exc)) from None
            for duplicate in duplicates:
                self._problem(None, duplicate)
            duplicates.clear()
            if key == "version":
                self.version = item
                self._on_version(item)
            elif key == "operations":
                message = f"'operations' must be a list of operations, got {_kind(event, value)}"
                self._on_problem(Problem(None, None, where, message, "invalid_type"))
            else:
                message = (
                    f"unknown field {key!r} in the file's envelope; "
                    f"it holds only {' and '.join(ENVELOPE_FIELDS)}"
                )
                self._on_problem(Problem(None, None, where, message, "unknown_field"))
        for _ in events:  # the parser refuses anything after the envelope
            pass

    def _operations(
        self, events: Iterator[tuple[str, Any]]
    ) -> Iterator[tuple[int, Any, list[DuplicateKey]]]:
        for event, value in events:
            if event == "end_array":
                return
            index = self.count
            duplicates: list[DuplicateKey] = []
            try:
                item = Builder(self._limit, duplicates).build(
                    events, event, value, ["operations", index]
                )
            except TooDeep as exc:
                raise Refused(self._too_deep(index, exc)) from None
            self.count += 1
            yield index, item, duplicates

    def _too_deep(self, index: int | None, exc: TooDeep) -> Problem:
        return Problem(index, None, json_path("$", exc.parts), exc.message(), "too_deep")

    def _problem(self, index: int | None, duplicate: DuplicateKey) -> None:
        self._on_problem(duplicate_problem(index, None, duplicate))


def duplicate_problem(index: int | None, intent: str | None, duplicate: DuplicateKey) -> Problem:
    where = json_path("$", [*duplicate.parts, duplicate.key])
    return Problem(index, intent, where, duplicate.message(), "duplicate_key")
