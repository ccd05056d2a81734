"""Slugs of topic names: what a path segment may hold, whatever the name."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from geode.catalogue.intents.topic_writer import slug


@given(st.text(max_size=200))
def test_a_slug_is_a_clean_path_segment_and_stable(name: str) -> None:
    made = slug(name)
    assert re.fullmatch(r"(?:[^\W_]|\w)*", made.replace("-", "")) is not None
    assert "/" not in made and "--" not in made
    assert not made.startswith("-") and not made.endswith("-")
    assert slug(made) == made


def test_examples() -> None:
    assert slug("Summer Sale!") == "summer-sale"
    assert slug("snake_case  and/slash") == "snake-case-and-slash"
    assert slug("!!!") == ""
