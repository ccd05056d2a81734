"""The limits module: the character class it writes out, and its number rules."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geode import limits


def test_the_written_out_class_is_every_control_and_format_character() -> None:
    bad = re.compile(f"[{limits._FORMAT_CLASS}]")
    expected = {
        c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Cc", "Cf")
    }
    found = {c for c in range(sys.maxunicode + 1) if c < 0xD800 or c > 0xDFFF if bad.match(chr(c))}
    assert found == expected


@pytest.mark.parametrize(
    ("rule", "value", "ok"),
    [
        (limits.MONEY, Decimal("999999999999999.99999999"), True),
        (limits.MONEY, Decimal("1E+15"), False),
        (limits.MONEY, Decimal("0.000000001"), False),
        (limits.MONEY, Decimal("1.10000000000"), True),  # trailing zeros are no precision
        (limits.MONEY, Decimal("1.100000001"), False),
        (limits.MONEY, Decimal("-0.01"), False),
        (limits.MONEY, Decimal("NaN"), False),
        (limits.MONEY, Decimal("1E+2"), True),
        (limits.PERCENT, Decimal("100"), True),
        (limits.PERCENT, Decimal("100.01"), False),
        (limits.QUANTITY, Decimal("1000000000"), True),
        (limits.QUANTITY, Decimal("2.0"), True),
        (limits.QUANTITY, Decimal("1.5"), False),
        (limits.SIGNED_MONEY, Decimal("-999999999999999"), True),
        (limits.SIGNED_MONEY, Decimal("-1E+15"), False),
    ],
)
def test_number_rules(rule: limits.NumberRule, value: Decimal, ok: bool) -> None:
    assert (rule.problem(value) is None) == ok


@pytest.mark.parametrize("rule", list(limits.NUMBER_RULES.values()), ids=lambda r: r.name)
def test_the_text_pattern_accepts_only_what_the_rule_accepts(rule: limits.NumberRule) -> None:
    pattern = re.compile(rule.pattern())
    for text in ["0", "1", "99", "100", "100.5", "1.5", "1000000000", "1000000001",
                 "999999999999999.99999999", "1000000000000000", "0.123456789", "-1"]:  # fmt: skip
        if pattern.match(text):
            assert rule.problem(Decimal(text)) is None, text


def test_bad_text_is_found_in_keys_and_nested_values() -> None:
    value = {"a": ["fine", {"b\x00": "x", "c": "\ud800"}], "d": "\U0001f600"}
    assert [path for path, _ in limits.text_problems(value)] == [("a", 1), ("a", 1, "c")]


def test_escaped_pairs_are_not_bad_text_but_lone_halves_are() -> None:
    assert not limits.may_hold_bad_text(rb'"\ud83d\ude00"')
    assert limits.may_hold_bad_text(rb'"\ud83d"')
    assert limits.may_hold_bad_text(rb'"\ude00"')
    assert limits.may_hold_bad_text(rb'"a\u0000"')


_KEY = re.compile(limits.KEY_PATTERN)
# Whatever JSON may hold, with the characters keys refuse and their neighbours well
# represented (controls, DEL and C1, soft hyphen, zero-width and bidi marks, BOM).
_TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from('\x00\x01\t\n\r\x1f\x7f\x80\x9f\xad\u200b\u202e\u2060\ufeff\U000e0001é"\\'),
    ),
    max_size=12,
)


@given(
    values=st.lists(_TEXT, max_size=4),
    ensure_ascii=st.booleans(),
    indent=st.sampled_from([None, 1]),
)
def test_a_document_proven_free_of_bad_key_characters_holds_only_sound_keys(
    values: list[str], ensure_ascii: bool, indent: int | None
) -> None:
    document = json.dumps(
        {"k": values, "n": {"x": 1}}, ensure_ascii=ensure_ascii, indent=indent
    ).encode()
    if limits.holds_no_key_bad_character(document):
        assert all(_KEY.search(value) for value in values)


@pytest.mark.parametrize(
    ("document", "proven"),
    [
        (b'{"sku": "sku-1", "currency": "EUR"}', True),
        ('{"city": "Tromsø"}\n'.encode(), True),  # blanks outside strings are no text
        (b'{"sku": "a\\"b\\\\c/"}', True),  # escapes that write no control character
        ('{"sku": "a\u200bb"}'.encode(), False),
        ('{"sku": "a\xadb"}'.encode(), False),
        (b'{"sku": "a\x7fb"}', False),
        (b'{"sku": "a\\nb"}', False),
        (b'{"sku": "a\\u00e9"}', False),  # may be sound: the decoder with patterns says
    ],
)
def test_documents_proven_free_of_bad_key_characters(document: bytes, proven: bool) -> None:
    assert limits.holds_no_key_bad_character(document) is proven
