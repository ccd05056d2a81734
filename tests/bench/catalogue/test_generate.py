"""The catalogue benchmark's generator: deterministic, the sizes issue 11 asks for,
every component type, and a file whose operations only name what came before."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench.catalogue import shapes
from bench.catalogue.generate import ROOT_TEMPLATE, Counts, generate, operations

COMPONENT_TYPES = {
    "boolean", "colors", "componentChoice", "componentMultipleChoice", "contentChunk",
    "datetime", "gridRelations", "images", "itemRelations", "location", "numeric",
    "paragraphCollection", "piece", "propertiesTable", "richText", "selection", "singleLine",
    "videos", "files",
}  # fmt: skip


PROVIDES = {  # intent: (prefix, field) of the record it creates
    "piece/upsert": ("piece:", "identifier"),
    "shape/upsert": ("shape:", "identifier"),
    "image/register": ("image:", "key"),
    "topic/upsert": ("", "topicId"),
    "folder/upsert": ("", "itemId"),
    "product/upsert": ("", "itemId"),
}


def _read(path: Path) -> list[dict[str, Any]]:
    operations: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))["operations"]
    return operations


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_content(
    tmp_path: Path,
) -> None:
    generate(tmp_path / "a.json", 0.001, 7)
    generate(tmp_path / "b.json", 0.001, 7)
    generate(tmp_path / "c.json", 0.001, 8)
    a = (tmp_path / "a.json").read_bytes()
    assert a == (tmp_path / "b.json").read_bytes()
    assert a != (tmp_path / "c.json").read_bytes()
    assert not list(tmp_path.glob("*.partial"))


def test_scale_one_is_the_catalogue_of_the_issue() -> None:
    counts = Counts.at(1)
    assert (counts.topics, counts.folders, counts.products) == (200, 1_000, 100_000)
    ops = counts.operations()
    assert (ops["piece/upsert"], ops["shape/upsert"]) == (10, 20)
    assert ops["product/upsert"] + ops["product/update"] == 200_000  # two languages
    assert ops["item/publish"] == 2 * (1_000 + 100_000)
    assert counts.total == 405_430


@pytest.mark.parametrize("scale", [0.001, 0.0005])
def test_the_file_holds_what_counts_says(tmp_path: Path, scale: float) -> None:
    counts = Counts.at(scale)
    generate(tmp_path / "ops.json", scale, 1)
    written = Counter(op["intent"] for op in _read(tmp_path / "ops.json"))
    assert dict(written) == counts.operations()
    assert sum(written.values()) == counts.total


def _types(definitions: list[dict[str, Any]]) -> set[str]:
    found = set()
    for definition in definitions:
        found.add(definition["type"])
        config = definition.get("config", {}).get(definition["type"], {})
        found |= _types(config.get("choices", []) + config.get("components", []))
    return found


def test_shapes_use_every_component_type_and_products_the_five() -> None:
    shape_ops = shapes.shapes()
    assert len(shape_ops) == 20
    used = set().union(*(_types(op["components"]) for op in shape_ops))
    assert used == COMPONENT_TYPES
    for op in shape_ops:
        if op["type"] == "product":
            ids = [c["id"] for c in op["components"]]
            assert ids[:5] == list(shapes.PRODUCT_COMPONENTS)


def test_products_have_five_components_and_three_priced_stocked_variants() -> None:
    products = [
        op
        for op in operations(Counts.at(0.0002), 3)
        if op["intent"] in ("product/upsert", "product/update")
    ]
    assert {op["language"] for op in products} == set(shapes.LANGUAGES)
    for op in products:
        assert [c["componentId"] for c in op["components"]] == list(shapes.PRODUCT_COMPONENTS)
        assert len(op["variants"]) == 3
        assert sum(bool(v["isDefault"]) for v in op["variants"]) == 1
        for variant in op["variants"]:
            assert {p["identifier"] for p in variant["priceVariants"]} == {"default", "nok"}
            assert {s["identifier"] for s in variant["stockLocations"]} == {"default", "oslo"}
            assert all(p["price"] > 0 for p in variant["priceVariants"])


def test_every_operation_names_only_records_created_before_it() -> None:
    """So the file runs in file order, whether or not the engine sorts by dependency."""
    known: set[str] = {ROOT_TEMPLATE}
    for index, op in enumerate(operations(Counts.at(0.001), 5)):
        named: list[str] = []
        for component in op.get("components") or []:
            if "type" in component and component["type"] == "piece":
                named.append("piece:" + component["config"]["piece"]["identifier"])
            named += (component.get("itemRelations") or {}).get("itemIds", [])
            named += ["image:" + image["key"] for image in component.get("images") or []]
        if "shapeIdentifier" in op:
            named.append("shape:" + op["shapeIdentifier"])
        named += op.get("topicIds") or []
        named += [op["tree"]["parentId"]] if "tree" in op else []
        named += [op["parentId"]] if "parentId" in op else []
        if op["intent"].endswith("/update") or op["intent"] == "item/publish":
            named.append(op.get("itemId") or op["topicId"])
        missing = [name for name in named if name not in known]
        assert not missing, f"operation {index} ({op['intent']}) names {missing} too early"
        provides = PROVIDES.get(op["intent"])
        if provides is not None:
            prefix, field = provides
            known.add(prefix + op[field])
