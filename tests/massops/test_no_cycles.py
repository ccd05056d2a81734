"""A run pauses the cyclic garbage collector (`geode.util.gc_paused`): whatever a
batch leaves in a reference cycle is never freed while the run lasts. A catalogue
batch caught in a cycle once kept every item and variant of a file in memory (and
the collection when the run ended took seconds). A run must leave no cycles of
its own making: with the collector off, nothing of a batch survives it."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from bench.catalogue import shapes
from bench.catalogue.generate import Counts, operations
from geode.app import App
from geode.assembly.intents import intent_registry
from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.item_state import ItemState
from geode.catalogue.intents.variant_store import VariantState
from geode.massops.apply import BatchApplier
from geode.tenants.configure import configure
from geode.tenants.service import TenantInfo
from geode.tenants.settings_schemas import parse_settings
from tests.catalogue.files import run
from tests.conftest import WriteOps
from tests.massops.operations import customer, order

BATCH_KINDS = (BatchApplier, CatalogueBatch, ItemState, VariantState)


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _alive() -> dict[str, int]:
    counts: dict[str, int] = {}
    for obj in gc.get_objects():
        if isinstance(obj, BATCH_KINDS):
            counts[type(obj).__name__] = counts.get(type(obj).__name__, 0) + 1
    return counts


def test_a_catalogue_run_leaves_no_batch_behind(
    app: App, tenant: TenantInfo, tmp_path: Path, collector_off: None
) -> None:
    with app.engine.begin() as connection:
        configure(connection, tenant.id, parse_settings(json.dumps(shapes.settings()).encode(), 64))
    ops = [op for op in operations(Counts.at(0.0003), 7) if op["intent"] in intent_registry.intents]
    path = tmp_path / "catalogue.json"
    encoder = msgspec.json.Encoder(decimal_format="number")
    path.write_bytes(encoder.encode({"version": "0.0.1", "operations": ops}))
    task = run(app, tenant, path)
    assert task.status == "complete"
    assert task.counts["product/upsert"]["created"] > 0
    assert _alive() == {}


def test_a_customer_and_order_run_leaves_no_batch_behind(
    app: App, tenant: TenantInfo, ops_file: WriteOps, collector_off: None
) -> None:
    path = ops_file(
        [customer(f"c{i}", firstName="Ada") for i in range(50)]
        + [order(f"c{i}", id=f"{i:024x}") for i in range(50)]
    )
    task = run(app, tenant, path)
    assert task.status == "complete"
    assert _alive() == {}
