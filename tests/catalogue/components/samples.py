"""A shape declaring one component of each of the 19 types, content that satisfies it,
and a context standing in for what the caller prefetches from the store."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import msgspec

from geode.catalogue.components.content import ComponentContent
from geode.catalogue.components.definitions import ComponentDefinition

SHOE_ID = "d" * 24
HAT_ID = "e" * 24
GRID_ID = "b" * 24

PIECE_DEFINITIONS: list[dict[str, Any]] = [
    {
        "id": "caption",
        "type": "singleLine",
        "name": "Caption",
        "config": {"singleLine": {"required": True}},
    },
]
_CHOICES: list[dict[str, Any]] = [
    {"id": "text", "type": "singleLine", "name": "Text"},
    {"id": "count", "type": "numeric", "name": "Count"},
]

DEFINITIONS: list[dict[str, Any]] = [
    {"id": "flag", "type": "boolean", "name": "Flag", "description": "On or off"},
    {
        "id": "palette",
        "type": "colors",
        "name": "Palette",
        "config": {
            "colors": {
                "min": 1,
                "max": 3,
                "requireLabel": True,
                "customColorSpaces": ["hex", "rgb"],
                "colorPresets": [{"label": "Red", "hex": "#f00"}],
            }
        },
    },
    {
        "id": "choice",
        "type": "componentChoice",
        "name": "Choice",
        "config": {"componentChoice": {"choices": _CHOICES}},
    },
    {
        "id": "multi",
        "type": "componentMultipleChoice",
        "name": "Multi",
        "config": {"componentMultipleChoice": {"choices": _CHOICES, "allowDuplicates": False}},
    },
    {
        "id": "chunk",
        "type": "contentChunk",
        "name": "Chunk",
        "config": {
            "contentChunk": {
                "repeatable": True,
                "components": [
                    {
                        "id": "title",
                        "type": "singleLine",
                        "name": "Title",
                        "config": {"singleLine": {"required": True, "max": 10}},
                    },
                    {"id": "size", "type": "numeric", "name": "Size"},
                ],
            }
        },
    },
    {
        "id": "when",
        "type": "datetime",
        "name": "When",
        "config": {"datetime": {"multilingual": False}},
    },
    {
        "id": "docs",
        "type": "files",
        "name": "Docs",
        "config": {
            "files": {
                "max": 2,
                "maxFileSize": {"size": 10, "unit": "MiB"},
                "acceptedContentTypes": [
                    {"contentType": "application/pdf", "extensionLabel": "PDF"}
                ],
            }
        },
    },
    {
        "id": "grids",
        "type": "gridRelations",
        "name": "Grids",
        "config": {"gridRelations": {"max": 1}},
    },
    {
        "id": "gallery",
        "type": "images",
        "name": "Gallery",
        "config": {"images": {"min": 2, "max": 3}},
    },
    {
        "id": "related",
        "type": "itemRelations",
        "name": "Related",
        "config": {
            "itemRelations": {
                "acceptedShapeIdentifiers": ["shoe"],
                "maxItems": 2,
                "maxSkus": 1,
                "quickSelect": {"folders": [{"folderId": "a" * 24}]},
            }
        },
    },
    {"id": "where", "type": "location", "name": "Where"},
    {
        "id": "weight",
        "type": "numeric",
        "name": "Weight",
        "config": {"numeric": {"decimalPlaces": 2, "units": ["kg", "g"]}},
    },
    {
        "id": "story",
        "type": "paragraphCollection",
        "name": "Story",
        "config": {"paragraphCollection": {"multilingual": ["title", "body"]}},
    },
    {
        "id": "banner",
        "type": "piece",
        "name": "Banner",
        "config": {"piece": {"identifier": "banner"}},
    },
    {
        "id": "specs",
        "type": "propertiesTable",
        "name": "Specs",
        "config": {"propertiesTable": {"sections": [{"title": "Size", "keys": ["width"]}]}},
    },
    {"id": "body", "type": "richText", "name": "Body", "config": {"richText": {"max": 20}}},
    {
        "id": "color",
        "type": "selection",
        "name": "Color",
        "config": {
            "selection": {
                "min": 1,
                "max": 2,
                "options": [
                    {"key": "red", "value": "Red"},
                    {"key": "blue", "value": "Blue", "isPreselected": True},
                ],
            }
        },
    },
    {
        "id": "title",
        "type": "singleLine",
        "name": "Title",
        "config": {"singleLine": {"required": True, "min": 2, "max": 20, "pattern": "^[A-Z]"}},
    },
    {"id": "clips", "type": "videos", "name": "Clips", "config": {"videos": {"max": 1}}},
]

CONTENT: list[dict[str, Any]] = [
    {"componentId": "flag", "boolean": {"value": False}},
    {
        "componentId": "palette",
        "colors": {
            "colors": [
                {
                    "label": "Sky",
                    "hex": "#00f",
                    "rgb": {"r": 0, "g": 0, "b": 255, "a": 0.5},
                    "cmyk": {"c": 100, "m": 100, "y": 0, "k": 0},
                    "hsl": {"h": 240, "s": 100, "l": 50, "a": None},
                    "pantone": None,
                }
            ]
        },
    },
    {
        "componentId": "choice",
        "componentChoice": {"componentId": "text", "singleLine": {"text": "hi"}},
    },
    {
        "componentId": "multi",
        "componentMultipleChoice": [
            {"componentId": "text", "singleLine": {"text": "a"}},
            {"componentId": "count", "numeric": {"number": 3}},
        ],
    },
    {
        "componentId": "chunk",
        "contentChunk": {
            "chunks": [
                [
                    {"componentId": "title", "singleLine": {"text": "One"}},
                    {"componentId": "size", "numeric": {"number": 1}},
                ],
                [{"componentId": "title", "singleLine": {"text": "Two"}}],
            ]
        },
    },
    {"componentId": "when", "datetime": {"datetime": "2024-05-01T12:30:00Z"}},
    {
        "componentId": "docs",
        "files": [
            {"key": "files/manual.pdf", "title": "Manual", "meta": [{"key": "lang", "value": "en"}]}
        ],
    },
    {"componentId": "grids", "gridRelations": {"gridIds": [GRID_ID]}},
    {
        "componentId": "gallery",
        "images": [
            {
                "key": "img/a.jpg",
                "altText": "A",
                "caption": {"html": ["<p>A</p>"]},
                "focalPoint": {"x": 0.5, "y": 0.5},
                "showcase": [
                    {
                        "itemIds": ["c" * 24],
                        "skus": ["SKU-1"],
                        "hotpost": {"x": 1, "y": 2},
                        "meta": [{"key": "k"}],
                    }
                ],
                "mimeType": None,
                "meta": None,
            },
            {"key": "img/b.jpg"},
        ],
    },
    {"componentId": "related", "itemRelations": {"itemIds": [SHOE_ID], "skus": ["SKU-1"]}},
    {"componentId": "where", "location": {"lat": 59.9139, "long": 10.7522}},
    {"componentId": "weight", "numeric": {"number": 1.25, "unit": "kg"}},
    {
        "componentId": "story",
        "paragraphCollection": {
            "paragraphs": [
                {
                    "title": {"text": "Intro"},
                    "body": {
                        "html": ["<p>x</p>"],
                        "json": [{"kind": "block", "children": [1, None, True]}],
                    },
                    "images": [{"key": "img/c.jpg"}],
                    "videos": [
                        {"key": "vid/1", "title": "Clip", "thumbnails": [{"key": "img/t.jpg"}]}
                    ],
                }
            ]
        },
    },
    {
        "componentId": "banner",
        "piece": {
            "identifier": "banner",
            "components": [{"componentId": "caption", "singleLine": {"text": "Sale"}}],
        },
    },
    {
        "componentId": "specs",
        "propertiesTable": {
            "sections": [{"title": "Size", "properties": [{"key": "width", "value": "10 cm"}]}]
        },
    },
    {"componentId": "body", "richText": {"html": ["<p>Hello <b>world</b> &amp; co</p>"]}},
    {"componentId": "color", "selection": {"keys": ["red"]}},
    {"componentId": "title", "singleLine": {"text": "Shoe"}},
    {"componentId": "clips", "videos": [{"key": "vid/2", "title": "Run"}]},
]


def definitions(raw: list[dict[str, Any]] | None = None) -> list[ComponentDefinition]:
    return msgspec.convert(DEFINITIONS if raw is None else raw, list[ComponentDefinition])


def contents(raw: list[dict[str, Any]] | None = None) -> list[ComponentContent]:
    return msgspec.convert(CONTENT if raw is None else raw, list[ComponentContent])


def content_of(component_id: str) -> dict[str, Any]:
    """A deep copy of the sample content of one component, to spoil in a test."""
    return copy.deepcopy(next(c for c in CONTENT if c["componentId"] == component_id))


class Store:
    """What a batch prefetches: pieces by identifier, the shapes of items, skus."""

    def __init__(
        self,
        pieces: dict[str, list[dict[str, Any]]] | None = None,
        items: dict[str, str] | None = None,
        skus: set[str] | None = None,
    ) -> None:
        raw = {"banner": PIECE_DEFINITIONS} if pieces is None else pieces
        self.pieces = {key: definitions(value) for key, value in raw.items()}
        self.items = {SHOE_ID: "shoe", HAT_ID: "hat"} if items is None else items
        self.skus = {"SKU-1", "SKU-2"} if skus is None else skus

    def piece(self, identifier: str) -> Sequence[ComponentDefinition] | None:
        return self.pieces.get(identifier)

    def item_shape(self, item_id: str) -> str | None:
        return self.items.get(item_id)

    def sku_exists(self, sku: str) -> bool:
        return sku in self.skus
