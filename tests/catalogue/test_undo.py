"""The journal puts back exactly what one operation's writes replaced."""

from __future__ import annotations

from typing import Any

from geode.catalogue.intents.undo import Journal


def test_undo_restores_dicts_lists_and_sets_as_they_were() -> None:
    journal = Journal()
    states: dict[str, Any] = {"kept": 1, "changed": 2}
    skus = ["a", "b", "c"]
    touched = {"p1"}
    journal.begin()
    journal.put(states, "changed", 20)
    journal.put(states, "new", 3)
    journal.put(states, "new", 4)  # written twice: the first value before it comes back
    journal.append(skus, "d")
    journal.remove(skus, "b")
    journal.remove(skus, "absent")
    journal.add(touched, "p2")
    journal.add(touched, "p1")  # there already: stays after the undo
    assert states == {"kept": 1, "changed": 20, "new": 4}
    assert skus == ["a", "c", "d"]
    journal.undo()
    assert states == {"kept": 1, "changed": 2}
    assert skus == ["a", "b", "c"]
    assert touched == {"p1"}


def test_begin_keeps_what_earlier_operations_wrote() -> None:
    journal = Journal()
    states: dict[str, int] = {}
    journal.begin()
    journal.put(states, "first", 1)
    journal.begin()
    journal.put(states, "second", 2)
    journal.undo()
    assert states == {"first": 1}
    journal.undo()  # nothing left to undo
    assert states == {"first": 1}
