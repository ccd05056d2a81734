"""Pending rows: a later batch sees an earlier one's rows until that batch commits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from geode.pending import MISSING, Pending


def test_a_commit_drops_the_rows_of_committed_batches_only() -> None:
    pending: Pending[str] = Pending()
    pending.put(1, "a", "a1")
    pending.put(2, "b", "b2")
    pending.put(3, "c", "c3")
    pending.committed(2)
    assert (pending.get("a"), pending.get("b"), pending.get("c")) == (MISSING, MISSING, "c3")
    assert len(pending) == 1


def test_a_key_rewritten_by_a_later_batch_stays_until_that_batch_commits() -> None:
    pending: Pending[str] = Pending()
    pending.put(1, "a", "a1")
    pending.put(2, "a", "a2")
    pending.committed(1)
    assert pending.get("a") == "a2"
    pending.committed(2)
    assert pending.get("a") is MISSING


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("put"), st.integers(1, 6), st.sampled_from("abcde")),
            st.tuples(st.just("commit"), st.integers(0, 6), st.just("")),
        ),
        max_size=40,
    )
)
def test_matches_the_rule_keep_a_key_while_its_last_batch_is_uncommitted(
    steps: list[tuple[str, int, str]],
) -> None:
    pending: Pending[int] = Pending()
    model: dict[str, int] = {}
    for action, batch, key in steps:
        if action == "put":
            pending.put(batch, key, batch)
            model[key] = batch
        else:
            pending.committed(batch)
            model = {k: b for k, b in model.items() if b > batch}
    assert {k: pending.get(k) for k in "abcde" if pending.get(k) is not MISSING} == model
    assert len(pending) == len(model)
