"""The run's memory of `_ref` outputs: what later operations can read, and why not."""

from __future__ import annotations

import pytest

from geode.massops.references import ReferenceState
from geode.massops.templates import Reference, TemplateError

NEEDED = {
    "c1": ("identifier",),
    "c2": ("identifier",),
    "o1": ("id", "customer.identifier"),
}


def test_a_single_field_and_several_fields_read_back() -> None:
    refs = ReferenceState(NEEDED)
    refs.remember("c1", {"identifier": "cust-1", "email": "x@example.com"})
    refs.remember("o1", {"id": "a" * 24, "customer": {"identifier": "cust-1"}})

    assert refs.lookup(Reference("c1", "identifier")) == "cust-1"
    assert refs.lookup(Reference("o1", "id")) == "a" * 24
    assert refs.lookup(Reference("o1", "customer.identifier")) == "cust-1"


def test_a_ref_not_run_yet_or_a_field_not_kept_cannot_be_resolved() -> None:
    refs = ReferenceState(NEEDED)
    refs.remember("c1", {"identifier": "cust-1", "email": "x@example.com"})

    with pytest.raises(TemplateError, match="'c2' has no output"):
        refs.lookup(Reference("c2", "identifier"))
    with pytest.raises(TemplateError, match="'c1' has no output"):
        refs.lookup(Reference("c1", "email"))  # validation found nobody reading it


def test_an_empty_value_is_an_error_naming_the_field() -> None:
    refs = ReferenceState(NEEDED)
    refs.remember("c1", {"identifier": ""})
    refs.remember("c2", {})

    with pytest.raises(TemplateError, match="is empty: operation 'c1' has no identifier"):
        refs.lookup(Reference("c1", "identifier"))
    with pytest.raises(TemplateError, match="is empty: operation 'c2' has no identifier"):
        refs.lookup(Reference("c2", "identifier"))


def test_outputs_nobody_reads_are_not_kept() -> None:
    refs = ReferenceState(NEEDED)
    refs.remember("unread", {"identifier": "x"})

    assert not refs.knows("unread")
    assert not refs.knows("c1")


def test_a_failed_or_skipped_ref_blocks_its_readers_with_the_reason() -> None:
    refs = ReferenceState(NEEDED)
    refs.mark_unavailable("c1", 4, "failure")
    refs.mark_unavailable("c2", 7, "skipped")

    assert refs.blocker([Reference("c1", "identifier")]) == (
        "skipped: waited on operation 4 (_ref 'c1'), which failed"
    )
    assert refs.blocker([Reference("c2", "identifier")]) == (
        "skipped: waited on operation 7 (_ref 'c2'), which was skipped"
    )
    assert refs.blocker([Reference("o1", "id")]) is None
    with pytest.raises(TemplateError):
        refs.lookup(Reference("c1", "identifier"))


def test_a_layer_sees_its_parent_and_reaches_it_only_when_merged() -> None:
    run = ReferenceState(NEEDED)
    run.remember("c1", {"identifier": "cust-1"})
    batch = run.layer()
    batch.remember("c2", {"identifier": "cust-2"})
    batch.mark_unavailable("o1", 3, "failure")

    assert batch.lookup(Reference("c1", "identifier")) == "cust-1"
    assert batch.lookup(Reference("c2", "identifier")) == "cust-2"
    assert not run.knows("c2")

    run.merge(batch)
    assert run.lookup(Reference("c2", "identifier")) == "cust-2"
    assert run.blocker([Reference("o1", "id")]) is not None


def test_a_later_layer_overrides_an_earlier_value() -> None:
    run = ReferenceState(NEEDED)
    run.mark_unavailable("c1", 0, "failure")
    batch = run.layer()
    batch.remember("c1", {"identifier": "again"})  # a later operation reused the _ref

    assert batch.lookup(Reference("c1", "identifier")) == "again"


def test_logs_restore_outputs_and_failures() -> None:
    refs = ReferenceState(NEEDED)
    refs.load_logs(
        [
            ("c1", 0, "success", '{"identifier":"cust-1"}'),
            ("c2", 1, "failure", None),
        ]
    )

    assert refs.lookup(Reference("c1", "identifier")) == "cust-1"
    assert refs.blocker([Reference("c2", "identifier")]) is not None


def test_needed_and_blank_give_back_what_was_given() -> None:
    refs = ReferenceState(NEEDED)
    refs.remember("c1", {"identifier": "cust-1"})

    assert refs.needed == NEEDED
    blank = refs.blank()
    assert blank.needed == NEEDED
    assert not blank.knows("c1")
