"""The fast proof of `json_input` (count members, count key separators) must never
call a document with a repeated key sound, however it is formatted and whatever
its strings hold; and the slow scan must agree with it on every document."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geode.json_input import JsonInputError, decode_checked, encoding_problem, locate_error

# Objects as lists of pairs, so that a key can repeat. Keys and strings are drawn
# from characters that fool a naive count: quotes, colons, backslashes, spaces.
TEXT = st.text(alphabet='ab:" \\\n{}', max_size=6)


class Pairs(list[tuple[str, Any]]):
    pass


values = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(
            st.tuples(st.sampled_from(["a", "b", "a:", ':"', "c d"]) | TEXT, inner), max_size=4
        ).map(Pairs)
    ),
    max_leaves=20,
)
SPACING = st.sampled_from(["", " ", "\n  ", "\t"])


def render(value: Any, space: str, before_colon: str) -> str:
    if isinstance(value, Pairs):
        members = (
            f"{json.dumps(k)}{before_colon}:{space}{render(v, space, before_colon)}"
            for k, v in value
        )
        return "{" + f",{space}".join(members) + "}"
    if isinstance(value, list):
        return "[" + f",{space}".join(render(v, space, before_colon) for v in value) + "]"
    return json.dumps(value)


def repeats_a_key(value: Any) -> bool:
    if isinstance(value, Pairs):
        keys = [k for k, _ in value]
        return len(set(keys)) < len(keys) or any(repeats_a_key(v) for _, v in value)
    if isinstance(value, list):
        return any(repeats_a_key(v) for v in value)
    return False


@settings(max_examples=400, deadline=None)
@given(values, SPACING, st.sampled_from(["", " ", "\n"]))
def test_a_repeated_key_is_always_found(value: Any, space: str, before_colon: str) -> None:
    text = render(value, space, before_colon).encode()
    if repeats_a_key(value):
        with pytest.raises(JsonInputError) as refused:
            decode_checked(text, 100)
        assert refused.value.code == "duplicate_key"
    else:
        assert decode_checked(text, 100) == msgspec.json.decode(text)


def test_the_first_repeated_key_is_named_with_its_path() -> None:
    text = b'{"a": [1, {"x": 1, "y": {"k": 1, "k": 2}}], "a": 3}'
    with pytest.raises(JsonInputError) as refused:
        decode_checked(text, 32)
    assert refused.value.path == "$.a[1].y.k"


@pytest.mark.parametrize("depth", [33, 900, 5_000])
def test_nesting_past_the_limit_names_the_first_container_past_it(depth: int) -> None:
    text = ("[" * depth + "]" * depth).encode()
    with pytest.raises(JsonInputError) as refused:
        decode_checked(text, 32)
    assert (refused.value.code, refused.value.path) == ("too_deep", "$" + "[0]" * 32)


def test_nesting_up_to_the_limit_is_read() -> None:
    assert decode_checked(b"[" * 32 + b"]" * 32, 32) is not None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'{"a"', None),
        (b"\xef\xbb\xbf{", "byte order mark"),
        (b"\xff\xfe{\x00", "UTF-16 (little-endian, with a byte order mark)"),
        (b"{\x00\x00\x00", "UTF-32 (little-endian)"),
        (b"\x00{", "UTF-16 (big-endian)"),
    ],
)
def test_encodings_are_named(head: bytes, expected: str | None) -> None:
    found = encoding_problem(head)
    assert found is None if expected is None else expected in (found or "")


def test_an_error_is_located_by_line_and_character_column() -> None:
    text = '{\n  "naïve": 1,\n  "b": tru\n}'.encode()
    position = locate_error(text, 0)
    assert (position.line, position.column) == (3, 11)
