from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geode.catalogue.components.content import (
    ComponentContent,
    decode_components,
    encode_components,
)
from geode.catalogue.components.values import NumericContent
from tests.catalogue.components.samples import CONTENT

_AS_NUMBERS = msgspec.json.Encoder(decimal_format="number")


def decode(raw: Any) -> list[ComponentContent]:
    """As the file reader hands content over: JSON text."""
    return decode_components(_AS_NUMBERS.encode(raw))


def refused(raw: Any) -> str:
    with pytest.raises(msgspec.ValidationError) as error:
        decode(raw)
    return str(error.value)


@pytest.mark.parametrize("content", CONTENT, ids=lambda c: c["componentId"])
def test_content_of_each_type_decodes_under_its_type_key(content: dict[str, Any]) -> None:
    (decoded,) = decode([content])
    key = next(k for k in content if k != "componentId")
    assert decoded.type == key
    assert decoded.value is getattr(decoded, key)
    assert msgspec.json.decode(encode_components([decoded])) == [content]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (
            {"componentId": "a"},
            "component 'a' needs exactly one content key beside `componentId`, its type (`singleLine`, `images`, ...); found none - at `$[0]`",
        ),
        (
            {"componentId": "a", "singleLine": {"text": "x"}, "numeric": {"number": 1}},
            "found `numeric`, `singleLine` - at `$[0]`",
        ),
        (
            {"componentId": "a", "singleLine": None, "boolean": None},
            "found `boolean`, `singleLine`",
        ),
        (
            {"componentId": "c", "contentChunk": {"chunks": [[{"componentId": "x"}]]}},
            "found none - at `$[0].contentChunk.chunks[0][0]`",
        ),
        (
            {
                "componentId": "c",
                "contentChunk": {
                    "chunks": [[{"componentId": "x", "contentChunk": {"chunks": []}}]]
                },
            },
            "Object contains unknown field `contentChunk` - at `$[0].contentChunk.chunks[0][0]`",
        ),
        (
            {"componentId": "c", "componentChoice": {"componentId": "x", "componentChoice": None}},
            "unknown field `componentChoice` - at `$[0].componentChoice`",
        ),
        (
            {
                "componentId": "c",
                "componentMultipleChoice": [{"componentId": "x", "componentMultipleChoice": []}],
            },
            "unknown field `componentMultipleChoice` - at `$[0].componentMultipleChoice[0]`",
        ),
        (
            {
                "componentId": "p",
                "piece": {"identifier": "b", "components": [{"componentId": "q"}]},
            },
            "found none - at `$[0].piece.components[0]`",
        ),
        (
            {"componentId": "", "boolean": None},
            "Expected `str` of length >= 1 - at `$[0].componentId`",
        ),
        (
            {"componentId": "n", "numeric": {}},
            "missing required field `number` - at `$[0].numeric`",
        ),
        ({"componentId": "n", "numeric": {"number": "1e400"}}, "at `$[0].numeric`"),
        (
            {"componentId": "n", "numeric": {"number": 1.123456789}},
            "has more than 8 decimal places",
        ),
        (
            {"componentId": "d", "datetime": {"datetime": "yesterday"}},
            "`datetime` is 'yesterday', not a date; use ISO-8601 such as 2024-05-01T12:30:00Z - at `$[0].datetime`",
        ),
        (
            {"componentId": "g", "gridRelations": {"gridIds": ["nope"]}},
            "at `$[0].gridRelations.gridIds[0]`",
        ),
        ({"componentId": "g", "gridRelations": {}}, "missing required field `gridIds`"),
        (
            {"componentId": "s", "selection": {}},
            "missing required field `keys` - at `$[0].selection`",
        ),
        (
            {"componentId": "i", "images": [{"altText": "x"}]},
            "missing required field `key` - at `$[0].images[0]`",
        ),
        (
            {"componentId": "i", "images": [{"key": "k", "focalPoint": {"x": -1, "y": 0}}]},
            "Expected `float` >= 0.0 - at `$[0].images[0].focalPoint.x`",
        ),
        (
            {"componentId": "v", "videos": [{"key": "k", "title": None}]},
            "Expected `str`, got `null` - at `$[0].videos[0].title`",
        ),
        ({"componentId": "f", "files": [{"key": "a\u202eb"}]}, "at `$[0].files[0].key`"),
        ({"componentId": "l", "location": {"lat": 1e300}}, "at `$[0].location.lat`"),
        (
            {"componentId": "c", "colors": {"colors": [{"rgb": {"r": 1.5, "g": 0, "b": 0}}]}},
            "Expected `int`, got `float` - at `$[0].colors.colors[0].rgb.r`",
        ),
        (
            {"componentId": "t", "singleLine": {"text": "x", "html": []}},
            "unknown field `html` - at `$[0].singleLine`",
        ),
    ],
)
def test_content_that_breaks_the_format_is_refused_at_its_path(
    raw: dict[str, Any], words: str
) -> None:
    assert words in refused([raw])


def test_null_under_the_type_key_clears_the_component() -> None:
    (decoded,) = decode([{"componentId": "a", "images": None}])
    assert decoded.type == "images" and decoded.value is None
    assert encode_components([decoded]) == b'[{"componentId":"a","images":null}]'


def test_numbers_are_exact_decimals_and_stay_numbers_when_stored() -> None:
    (decoded,) = decode([{"componentId": "w", "numeric": {"number": 0.1, "unit": "kg"}}])
    assert isinstance(decoded.value, NumericContent) and decoded.value.number == Decimal("0.1")
    (text,) = decode([{"componentId": "w", "numeric": {"number": "-12.50"}}])
    assert encode_components([text]) == b'[{"componentId":"w","numeric":{"number":-12.50}}]'


def test_the_stored_form_is_the_input_form() -> None:
    decoded = decode(CONTENT)
    stored = encode_components(decoded)
    assert msgspec.json.decode(stored) == CONTENT
    assert decode_components(stored) == decoded


# -- property: any valid content survives storing ---------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf")), max_size=12)
_key = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf")), min_size=1, max_size=12)
_id = st.text("0123456789abcdef", min_size=24, max_size=24)
_real = st.floats(min_value=-1e15, max_value=1e15, allow_nan=False)
_whole = st.integers(-1000, 1000)
_decimal = st.decimals(
    min_value=Decimal("-1e14"),
    max_value=Decimal("1e14"),
    places=8,
    allow_nan=False,
    allow_infinity=False,
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_key, inner, max_size=3),
    max_leaves=8,
)
_pairs = st.lists(
    st.fixed_dictionaries({"key": _key}, optional={"value": st.none() | _text}), max_size=2
)
_rich = st.fixed_dictionaries(
    {}, optional={"html": st.lists(_text, max_size=2), "json": st.lists(_json, max_size=2)}
)
_point = st.fixed_dictionaries({"x": st.floats(0, 1e6), "y": st.floats(0, 1e6)})
_image = st.fixed_dictionaries(
    {"key": _key},
    optional={
        "mimeType": st.none() | _text, "altText": st.none() | _text, "caption": st.none() | _rich,
        "meta": st.none() | _pairs, "focalPoint": st.none() | _point,
        "showcase": st.lists(st.fixed_dictionaries({}, optional={"itemIds": st.lists(_id, max_size=2), "skus": st.lists(_key, max_size=2), "hotpost": _point, "meta": _pairs}), max_size=2),
    },
)  # fmt: skip
_video = st.fixed_dictionaries(
    {"key": _key}, optional={"title": _text, "thumbnails": st.lists(_image, max_size=1)}
)
_color = st.fixed_dictionaries(
    {},
    optional={
        "label": st.none() | _text, "hex": st.none() | _text,
        "rgb": st.fixed_dictionaries({"r": _whole, "g": _whole, "b": _whole}, optional={"a": st.none() | _real}),
        "cmyk": st.fixed_dictionaries({"c": _whole, "m": _whole, "y": _whole, "k": _whole}),
        "hsl": st.fixed_dictionaries({"h": _whole, "s": _whole, "l": _whole}),
    },
)  # fmt: skip
_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "boolean": st.fixed_dictionaries({}, optional={"value": st.booleans()}),
    "colors": st.fixed_dictionaries({}, optional={"colors": st.lists(_color, max_size=2)}),
    "datetime": st.fixed_dictionaries({}, optional={"datetime": st.datetimes().map(lambda d: d.isoformat() + "Z")}),
    "files": st.lists(st.fixed_dictionaries({"key": _key}, optional={"title": _text, "meta": _pairs}), max_size=2),
    "gridRelations": st.fixed_dictionaries({"gridIds": st.lists(_id, max_size=2)}),
    "images": st.lists(_image, max_size=2),
    "itemRelations": st.fixed_dictionaries({}, optional={"itemIds": st.lists(_id, max_size=2), "skus": st.lists(_key, max_size=2)}),
    "location": st.fixed_dictionaries({}, optional={"lat": _real, "long": _real}),
    "numeric": st.fixed_dictionaries({"number": _decimal}, optional={"unit": _text}),
    "paragraphCollection": st.fixed_dictionaries({}, optional={"paragraphs": st.lists(st.fixed_dictionaries({}, optional={"title": st.fixed_dictionaries({}, optional={"text": _text}), "body": _rich, "images": st.lists(_image, max_size=1), "videos": st.lists(_video, max_size=1)}), max_size=2)}),
    "propertiesTable": st.fixed_dictionaries({}, optional={"sections": st.lists(st.fixed_dictionaries({}, optional={"title": _text, "properties": _pairs}), max_size=2)}),
    "richText": _rich,
    "selection": st.fixed_dictionaries({"keys": st.lists(_key, max_size=3)}),
    "singleLine": st.fixed_dictionaries({}, optional={"text": _text}),
    "videos": st.lists(_video, max_size=2),
}  # fmt: skip


def _nestable(pieces: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    values = {**_VALUES, "piece": pieces}
    return st.sampled_from(sorted(values)).flatmap(
        lambda kind: st.fixed_dictionaries({"componentId": _key, kind: st.none() | values[kind]})
    )


def _component(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    pieces = st.fixed_dictionaries({"identifier": _key, "components": st.lists(inner, max_size=2)})
    nestable = _nestable(pieces)
    structural = st.one_of(
        st.fixed_dictionaries({"componentId": _key, "componentChoice": st.none() | nestable}),
        st.fixed_dictionaries({"componentId": _key, "componentMultipleChoice": st.none() | st.lists(nestable, max_size=2)}),
        st.fixed_dictionaries({"componentId": _key, "contentChunk": st.none() | st.fixed_dictionaries({"chunks": st.lists(st.lists(nestable, max_size=2), max_size=2)})}),
    )  # fmt: skip
    return nestable | structural


_components = st.lists(st.recursive(_nestable(st.nothing()), _component, max_leaves=4), max_size=4)


@settings(max_examples=150, deadline=None)
@given(_components)
def test_valid_content_round_trips_through_its_stored_form(raw: list[dict[str, Any]]) -> None:
    decoded = decode(raw)
    stored = encode_components(decoded)
    again = decode_components(stored)
    assert again == decoded
    assert encode_components(again) == stored
