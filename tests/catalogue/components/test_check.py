from __future__ import annotations

from typing import Any

import msgspec
import pytest

from geode.catalogue.components.check import (
    ContentProblem,
    check_component,
    check_content,
    check_required,
    merge_content,
)
from geode.catalogue.components.content import ComponentContent
from tests.catalogue.components.samples import (
    CONTENT,
    DEFINITIONS,
    HAT_ID,
    SHOE_ID,
    Store,
    content_of,
    contents,
    definitions,
)


def problems(
    raw: list[dict[str, Any]], *, complete: bool = False, store: Store | None = None
) -> list[ContentProblem]:
    return check_content(contents(raw), definitions(), store or Store(), complete=complete)


def test_content_of_every_type_is_accepted_whole() -> None:
    assert len({c["componentId"] for c in CONTENT}) == 19
    assert {d["type"] for d in DEFINITIONS} == {
        "boolean",
        "colors",
        "componentChoice",
        "componentMultipleChoice",
        "contentChunk",
        "datetime",
        "files",
        "gridRelations",
        "images",
        "itemRelations",
        "location",
        "numeric",
        "paragraphCollection",
        "piece",
        "propertiesTable",
        "richText",
        "selection",
        "singleLine",
        "videos",
    }
    assert problems(CONTENT, complete=True) == []


@pytest.mark.parametrize("content", CONTENT, ids=lambda c: c["componentId"])
def test_content_of_each_type_is_accepted_alone(content: dict[str, Any]) -> None:
    assert problems([content]) == []


def spoil(component_id: str, **changes: Any) -> dict[str, Any]:
    content = content_of(component_id)
    key = next(k for k in content if k != "componentId")
    if isinstance(content[key], dict):
        content[key].update(changes)
    else:
        content[key] = changes["items"]
    return content


CASES: list[tuple[dict[str, Any], str, str, str]] = [
    (
        {"componentId": "nope", "singleLine": {"text": "x"}},
        "components[0].componentId",
        "unknown_component",
        "this shape has no component 'nope'",
    ),
    (
        {"componentId": "titel", "singleLine": {"text": "Xy"}},
        "components[0].componentId",
        "unknown_component",
        "did you mean 'title'?",
    ),
    (
        {"componentId": "title", "numeric": {"number": 1}},
        "components[0].numeric",
        "wrong_component_type",
        "'title' is a singleLine component, not numeric",
    ),
    (
        spoil("title", text="S"),
        "components[0].singleLine.text",
        "too_short",
        "holds 1 characters; the component's `min` asks for at least 2",
    ),
    (spoil("title", text="S" * 21), "components[0].singleLine.text", "too_long", "at most 20"),
    (spoil("title", text="shoe"), "components[0].singleLine.text", "pattern_mismatch", "'^[A-Z]'"),
    (
        spoil("body", html=["<p>" + "x" * 21 + "</p>"]),
        "components[0].richText",
        "too_long",
        "holds 21 characters",
    ),
    (
        {"componentId": "body", "richText": {"json": [{"children": [{"text": "x" * 30}]}]}},
        "components[0].richText",
        "too_long",
        "holds 30 characters",
    ),
    (
        spoil("weight", number=1.255),
        "components[0].numeric.number",
        "too_many_decimal_places",
        "1.255 has more than the 2 decimal places",
    ),
    (
        spoil("weight", unit="lb"),
        "components[0].numeric.unit",
        "unknown_unit",
        "'lb' is not a unit of this component; use one of 'g', 'kg'",
    ),
    (
        spoil("color", keys=["green"]),
        "components[0].selection.keys[0]",
        "unknown_option",
        "'green' is not an option of this component; use one of 'blue', 'red'",
    ),
    (
        spoil("color", keys=["red", "blue", "red"]),
        "components[0].selection.keys",
        "too_many",
        "holds 3 selected options; the component's `max` allows at most 2",
    ),
    (
        spoil("palette", colors=[{"label": "a"}] * 4),
        "components[0].colors.colors",
        "too_many",
        "holds 4 colors",
    ),
    (
        spoil("palette", colors=[{"hex": "#fff"}]),
        "components[0].colors.colors[0].label",
        "label_required",
        "needs a label",
    ),
    (
        spoil("gallery", items=[{"key": "a"}]),
        "components[0].images",
        "too_few",
        "holds 1 images; the component's `min` asks for at least 2",
    ),
    (spoil("gallery", items=[{"key": "a"}] * 4), "components[0].images", "too_many", "at most 3"),
    (
        spoil("clips", items=[{"key": "a"}] * 2),
        "components[0].videos",
        "too_many",
        "holds 2 videos",
    ),
    (spoil("docs", items=[{"key": "a"}] * 3), "components[0].files", "too_many", "holds 3 files"),
    (
        spoil("grids", gridIds=["a" * 24, "b" * 24]),
        "components[0].gridRelations",
        "too_many",
        "holds 2 grids",
    ),
    (
        spoil("related", itemIds=["f" * 24]),
        "components[0].itemRelations.itemIds[0]",
        "unknown_item",
        f"no item has the id '{'f' * 24}'",
    ),
    (
        spoil("related", itemIds=[HAT_ID]),
        "components[0].itemRelations.itemIds[0]",
        "shape_not_accepted",
        "has the shape 'hat', which this component does not accept; it accepts 'shoe'",
    ),
    (
        spoil("related", itemIds=[SHOE_ID] * 3),
        "components[0].itemRelations.itemIds",
        "too_many",
        "holds 3 items; the component's `maxItems` allows at most 2",
    ),
    (
        spoil("related", skus=["NOPE"]),
        "components[0].itemRelations.skus[0]",
        "unknown_sku",
        "no product variant has the sku 'NOPE'",
    ),
    (
        spoil("related", skus=["SKU-1", "SKU-2"]),
        "components[0].itemRelations.skus",
        "too_many",
        "`maxSkus` allows at most 1",
    ),
    (
        spoil("banner", identifier="other"),
        "components[0].piece.identifier",
        "wrong_piece",
        "holds the piece 'banner', not 'other'",
    ),
    (
        spoil("banner", components=[]),
        "components[0].piece.components",
        "required_component",
        "component 'caption' (singleLine) is required and is missing",
    ),
    (
        spoil("banner", components=[{"componentId": "caption", "numeric": {"number": 1}}]),
        "components[0].piece.components[0].numeric",
        "wrong_component_type",
        "'caption' is a singleLine component",
    ),
    (
        spoil("chunk", chunks=[[{"componentId": "title", "singleLine": {"text": "x" * 11}}]]),
        "components[0].contentChunk.chunks[0][0].singleLine.text",
        "too_long",
        "component 'title': holds 11 characters",
    ),
    (
        spoil("chunk", chunks=[[{"componentId": "size", "numeric": {"number": 1}}]]),
        "components[0].contentChunk.chunks[0]",
        "required_component",
        "'title' (singleLine) is required and is missing",
    ),
    (
        spoil("chunk", chunks=[[{"componentId": "title", "singleLine": {"text": ""}}]]),
        "components[0].contentChunk.chunks[0][0].singleLine",
        "required_component",
        "is required and is empty",
    ),
    (
        spoil(
            "chunk",
            chunks=[
                [
                    {"componentId": "title", "singleLine": {"text": "A"}},
                    {"componentId": "nope", "numeric": {"number": 1}},
                ]
            ],
        ),
        "components[0].contentChunk.chunks[0][1].componentId",
        "unknown_component",
        "a chunk of 'chunk' has no component 'nope' (its components: 'title', 'size')",
    ),
    (
        {
            "componentId": "choice",
            "componentChoice": {"componentId": "zzz", "singleLine": {"text": "x"}},
        },
        "components[0].componentChoice.componentId",
        "unknown_choice",
        "the choices of 'choice' has no component 'zzz'",
    ),
    (
        {
            "componentId": "choice",
            "componentChoice": {"componentId": "text", "numeric": {"number": 1}},
        },
        "components[0].componentChoice.numeric",
        "wrong_component_type",
        "'text' is a singleLine component",
    ),
    (
        {
            "componentId": "multi",
            "componentMultipleChoice": [
                {"componentId": "text", "singleLine": {"text": "a"}},
                {"componentId": "text", "singleLine": {"text": "b"}},
            ],
        },
        "components[0].componentMultipleChoice[1].componentId",
        "duplicate_choice",
        "already chosen at components[0].componentMultipleChoice[0]",
    ),
    (
        {
            "componentId": "multi",
            "componentMultipleChoice": [{"componentId": "nope", "boolean": {"value": True}}],
        },
        "components[0].componentMultipleChoice[0].componentId",
        "unknown_choice",
        "no component 'nope'",
    ),
]


@pytest.mark.parametrize(
    ("content", "path", "code", "words"), CASES, ids=[f"{c[2]}:{c[1]}" for c in CASES]
)
def test_each_config_rule_is_reported_at_its_path(
    content: dict[str, Any], path: str, code: str, words: str
) -> None:
    found = problems([content])
    assert [(p.path, p.code) for p in found] == [(path, code)], found
    assert words in found[0].message


def test_the_path_of_a_wrong_type_deep_in_a_chunk_names_chunk_and_position() -> None:
    chunk = content_of("chunk")
    chunk["contentChunk"]["chunks"][0][1] = {"componentId": "size", "singleLine": {"text": "1"}}
    raw = [content_of("flag"), content_of("title"), chunk]
    (found,) = problems(raw)
    assert found.path == "components[2].contentChunk.chunks[0][1].singleLine"
    assert found.code == "wrong_component_type"
    assert (
        found.message
        == "component 'size' is a numeric component, not singleLine; write its content under `numeric`"
    )


def test_every_problem_is_reported_not_only_the_first() -> None:
    raw = [
        spoil("title", text="s"),
        spoil("color", keys=["green", "red", "blue"]),
        {"componentId": "x", "boolean": None},
    ]
    found = problems(raw)
    assert [(p.path, p.code) for p in found] == [
        ("components[0].singleLine.text", "too_short"),
        ("components[0].singleLine.text", "pattern_mismatch"),
        ("components[1].selection.keys", "too_many"),
        ("components[1].selection.keys[0]", "unknown_option"),
        ("components[2].componentId", "unknown_component"),
    ]


def test_a_piece_that_does_not_exist_is_reported() -> None:
    (found,) = problems([content_of("banner")], store=Store(pieces={}))
    assert (found.path, found.code, found.message) == (
        "components[0].piece.identifier",
        "unknown_piece",
        "no piece 'banner' exists",
    )


def test_a_chunk_that_is_not_repeatable_holds_one_chunk() -> None:
    raw = [
        {
            "id": "c",
            "type": "contentChunk",
            "name": "C",
            "config": {
                "contentChunk": {"components": [{"id": "t", "type": "boolean", "name": "T"}]}
            },
        }
    ]
    defs = definitions(raw)
    one = contents(
        [
            {
                "componentId": "c",
                "contentChunk": {"chunks": [[{"componentId": "t", "boolean": {"value": True}}]]},
            }
        ]
    )
    two = contents([{"componentId": "c", "contentChunk": {"chunks": [[], []]}}])
    assert check_content(one, defs, Store()) == []
    (found,) = check_content(two, defs, Store())
    assert (found.path, found.code) == ("components[0].contentChunk.chunks", "too_many")
    assert "not repeatable" in found.message


def test_duplicates_in_a_multiple_choice_pass_when_allowed() -> None:
    raw = [
        {
            "id": "m",
            "type": "componentMultipleChoice",
            "name": "M",
            "config": {
                "componentMultipleChoice": {
                    "allowDuplicates": True,
                    "choices": [{"id": "t", "type": "boolean", "name": "T"}],
                }
            },
        }
    ]
    two = contents(
        [
            {
                "componentId": "m",
                "componentMultipleChoice": [{"componentId": "t", "boolean": {"value": True}}] * 2,
            }
        ]
    )
    assert check_content(two, definitions(raw), Store()) == []


def test_a_component_written_twice_is_reported() -> None:
    found = problems([content_of("flag"), content_of("flag")])
    assert [(p.path, p.code) for p in found] == [
        ("components[1].componentId", "duplicate_component")
    ]
    assert "already written at components[0]" in found[0].message


def test_required_components_are_checked_when_the_content_is_whole() -> None:
    assert problems([], complete=False) == []
    (found,) = problems([], complete=True)
    assert (found.path, found.code) == ("components", "required_component")
    assert found.message.startswith(
        'component \'title\' (singleLine) is required and is missing; write {"componentId": "title", "singleLine": ...}'
    )
    (empty,) = problems([{"componentId": "title", "singleLine": None}], complete=True)
    assert (empty.path, empty.code) == ("components[0].singleLine", "required_component")


def test_empty_content_clears_a_component_and_min_does_not_apply_to_it() -> None:
    raw = [
        {"componentId": "gallery", "images": []},
        {"componentId": "color", "selection": {"keys": []}},
        {"componentId": "weight", "numeric": None},
    ]
    assert problems(raw) == []


def test_an_update_is_merged_by_component_id_then_checked_for_required() -> None:
    stored = contents([content_of("title"), content_of("flag")])
    incoming = contents([{"componentId": "title", "singleLine": None}, content_of("where")])
    assert check_content(incoming, definitions(), Store(), complete=False) == []
    merged = merge_content(stored, incoming)
    assert [c.componentId for c in merged] == ["title", "flag", "where"]
    assert merged[0] is incoming[0] and merged[1] is stored[1]
    (found,) = check_required(merged, definitions())
    assert (found.path, found.code) == ("components[0].singleLine", "required_component")
    assert (
        check_required(merge_content(merged, contents([content_of("title")])), definitions()) == []
    )


def test_one_component_is_checked_at_the_path_the_caller_gives() -> None:
    content = msgspec.convert(spoil("color", keys=["green"]), ComponentContent)
    (found,) = check_component(content, definitions(), Store())
    assert found.path == "component.selection.keys[0]"
    assert (
        check_component(content, definitions(), Store(), at="variants[1].components[3]")[0].path
        == "variants[1].components[3].selection.keys[0]"
    )


def test_relations_without_config_still_need_existing_items() -> None:
    raw = [{"id": "r", "type": "itemRelations", "name": "R"}]
    content = contents([{"componentId": "r", "itemRelations": {"itemIds": [HAT_ID, "0" * 24]}}])
    found = check_content(content, definitions(raw), Store())
    assert [(p.path, p.code) for p in found] == [
        ("components[0].itemRelations.itemIds[1]", "unknown_item")
    ]
