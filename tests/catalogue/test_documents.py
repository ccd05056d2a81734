"""Documents read back as they were written: exact numbers, same text for same content."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from geode.catalogue.documents import dump, dump_or_none, load, load_as, load_or_none

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.text()
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same kind: a Decimal never comes back as an int or a float."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, Decimal) and a == a.to_integral_value() and "." not in str(a):
        return b == a  # `5` (no point) reads back as the int 5: equal, and still exact
    return type(a) is type(b) and a == b


@settings(max_examples=300, deadline=None)
@given(document=DOCUMENTS)
def test_a_document_reads_back_exactly(document: Any) -> None:
    assert _same(document, load(dump(document)))


@given(document=st.dictionaries(st.text(), st.integers(), max_size=6))
def test_equal_content_is_equal_text_whatever_the_key_order(document: dict[str, int]) -> None:
    reordered = dict(reversed(list(document.items())))
    assert dump(reordered) == dump(document)


def test_numbers_are_json_numbers_and_keep_their_digits() -> None:
    text = dump({"number": Decimal("1.10"), "big": Decimal("123456789012345.12345678")})
    assert text == '{"big":123456789012345.12345678,"number":1.10}'
    assert load(text) == {"big": Decimal("123456789012345.12345678"), "number": Decimal("1.10")}
    assert str(load(text)["number"]) == "1.10"


class Modifier(msgspec.Struct, omit_defaults=True):
    identifier: str
    modifier: Decimal
    decimalPlaces: int | msgspec.UnsetType = msgspec.UNSET


def test_a_struct_is_stored_without_its_unset_fields_and_decoded_back_into_one() -> None:
    stored = dump([Modifier("eur", Decimal("-2.50"))])
    assert stored == '[{"identifier":"eur","modifier":-2.50}]'
    assert load_as(stored, list[Modifier]) == [Modifier("eur", Decimal("-2.50"))]


def test_no_document_is_null_not_the_text_null() -> None:
    assert dump_or_none(None) is None
    assert dump_or_none(msgspec.UNSET) is None
    assert dump_or_none([]) == "[]"
    assert load_or_none(None) is None
