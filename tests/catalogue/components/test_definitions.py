from __future__ import annotations

import copy
from typing import Any

import msgspec
import pytest

from geode.catalogue.components.configs import (
    FilesConfig,
    ParagraphCollectionConfig,
    SelectionConfig,
    SingleLineConfig,
)
from geode.catalogue.components.definitions import (
    ComponentDefinition,
    PieceConfig,
    decode_definitions,
    encode_definitions,
    piece_references,
)
from geode.catalogue.components.shapes import PieceInput, ShapeFields, ShapeInput
from geode.schemas import UNSET, UnsetType, finish_json_schema
from tests.catalogue.components.samples import DEFINITIONS, PIECE_DEFINITIONS


def shape(components: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "identifier": "shoe",
        "name": "Shoe",
        "type": "product",
        "components": components,
        **fields,
    }


def refused(raw: dict[str, Any], cls: type[Any] = ShapeInput) -> str:
    with pytest.raises(msgspec.ValidationError) as error:
        msgspec.convert(raw, cls)
    return str(error.value)


def one(definition: dict[str, Any]) -> dict[str, Any]:
    return shape([definition])


def test_a_shape_with_every_component_type_and_config() -> None:
    raw = shape(DEFINITIONS, variantComponents=DEFINITIONS[:3], meta={"key": "k", "value": None})
    decoded = msgspec.convert(raw, ShapeInput)
    assert isinstance(decoded.components, list)
    assert [d.type for d in decoded.components] == [d["type"] for d in DEFINITIONS]
    for definition in decoded.components:
        config = definition.own_config()
        assert config is not None or definition.type in {"boolean", "location"}
    title = decoded.components[-2]
    assert isinstance(title.own_config(), SingleLineConfig) and title.is_required()
    assert decoded.meta is not UNSET and decoded.type == "product"


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d["type"])
def test_each_type_with_its_config_decodes(definition: dict[str, Any]) -> None:
    (decoded,) = msgspec.convert([definition], list[ComponentDefinition])
    assert decoded.type == definition["type"]
    assert msgspec.to_builtins(decoded) == definition


def test_a_piece_with_components() -> None:
    piece = msgspec.convert(
        {"identifier": "banner", "name": "Banner", "components": PIECE_DEFINITIONS}, PieceInput
    )
    assert isinstance(piece.components, list) and piece.components[0].is_required()
    assert (
        msgspec.convert(
            {"identifier": "banner", "name": "Banner", "components": None}, PieceInput
        ).components
        is None
    )


@pytest.mark.parametrize(
    ("definition", "path", "words"),
    [
        (
            {"id": "t", "type": "singleLine", "name": "T", "config": {"numeric": {}}},
            "$.components[0]",
            "`config.numeric` does not belong to a singleLine component: a config holds only its component's type, here `config.singleLine`",
        ),
        (
            {
                "id": "t",
                "type": "singleLine",
                "name": "T",
                "config": {"singleLine": {}, "richText": {}},
            },
            "$.components[0]",
            "`config.richText` does not belong to a singleLine component",
        ),
        (
            {
                "id": "t",
                "type": "singleLine",
                "name": "T",
                "config": {"singleLine": {"min": 5, "max": 2}},
            },
            "$.components[0].config.singleLine",
            "`min` (5) is greater than `max` (2); swap them",
        ),
        (
            {
                "id": "t",
                "type": "images",
                "name": "T",
                "config": {"images": {"min": 1.5, "max": 1}},
            },
            "$.components[0].config.images",
            "`min` (1.5) is greater than `max` (1)",
        ),
        (
            {"id": "t", "type": "images", "name": "T", "config": {"images": {"min": -1}}},
            "$.components[0].config.images.min",
            ">= 0",
        ),
        (
            {
                "id": "t",
                "type": "itemRelations",
                "name": "T",
                "config": {"itemRelations": {"minItems": 3, "maxItems": 2}},
            },
            "$.components[0].config.itemRelations",
            "`minItems` (3) is greater than `maxItems` (2)",
        ),
        (
            {
                "id": "t",
                "type": "itemRelations",
                "name": "T",
                "config": {"itemRelations": {"minSkus": 3, "maxSkus": 2}},
            },
            "$.components[0].config.itemRelations",
            "`minSkus` (3) is greater than `maxSkus` (2)",
        ),
        (
            {"id": "t", "type": "selection", "name": "T", "config": {"selection": {"min": 1}}},
            "$.components[0].config.selection",
            "missing required field `options`",
        ),
        (
            {
                "id": "t",
                "type": "selection",
                "name": "T",
                "config": {
                    "selection": {
                        "options": [{"key": "a", "value": "A"}, {"key": "a", "value": "B"}]
                    }
                },
            },
            "$.components[0].config.selection",
            "`options[1].key` 'a' repeats `options[0].key`",
        ),
        (
            {"id": "t", "type": "files", "name": "T", "config": {"files": {"max": 1}}},
            "$.components[0].config.files",
            "missing required field `maxFileSize`",
        ),
        (
            {
                "id": "t",
                "type": "files",
                "name": "T",
                "config": {"files": {"maxFileSize": {"size": 1, "unit": "TB"}}},
            },
            "$.components[0].config.files.maxFileSize.unit",
            "Invalid enum value 'TB'",
        ),
        (
            {
                "id": "t",
                "type": "paragraphCollection",
                "name": "T",
                "config": {"paragraphCollection": {"multilingual": True}},
            },
            "$.components[0].config.paragraphCollection.multilingual",
            "Expected `array`, got `bool`",
        ),
        (
            {
                "id": "t",
                "type": "paragraphCollection",
                "name": "T",
                "config": {"paragraphCollection": {"multilingual": ["footer"]}},
            },
            "$.components[0].config.paragraphCollection.multilingual[0]",
            "Invalid enum value 'footer'",
        ),
        (
            {
                "id": "t",
                "type": "numeric",
                "name": "T",
                "config": {"numeric": {"decimalPlaces": 0}},
            },
            "$.components[0].config.numeric",
            "`decimalPlaces` is 0; write a whole number of 1 or more",
        ),
        (
            {
                "id": "t",
                "type": "numeric",
                "name": "T",
                "config": {"numeric": {"decimalPlaces": 1.5}},
            },
            "$.components[0].config.numeric",
            "`decimalPlaces` is 1.5",
        ),
        (
            {
                "id": "t",
                "type": "singleLine",
                "name": "T",
                "config": {"singleLine": {"pattern": "(unclosed"}},
            },
            "$.components[0].config.singleLine",
            "`pattern` is not a regular expression Geode can read: missing ), unterminated subpattern",
        ),
        (
            {
                "id": "t",
                "type": "colors",
                "name": "T",
                "config": {"colors": {"customColorSpaces": ["lab"]}},
            },
            "$.components[0].config.colors.customColorSpaces[0]",
            "Invalid enum value 'lab'",
        ),
        (
            {"id": "t", "type": "piece", "name": "T"},
            "$.components[0]",
            'a piece component names its piece: write `"config": {"piece": {"identifier": "..."}}`',
        ),
        (
            {"id": "t", "type": "piece", "name": "T", "config": {"piece": {}}},
            "$.components[0].config.piece",
            "missing required field `identifier`",
        ),
        (
            {"id": "t", "type": "componentChoice", "name": "T", "config": {"componentChoice": {}}},
            "$.components[0].config.componentChoice",
            "missing required field `choices`",
        ),
        (
            {
                "id": "t",
                "type": "contentChunk",
                "name": "T",
                "config": {
                    "contentChunk": {
                        "components": [{"id": "c", "type": "contentChunk", "name": "C"}]
                    }
                },
            },
            "$.components[0].config.contentChunk",
            "`components[0]` is a contentChunk component; a contentChunk cannot hold componentChoice, componentMultipleChoice or contentChunk components",
        ),
        (
            {
                "id": "t",
                "type": "componentChoice",
                "name": "T",
                "config": {
                    "componentChoice": {
                        "choices": [
                            {"id": "a", "type": "boolean", "name": "A"},
                            {"id": "c", "type": "componentMultipleChoice", "name": "C"},
                        ]
                    }
                },
            },
            "$.components[0].config.componentChoice",
            "`choices[1]` is a componentMultipleChoice component; a componentChoice cannot hold",
        ),
        (
            {
                "id": "t",
                "type": "componentMultipleChoice",
                "name": "T",
                "config": {
                    "componentMultipleChoice": {
                        "choices": [{"id": "c", "type": "componentChoice", "name": "C"}]
                    }
                },
            },
            "$.components[0].config.componentMultipleChoice",
            "`choices[0]` is a componentChoice component",
        ),
        (
            {
                "id": "t",
                "type": "contentChunk",
                "name": "T",
                "config": {
                    "contentChunk": {
                        "components": [
                            {"id": "a", "type": "boolean", "name": "A"},
                            {"id": "a", "type": "numeric", "name": "B"},
                        ]
                    }
                },
            },
            "$.components[0].config.contentChunk",
            "`components[1].id` 'a' repeats `components[0].id`; component ids are unique within their list",
        ),
        (
            {
                "id": "t",
                "type": "contentChunk",
                "name": "T",
                "config": {
                    "contentChunk": {
                        "components": [
                            {
                                "id": "a",
                                "type": "singleLine",
                                "name": "A",
                                "config": {"singleLine": {"min": 3, "max": 1}},
                            }
                        ]
                    }
                },
            },
            "$.components[0].config.contentChunk.components[0].config.singleLine",
            "`min` (3) is greater than `max` (1)",
        ),
        (
            {"id": "t", "type": "tags", "name": "T"},
            "$.components[0].type",
            "Invalid enum value 'tags'",
        ),
        ({"id": "t", "type": "boolean", "name": ""}, "$.components[0].name", "length >= 1"),
        ({"id": "", "type": "boolean", "name": "T"}, "$.components[0].id", "length >= 1"),
        (
            {"id": "a\x00b", "type": "boolean", "name": "T"},
            "$.components[0].id",
            "Expected `str` matching regex",
        ),
        (
            {"id": "t", "type": "boolean", "name": "T", "colour": "red"},
            "$.components[0]",
            "Object contains unknown field `colour`",
        ),
        (
            {"id": "t", "type": "boolean", "name": "T", "config": None},
            "$.components[0].config",
            "Expected `object`, got `null`",
        ),
    ],
)
def test_a_definition_that_breaks_a_rule_is_refused_at_its_path(
    definition: dict[str, Any], path: str, words: str
) -> None:
    message = refused(one(definition))
    assert message.endswith(f" - at `{path}`"), message
    assert words in message


def test_component_ids_are_unique_in_components_and_in_variant_components() -> None:
    twice = [
        {"id": "a", "type": "boolean", "name": "A"},
        {"id": "a", "type": "numeric", "name": "B"},
    ]
    assert (
        refused(shape(twice))
        == "`components[1].id` 'a' repeats `components[0].id`; component ids are unique within their list"
    )
    assert "`variantComponents[1].id` 'a' repeats" in refused(shape([], variantComponents=twice))
    assert "`components[1].id` 'a' repeats" in refused(
        {"identifier": "pc", "name": "P", "components": twice}, PieceInput
    )
    both = msgspec.convert(shape(twice[:1], variantComponents=twice[:1]), ShapeInput)
    assert both.components == both.variantComponents


def test_a_piece_cannot_hold_itself() -> None:
    raw = {
        "identifier": "banner",
        "name": "Banner",
        "components": [
            {
                "id": "c",
                "type": "contentChunk",
                "name": "C",
                "config": {
                    "contentChunk": {
                        "components": [
                            {
                                "id": "p",
                                "type": "piece",
                                "name": "P",
                                "config": {"piece": {"identifier": "banner"}},
                            },
                        ]
                    }
                },
            },
        ],
    }
    assert refused(raw, PieceInput) == (
        "`components[0].config.contentChunk.components[0].config.piece.identifier` names this piece, "
        "'banner'; a piece cannot hold itself"
    )


@pytest.mark.parametrize("identifier", ["a", "x" * 65, "ab\u200b"])
def test_shape_and_piece_identifiers_follow_the_reference_bounds(identifier: str) -> None:
    assert "$.identifier" in refused(shape([], identifier=identifier))
    assert "$.identifier" in refused({"identifier": identifier, "name": "P"}, PieceInput)


def test_shape_update_has_no_type_and_create_needs_one() -> None:
    raw = shape([])
    del raw["type"]
    assert msgspec.convert(raw, ShapeFields).identifier == "shoe"
    assert "missing required field `type`" in refused(raw)
    assert "Invalid enum value 'page'" in refused(shape([], type="page"))
    assert "Object contains unknown field `type`" in refused(shape([]), ShapeFields)


def test_the_engine_can_tag_the_inputs_by_subclassing() -> None:
    class ShapeCreate(ShapeInput, tag_field="intent", tag="shape/create", kw_only=True):
        ref: str | UnsetType = msgspec.field(default=UNSET, name="_ref")

    class PieceUpsert(PieceInput, tag_field="intent", tag="piece/upsert", kw_only=True):
        pass

    decoded = msgspec.convert(
        {**shape(DEFINITIONS[:2]), "intent": "shape/create", "_ref": "s"}, ShapeCreate | PieceUpsert
    )
    assert isinstance(decoded, ShapeCreate) and decoded.ref == "s"
    assert "repeats" in refused(
        {
            "intent": "piece/upsert",
            "identifier": "pc",
            "name": "P",
            "components": DEFINITIONS[:1] * 2,
        },
        PieceUpsert,
    )


def test_the_pieces_definitions_name_are_found_at_any_depth() -> None:
    nested = copy.deepcopy(DEFINITIONS)
    nested[2]["config"]["componentChoice"]["choices"].append(
        {"id": "p", "type": "piece", "name": "P", "config": {"piece": {"identifier": "promo"}}}
    )
    nested[4]["config"]["contentChunk"]["components"].append(
        {"id": "p", "type": "piece", "name": "P", "config": {"piece": {"identifier": "footer"}}}
    )
    decoded = msgspec.convert(nested, list[ComponentDefinition])
    assert piece_references(decoded) == {"banner", "promo", "footer"}
    assert piece_references([]) == set()


def test_definitions_are_stored_as_their_input_form() -> None:
    decoded = msgspec.convert(DEFINITIONS, list[ComponentDefinition])
    stored = encode_definitions(decoded)
    assert decode_definitions(stored) == decoded
    assert msgspec.json.decode(stored) == DEFINITIONS


def test_config_types_take_what_the_reference_requires() -> None:
    assert msgspec.convert({"multilingual": []}, ParagraphCollectionConfig).multilingual == []
    assert msgspec.convert({"options": []}, SelectionConfig).options == []
    assert (
        msgspec.convert({"maxFileSize": {"size": 1.5, "unit": "GiB"}}, FilesConfig).maxFileSize.size
        == 1.5
    )
    assert msgspec.convert({"identifier": "x", "required": True}, PieceConfig).required is True


def test_the_inputs_have_a_json_schema_with_the_limits() -> None:
    schema = finish_json_schema(msgspec.json.schema(ShapeInput))
    definitions = schema["$defs"]
    assert set(definitions["ComponentConfig"]["properties"]) == {d["type"] for d in DEFINITIONS}
    identifier = definitions["ShapeInput"]["properties"]["identifier"]
    assert (identifier["minLength"], identifier["maxLength"]) == (2, 64)
    assert definitions["ParagraphCollectionConfig"]["required"] == ["multilingual"]
