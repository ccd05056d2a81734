"""Small helpers that shape what users read."""

from __future__ import annotations

import pytest

from geode.util import with_article


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("adjustment", "an adjustment"),
        ("cashback", "a cashback"),
        ("redeem", "a redeem"),
        ("Events Batch Job", "an Events Batch Job"),
        ("Order Creation Batch Job", "an Order Creation Batch Job"),
        ("Customer Creation Batch Job", "a Customer Creation Batch Job"),
        ("int", "an int"),
        ("unique", "a unique"),
        ("UUID", "a UUID"),
        ("NaN", "a NaN"),
        ("SKU", "an SKU"),
    ],
)
def test_the_article_follows_how_the_word_is_said(word: str, expected: str) -> None:
    assert with_article(word) == expected
