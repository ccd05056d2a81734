"""The benchmark catalogue's fixed part: tenant settings, 10 pieces and 20 shapes.

Every one of the 19 component types appears in some shape, each with the config
the reference requires of it (files need `maxFileSize`, a piece its identifier,
choices and chunks their inner definitions, paragraphs their `multilingual` list),
so the content checks have real definitions to hold products to. Product shapes
all carry the five components products fill in (`PRODUCT_COMPONENTS`).
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "no")
PRICE_VARIANTS = (("default", "Euro", "EUR"), ("nok", "Norwegian krone", "NOK"))
STOCK_LOCATIONS = (("default", "Main warehouse"), ("oslo", "Oslo store"))
VAT_TYPE_ID = "0000000000000000000000b7"
PIECE_COUNT = 10
FOLDER_SHAPES = ("folder-0", "folder-1")
DOCUMENT_SHAPES = ("document-0", "document-1")
PRODUCT_SHAPES = tuple(f"product-{n}" for n in range(16))
SELECTION_KEYS = ("red", "green", "blue", "black", "white")
PRODUCT_COMPONENTS = ("description", "images", "specs", "colour", "related")


def settings() -> dict[str, Any]:
    """The input of `geode tenant configure` for the benchmark tenant."""
    return {
        "languages": [{"code": "en", "name": "English"}, {"code": "no", "name": "Norsk"}],
        "vatTypes": [{"id": VAT_TYPE_ID, "name": "Standard", "percent": 25, "isDefault": True}],
        "priceVariants": [
            {"identifier": identifier, "name": name, "currency": currency}
            for identifier, name, currency in PRICE_VARIANTS
        ],
        "stockLocations": [
            {"identifier": identifier, "name": name} for identifier, name in STOCK_LOCATIONS
        ],
    }


def _definition(id_: str, type_: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
    definition: dict[str, Any] = {"id": id_, "type": type_, "name": id_.replace("-", " ").title()}
    if config is not None:
        definition["config"] = {type_: config}
    return definition


def piece_identifier(n: int) -> str:
    return f"piece-{n}"


def pieces() -> list[dict[str, Any]]:
    simple = ("singleLine", "richText", "numeric", "boolean", "datetime")
    return [
        {
            "intent": "piece/upsert",
            "identifier": piece_identifier(n),
            "name": f"Piece {n}",
            "components": [
                _definition("title", "singleLine"),
                _definition(f"field-{n}", simple[n % len(simple)]),
            ],
        }
        for n in range(PIECE_COUNT)
    ]


def _extras() -> list[dict[str, Any]]:
    """The 14 component types products leave empty, one definition each."""
    nested = [_definition("label", "singleLine"), _definition("amount", "numeric")]
    return [
        _definition("featured", "boolean"),
        _definition("palette", "colors", {"max": 4}),
        _definition("hero", "componentChoice", {"choices": nested}),
        _definition("blocks", "componentMultipleChoice", {"choices": nested}),
        _definition("launch", "datetime"),
        _definition("grids", "gridRelations", {"max": 2}),
        _definition("store", "location"),
        _definition("rating", "numeric", {"decimalPlaces": 1, "units": ["stars"]}),
        _definition("story", "paragraphCollection", {"multilingual": ["title", "body"]}),
        _definition("seo", "piece", {"identifier": piece_identifier(0)}),
        _definition("facts", "propertiesTable", {"sections": [{"title": "Facts", "keys": ["a"]}]}),
        _definition("tagline", "singleLine", {"max": 120}),
        _definition("clips", "videos"),
        _definition("manuals", "files", {"maxFileSize": {"size": 10, "unit": "MiB"}}),
    ]


def _product_components() -> list[dict[str, Any]]:
    return [
        _definition("description", "richText", {"multilingual": True}),
        _definition("images", "images", {"max": 8}),
        _definition(
            "specs",
            "contentChunk",
            {
                "repeatable": True,
                "components": [
                    _definition("material", "singleLine", {"multilingual": True}),
                    _definition("weight", "numeric", {"decimalPlaces": 2, "units": ["kg"]}),
                ],
            },
        ),
        _definition(
            "colour",
            "selection",
            {
                "min": 1,
                "max": 1,
                "options": [{"key": k, "value": k.title()} for k in SELECTION_KEYS],
            },
        ),
        _definition(
            "related",
            "itemRelations",
            {"maxItems": 5, "acceptedShapeIdentifiers": list(PRODUCT_SHAPES)},
        ),
    ]


def shapes() -> list[dict[str, Any]]:
    extras = _extras()
    operations: list[dict[str, Any]] = []
    # Folders and documents carry the extra types four at a time: all 14 are covered.
    for n, (identifier, type_) in enumerate(
        [(s, "folder") for s in FOLDER_SHAPES] + [(s, "document") for s in DOCUMENT_SHAPES]
    ):
        operations.append(
            {
                "intent": "shape/upsert",
                "identifier": identifier,
                "name": identifier.replace("-", " ").title(),
                "type": type_,
                "components": [extras[(4 * n + k) % len(extras)] for k in range(4)],
            }
        )
    for n, identifier in enumerate(PRODUCT_SHAPES):
        operations.append(
            {
                "intent": "shape/upsert",
                "identifier": identifier,
                "name": identifier.replace("-", " ").title(),
                "type": "product",
                "components": [*_product_components(), extras[n % len(extras)]],
                "variantComponents": [_definition("barcode", "singleLine")],
            }
        )
    return operations
