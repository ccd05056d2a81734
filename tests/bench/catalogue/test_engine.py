"""The benchmark's file, at a small scale, through the real engine on SQLite and
PostgreSQL: every operation applies, and a re-run is all `unchanged`."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec

from bench.catalogue import shapes
from bench.catalogue.generate import Counts, operations
from geode.app import App
from geode.assembly.intents import intent_registry
from geode.tenants.configure import configure
from geode.tenants.service import TenantInfo
from geode.tenants.settings_schemas import parse_settings
from tests.catalogue.files import logs, run


def test_the_implemented_part_of_the_file_imports_and_reruns_unchanged(
    app: App, tenant: TenantInfo, tmp_path: Path
) -> None:
    # VAT type ids are per tenant: every test's tenant takes the benchmark's own.
    with app.engine.begin() as connection:
        configure(connection, tenant.id, parse_settings(json.dumps(shapes.settings()).encode(), 64))
    ops = [
        op for op in operations(Counts.at(0.0005), 42) if op["intent"] in intent_registry.intents
    ]
    path = tmp_path / "catalogue.json"
    # Prices are Decimals: written as JSON numbers, exactly, as the generator does.
    encoder = msgspec.json.Encoder(decimal_format="number")
    path.write_bytes(encoder.encode({"version": "0.0.1", "operations": ops}))

    first = run(app, tenant, path)
    assert first.status == "complete", logs(app, first.id)[:3]
    outcomes = {outcome for by in first.counts.values() for outcome in by}
    assert outcomes <= {"created", "updated"}, first.counts
    assert {"piece/upsert", "shape/upsert", "topic/upsert", "image/register"} <= set(first.counts)

    second = run(app, tenant, path)
    assert second.status == "complete"
    assert {intent: set(by) for intent, by in second.counts.items()} == {
        intent: {"unchanged"} for intent in first.counts
    }
    assert sum(sum(by.values()) for by in second.counts.values()) == len(ops)
