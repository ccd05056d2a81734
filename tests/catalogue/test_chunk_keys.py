"""How catalogue files are planned into waves and parallel chunks (`chunk_keys`).

Plans only, against a real SQLite store (what the planner reads of it): where
each operation lands, never a run. Runs with workers are in
tests/jobs/test_catalogue_chunks.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from geode.assembly.intents import intent_registry
from geode.db.engine import create_engine
from geode.massops.planning import Plan, plan
from geode.massops.spool import SpoolWriter
from geode.tenants.service import create_tenant
from geode.tenants.settings import root_item_id
from tests.catalogue.conftest import Catalogue

ROOT = "{{ defaults.rootItemId }}"
F1, F2, F3 = "f1" * 12, "f2" * 12, "f3" * 12


def pid(n: int) -> str:
    return f"{n:024x}"


@pytest.fixture
def shop(sqlite_url: str) -> Iterator[Catalogue]:
    engine: Engine = create_engine(sqlite_url)
    with engine.begin() as connection:
        tenant = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
        root = root_item_id(connection, tenant.id)
    yield Catalogue(engine, tenant.id, root=root)
    engine.dispose()


def templates_of(value: Any, path: list[str | int]) -> Iterator[tuple[list[str | int], str]]:
    if isinstance(value, str) and "{{" in value:
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from templates_of(inner, [*path, key])
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from templates_of(inner, [*path, index])


def layout(shop: Catalogue | None, ops: list[dict[str, Any]], tmp_path: Path) -> Plan:
    spool = tmp_path / f"{uuid.uuid4().hex}.spool"
    writer = SpoolWriter(spool)
    for op in ops:
        decoded = intent_registry.json_decoder.decode(json.dumps(op))
        templates = list(templates_of(op, [])) or None
        writer.add(intent_registry.entry(decoded, templates))
    writer.close()
    if shop is None:
        return plan(spool, 1, intent_registry)
    with shop.engine.connect() as connection:
        return plan(spool, 1, intent_registry, store=(connection, shop.tenant_id))


def folder(item_id: str, parent: str = ROOT, intent: str = "folder/upsert") -> dict[str, Any]:
    return {
        "intent": intent,
        "language": "en",
        "itemId": item_id,
        "name": f"Folder {item_id[:2]}",
        "shapeIdentifier": "folder",
        "tree": {"parentId": parent},
    }


def product(
    n: int, parent: str, skus: tuple[str, ...] = (), related: tuple[str, ...] = ()
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "intent": "product/upsert",
        "language": "en",
        "itemId": pid(n),
        "name": f"Mug {n}",
        "shapeIdentifier": "mug",
        "vatTypeId": "0000000000000000000000b7",
        "tree": {"parentId": parent},
        "variants": [{"sku": sku, "name": sku} for sku in skus or (f"sku-{n}",)],
    }
    if related:
        op["components"] = [{"componentId": "related", "itemRelations": {"itemIds": list(related)}}]
    return op


def publish(item_id: str, **fields: Any) -> dict[str, Any]:
    return {"intent": "item/publish", "language": "en", "itemId": item_id, **fields}


SHAPES = [
    {"intent": "shape/upsert", "identifier": "folder", "name": "Folder", "type": "folder"},
    {"intent": "shape/upsert", "identifier": "mug", "name": "Mug", "type": "product"},
]


def test_products_run_in_parallel_chunks_keyed_by_their_folder(
    shop: Catalogue, tmp_path: Path
) -> None:
    ops = [*SHAPES, folder(F1), folder(F2, parent=F1), publish(F1), publish(F2)]
    for n in range(8):
        ops += [product(n, F1 if n % 2 else F2), publish(pid(n))]
    ops.append(
        {
            "intent": "product/variant/stock/modify",
            "sku": "sku-3",
            "operation": "increase",
            "quantity": 2,
            "stockLocationIdentifier": "default",
        }
    )
    result = layout(shop, ops, tmp_path)
    waves, keys = list(result.waves), list(result.keys)
    # shapes, folders and their publishing run alone: one chunk, first wave
    assert waves[:6] == [0] * 6 and len(set(keys[:6])) == 1
    # every product operation in the next wave, on its folder's key
    assert set(waves[6:]) == {1}
    under_f1 = {keys[6 + 2 * n + k] for n in range(1, 8, 2) for k in (0, 1)} | {keys[-1]}
    under_f2 = {keys[6 + 2 * n + k] for n in range(0, 8, 2) for k in (0, 1)}
    assert len(under_f1) == 1 and len(under_f2) == 1 and under_f1 != under_f2
    assert result.wave_count == 2 and result.chunks_per_wave[1] > 1


def test_without_the_store_every_catalogue_operation_runs_alone(tmp_path: Path) -> None:
    ops = [*SHAPES, folder(F1), product(1, F1), product(2, F1), publish(pid(1))]
    result = layout(None, ops, tmp_path)
    assert list(result.waves) == [0] * len(ops) and len(set(result.keys)) == 1


def test_a_sku_another_product_holds_runs_alone(shop: Catalogue, tmp_path: Path) -> None:
    ops = [
        *SHAPES,
        folder(F1),
        folder(F2),
        product(1, F1, skus=("same",)),
        product(2, F2, skus=("same",)),
        product(3, F2),
    ]
    result = layout(shop, ops, tmp_path)
    assert list(result.waves)[4:] == [1, 2, 3]
    assert result.keys[5] == result.keys[0] != result.keys[4]


def test_relations_across_folders_order_reads_and_writes(shop: Catalogue, tmp_path: Path) -> None:
    ops = [
        *SHAPES,
        folder(F1),
        folder(F2),
        product(1, F1),  # 4
        product(2, F2, related=(pid(1),)),  # 5: reads product 1, created in another chunk
        product(3, F1),  # 6: independent
        {"intent": "product/update", "language": "en", "itemId": pid(2), "name": "Renamed"},  # 7
        {"intent": "product/update", "language": "en", "itemId": pid(1), "name": "Renamed"},  # 8
    ]
    waves = list(layout(shop, ops, tmp_path).waves)
    # 7 follows 5 in its folder's chunk; 8 changes what 5 read: after it
    assert waves[4:] == [1, 2, 1, 2, 3]


def test_moves_and_subtrees_run_alone_between_waves(shop: Catalogue, tmp_path: Path) -> None:
    shop.shape("mug")
    shop.shape("folder", "folder")
    shop.item("folder", item_id=F1, type_="folder")
    shop.item("folder", item_id=F2, type_="folder")
    shop.item("mug", item_id=pid(1), parent_id=F1)
    ops = [
        product(2, F1),  # 0
        product(1, F2),  # 1: stored under F1: a move, alone
        product(3, F2),  # 2
        publish(F1, includeDescendants=True),  # 3: a subtree, alone
        product(4, F2),  # 4
        product(1, F2),  # 5: where it ended up is unknown until it ran: alone
    ]
    result = layout(shop, ops, tmp_path)
    assert list(result.waves) == [0, 1, 2, 3, 4, 5]
    assert result.keys[1] == result.keys[3] == result.keys[5] != result.keys[2]


def test_an_item_named_through_a_reference_blinds_the_planner(
    shop: Catalogue, tmp_path: Path
) -> None:
    ops = [
        *SHAPES,
        {**folder(F1), "_ref": "top"},  # 2
        product(1, "{{ top.id }}"),  # 3: where it sits is known once rendered: alone
        product(2, F1),  # 4: and so is everything after it
        product(3, F1),
    ]
    result = layout(shop, ops, tmp_path)
    assert list(result.waves) == [0, 0, 0, 1, 1, 1] and len(set(result.keys[3:])) == 1


def test_variant_operations_follow_their_product(shop: Catalogue, tmp_path: Path) -> None:
    shop.shape("mug")
    shop.shape("folder", "folder")
    shop.item("folder", item_id=F3, type_="folder")
    shop.item("mug", item_id=pid(9), parent_id=F3)
    shop.variant(pid(9), "stored-sku")
    ops = [
        {
            "intent": "product/variant/price/modify",
            "sku": "stored-sku",
            "priceVariantIdentifier": "default",
            "price": 10,
        },
        product(9, F3, skus=("new-sku",)),
        {
            "intent": "product/variant/upsert",
            "language": "en",
            "productId": pid(9),
            "sku": "other",
            "name": "Other",
        },
        {"intent": "product/variant/delete", "sku": "new-sku"},
        product(8, F3),
    ]
    result = layout(shop, ops, tmp_path)
    assert list(result.waves) == [0] * 5 and len(set(result.keys)) == 1


def test_an_item_named_by_resource_identifier_is_keyed_where_it_sits(
    shop: Catalogue, tmp_path: Path
) -> None:
    shop.shape("mug")
    shop.shape("folder", "folder")
    shop.item("folder", item_id=F1, type_="folder")
    shop.item("folder", item_id=F2, type_="folder")
    shop.item("mug", item_id=pid(1), parent_id=F1, resource_identifier="erp-1")
    by_ri = {"intent": "product/update", "language": "en", "resourceIdentifier": "erp-1",
             "name": "Renamed"}  # fmt: skip
    ops = [
        product(2, F1),  # 0
        by_ri,  # 1: the stored product 1, under F1: F1's chunk
        {**product(3, F2), "resourceIdentifier": "erp-1"},  # 2: names another item so: alone
        product(4, F2),  # 3
    ]
    result = layout(shop, ops, tmp_path)
    assert list(result.waves) == [0, 0, 1, 2]
    assert result.keys[0] == result.keys[1] != result.keys[3] != result.keys[2]
