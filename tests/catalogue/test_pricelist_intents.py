"""`pricelist/*` intents through the engine, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from geode.app import App
from geode.massops.export import write_file
from geode.tenants.service import TenantInfo, create_tenant
from tests.catalogue.files import logs, run


def pricelist(identifier: str = "vip", intent: str = "pricelist/upsert", **fields: Any) -> Any:
    return {
        "intent": intent,
        "identifier": identifier,
        "name": identifier.upper(),
        "modifierType": "PERCENTAGE",
        "priceVariants": [{"identifier": "default", "modifier": -10.5}],
        "selectedProductVariants": {"type": "SOME_SKUS", "variants": [{"sku": "tee-m"}]},
        "targetAudience": {"type": "SOME", "customerGroupIdentifiers": ["vip"]},
        **fields,
    }


def query(app: App, sql: str, tenant_id: str) -> list[tuple[Any, ...]]:
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text(sql), {"t": tenant_id})]


def lists(app: App, tenant_id: str) -> list[tuple[Any, ...]]:
    return query(
        app,
        "SELECT identifier, name, modifier_type, price_variants, selection_type, "
        "target_audience FROM price_lists WHERE tenant_id = :t ORDER BY identifier",
        tenant_id,
    )


def skus(app: App, tenant_id: str) -> list[tuple[Any, ...]]:
    return query(
        app,
        "SELECT price_list_identifier, sku, price_variants FROM price_list_variants "
        "WHERE tenant_id = :t ORDER BY price_list_identifier, sku",
        tenant_id,
    )


def test_create_update_variants_and_a_rerun(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    modifier = [{"identifier": "default", "modifier": "2.25", "decimalPlaces": 2}]
    ops = [
        {**pricelist(intent="pricelist/create", startDate="2024-06-01T00:00:00Z"), "_ref": "p"},
        {"intent": "pricelist/update", "identifier": "vip", "name": "{{ p.name }} 2",
         "selectedProductVariants": {"type": "SOME_SKUS", "variants": [
             {"sku": "tee-l", "priceVariants": modifier}]}},
        {"intent": "pricelist/selectedProductVariants/upsert", "identifier": "vip",
         "variants": [{"sku": "tee-s"}, {"sku": "tee-m", "priceVariants": modifier}]},
        {"intent": "pricelist/selectedProductVariants/remove", "identifier": "vip",
         "skus": ["tee-s", "unknown"]},
    ]  # fmt: skip
    first = run(app, tenant, ops_file(ops))
    assert first.status == "complete", logs(app, first.id)
    assert first.counts == {
        "pricelist/create": {"created": 1},
        "pricelist/update": {"updated": 1},
        "pricelist/selectedProductVariants/upsert": {"updated": 1},
        "pricelist/selectedProductVariants/remove": {"updated": 1},
    }
    ((identifier, name, kind, modifiers, selection, audience),) = lists(app, tenant.id)
    assert (identifier, name, kind, selection) == ("vip", "VIP 2", "PERCENTAGE", "SOME_SKUS")
    assert json.loads(modifiers, parse_float=Decimal) == [
        {"identifier": "default", "modifier": Decimal("-10.5")}
    ]
    assert json.loads(audience) == {"type": "SOME", "customerGroupIdentifiers": ["vip"]}
    stored = [(sku, None if m is None else json.loads(m)) for _, sku, m in skus(app, tenant.id)]
    assert stored == [
        ("tee-l", [{"identifier": "default", "modifier": 2.25, "decimalPlaces": 2}]),
        ("tee-m", [{"identifier": "default", "modifier": 2.25, "decimalPlaces": 2}]),
    ]
    again = run(app, tenant, ops_file([ops[1] | {"name": "VIP 2"}, *ops[2:]], name="again.json"))
    assert again.counts == {
        "pricelist/update": {"unchanged": 1},
        "pricelist/selectedProductVariants/upsert": {"updated": 1},  # tee-s back
        "pricelist/selectedProductVariants/remove": {"updated": 1},
    }
    upsert = ops_file([ops[0] | {"intent": "pricelist/upsert"}], "same.json")
    assert run(app, tenant, upsert).counts == {"pricelist/upsert": {"updated": 1}}  # tee-m
    assert run(app, tenant, upsert).counts == {"pricelist/upsert": {"unchanged": 1}}


def test_failures_name_the_field(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    bad_variant = [{"sku": "x", "priceVariants": [{"identifier": "nok", "modifier": 1}]}]
    ops = [
        pricelist("a"),
        pricelist("a", intent="pricelist/create"),
        {"intent": "pricelist/update", "identifier": "b", "name": "B"},
        pricelist("c", priceVariants=[{"identifier": "nok", "modifier": 1}]),
        {"intent": "pricelist/selectedProductVariants/upsert", "identifier": "a",
         "variants": bad_variant},
        {"intent": "pricelist/selectedProductVariants/remove", "identifier": "zz", "skus": ["x"]},
        pricelist("d", startDate="2024-06-02T00:00:00Z", endDate="2024-06-01T00:00:00Z"),
    ]  # fmt: skip
    task = run(app, tenant, ops_file(ops))
    entries = logs(app, task.id)
    assert [e["error_code"] for e in entries] == [
        None,
        "already_exists",
        "not_found",
        "unknown_price_variant",
        "unknown_price_variant",
        "not_found",
        "dates_out_of_order",
    ]
    assert "`priceVariants[0].identifier`" in entries[3]["message"]
    assert "`variants[0].priceVariants[0].identifier`" in entries[4]["message"]
    assert [row[0] for row in lists(app, tenant.id)] == ["a"]


def test_export_then_import_gives_the_same_rows(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    ops = [
        pricelist("vip", startDate="2024-06-01T10:00:00+02:00", endDate=None),
        pricelist("all", selectedProductVariants={"type": "ALL_SKUS"},
                  targetAudience={"type": "EVERYONE"}),
    ]  # fmt: skip
    assert run(app, tenant, ops_file(ops)).status == "complete"
    family = app.massops.intents.family_of["pricelist/upsert"]
    out = io.BytesIO()
    with app.engine.connect() as connection:
        write_file(out, family.export(connection, tenant.id))
    exported = [
        op for op in json.loads(out.getvalue())["operations"] if op["intent"].startswith("price")
    ]
    assert [op["identifier"] for op in exported] == ["all", "vip"]
    with app.engine.begin() as connection:
        fresh = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
    task = run(app, fresh, ops_file(exported, name="export.json"))
    assert task.status == "complete", logs(app, task.id)
    assert lists(app, fresh.id) == lists(app, tenant.id)
    assert [r[1:] for r in skus(app, fresh.id)] == [r[1:] for r in skus(app, tenant.id)]
    dates = "SELECT start_date, end_date FROM price_lists WHERE tenant_id = :t ORDER BY identifier"
    assert query(app, dates, fresh.id) == query(app, dates, tenant.id)
    again = run(app, tenant, ops_file(exported, name="again.json"))
    assert again.counts == {"pricelist/upsert": {"unchanged": 2}}
