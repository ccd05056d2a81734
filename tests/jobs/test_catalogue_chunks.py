"""A catalogue file split into parallel chunks, run by two real `geode worker`s on
PostgreSQL, ends exactly like the same file run whole: same logs, same export.

The file is the catalogue benchmark's at a small scale (pieces, shapes,
topics, images, folders, then products with variants and their publishing),
with six folders so that products spread over several chunks. Its related
products are in the same folder (the benchmark's relate to the previous
product, in another folder, which chains every product into its own wave).
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from bench.catalogue import shapes
from bench.catalogue.generate import Counts, operations, product_id
from geode.app import App
from geode.assembly.intents import intent_registry
from geode.db.engine import reading
from geode.tenants.configure import configure
from geode.tenants.service import TenantInfo, create_tenant
from geode.tenants.settings import default_vat_type_id, root_item_id
from geode.tenants.settings_schemas import parse_settings
from tests.jobs.conftest import Workers, wait_until
from tests.massops.outcomes import outcome

pytestmark = pytest.mark.integration

COUNTS = Counts(topics=2, images=10, folders=6, products=60)


def new_tenant(app: App) -> tuple[TenantInfo, str]:
    """A tenant with the benchmark's settings but its own VAT type (ids are global)."""
    wanted = {k: v for k, v in shapes.settings().items() if k != "vatTypes"}
    with app.engine.begin() as connection:
        tenant = create_tenant(connection, f"c-{uuid.uuid4().hex[:12]}")
        configure(connection, tenant.id, parse_settings(json.dumps(wanted).encode(), 64))
        return tenant, default_vat_type_id(connection, tenant.id)


def catalogue_file(path: Path, vat_type_id: str) -> Path:
    number = {product_id(n): n for n in range(COUNTS.products)}
    ops = []
    for op in operations(COUNTS, 7):
        if op["intent"] not in intent_registry.intents:
            continue
        if "vatTypeId" in op:
            op["vatTypeId"] = vat_type_id
        if op["intent"].startswith("product/") and "components" in op:
            n = number[op["itemId"]]
            related = [product_id(n - COUNTS.folders)] if n >= COUNTS.folders else []
            for component in op["components"]:
                if component["componentId"] == "related":
                    component["itemRelations"]["itemIds"] = related
        ops.append(op)
    encoder = msgspec.json.Encoder(decimal_format="number")
    path.write_bytes(encoder.encode({"version": "0.0.1", "operations": ops}))
    return path


def exported(app: App, tenant: TenantInfo, vat_type_id: str) -> list[str]:
    """The tenant's catalogue export, with what differs between tenants named alike
    and the time each item was created (when it ran). Variants export in the order
    of their generated ids, i.e. of when a chunk created them: they are compared
    as a set (their order within a product is in the product's `variants`)."""
    family = next(f for f in app.massops.intents.families if f.name == "catalogue")
    with reading(app.engine) as connection:
        ops = [msgspec.json.encode(op).decode() for op in family.export(connection, tenant.id)]
        root = root_item_id(connection, tenant.id)
    ops = [
        re.sub(r'"createdAt":"[^"]*"', '"createdAt":"WHEN"', op)
        .replace(vat_type_id, "VAT")
        .replace(root, "ROOT")
        for op in ops
    ]
    variant = '{"intent":"product/variant/upsert"'
    return [op for op in ops if not op.startswith(variant)] + sorted(
        op for op in ops if op.startswith(variant)
    )


def by_workers(app: App, tenant: TenantInfo, path: Path) -> Any:
    task = app.massops.submit(tenant.id, path, by_worker=True)
    assert task.chunked
    app.dispatcher.enqueue_massop_task(task.id)
    finished = ("complete", "completeWithErrors", "failed")
    wait_until(lambda: app.massops.get(task.id).status in finished, timeout=180, what="the task")
    return app.massops.get(task.id)


def test_two_workers_run_a_catalogue_file_in_parallel_chunks_like_one_run(
    pg_app: App, workers: Workers, tmp_path: Path
) -> None:
    whole, whole_vat = new_tenant(pg_app)
    split, split_vat = new_tenant(pg_app)
    expected = pg_app.massops.run(
        pg_app.massops.submit(whole.id, catalogue_file(tmp_path / "whole.json", whole_vat)).id
    )
    assert expected.status == "complete"

    pg_app.massops.chunk_size = 40
    path = catalogue_file(tmp_path / "split.json", split_vat)
    workers.start("w1")
    workers.start("w2")
    actual = by_workers(pg_app, split, path)
    query = "select wave, size from massop_chunks where task_id = :id and size > 0"
    with reading(pg_app.engine) as connection:
        chunks = connection.execute(sa.text(query), {"id": actual.id}).all()
    per_wave: dict[int, int] = {}
    for wave, _ in chunks:
        per_wave[wave] = per_wave.get(wave, 0) + 1
    assert max(per_wave.values()) > 1, per_wave  # some wave runs in parallel chunks
    assert (actual.status, actual.counts) == (expected.status, expected.counts)
    assert outcome(pg_app, actual.id) == outcome(pg_app, expected.id)
    assert exported(pg_app, split, split_vat) == exported(pg_app, whole, whole_vat)

    again = by_workers(pg_app, split, path)
    assert again.status == "complete"
    assert {intent: set(by) for intent, by in again.counts.items()} == {
        intent: {"unchanged"} for intent in expected.counts
    }
