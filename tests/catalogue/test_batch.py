"""One catalogue operation applies whole or not at all (`CatalogueBatch.atomic`):
refused part-way, it leaves no item, variant, price or stock row of its own, and
the operations after it in the same batch see the batch as it was before it. On
SQLite and PostgreSQL, through the engine."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from geode.app import App
from geode.tenants.service import TenantInfo
from geode.tenants.settings import default_vat_type_id
from tests.catalogue.files import logs, run, shape, single_line
from tests.catalogue.items import item, item_ids
from tests.catalogue.variants import product, variant, variants

FAILING = "a" * 24
KEPT = "b" * 24
PRICE = [{"identifier": "default", "price": "9.50"}]
STOCK = [{"identifier": "default", "stock": 4}]


def query(app: App, sql: str, tenant_id: str) -> list[tuple[Any, ...]]:
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text(sql), {"t": tenant_id})]


def _product(app: App, tenant: TenantInfo, item_id: str, *skus: Any, **fields: Any) -> Any:
    with app.engine.connect() as connection:
        vat = default_vat_type_id(connection, tenant.id)
    return item(
        item_id,
        "product/upsert",
        shape="mug",
        itemId=item_id,
        vatTypeId=vat,
        variants=[s if isinstance(s, dict) else {"sku": s, "name": s} for s in skus],
        **fields,
    )


def _statuses(app: App, task_id: str) -> list[tuple[str, str | None]]:
    return [(e["status"], e["error_code"] or e["outcome"]) for e in logs(app, task_id)]


def test_a_product_failing_on_its_second_variant_leaves_nothing_and_the_batch_goes_on(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    operations = [
        shape("mug"),
        _product(
            app,
            tenant,
            FAILING,
            {"sku": "a-1", "name": "A1", "priceVariants": PRICE, "stockLocations": STOCK},
            {"sku": "a-2", "name": "A2", "priceVariants": [{"identifier": "nope", "price": 1}]},
            {"sku": "a-3", "name": "A3", "priceVariants": PRICE},
        ),
        _product(
            app,
            tenant,
            KEPT,
            {"sku": "b-1", "name": "B1", "priceVariants": PRICE},
        ),
        # The failed product's first variant is not in the batch either.
        {"intent": "product/variant/update", "language": "en", "sku": "a-1", "name": "X"},
        {
            "intent": "product/variant/stock/modify",
            "sku": "b-1",
            "stockLocationIdentifier": "default",
            "operation": "decrease",
            "quantity": 100,
        },
        {
            "intent": "product/variant/stock/modify",
            "sku": "b-1",
            "stockLocationIdentifier": "default",
            "operation": "increase",
            "quantity": 1,
        },
    ]
    first = run(app, tenant, ops_file(operations))
    assert _statuses(app, first.id) == [
        ("success", "created"),
        ("failure", "unknown_price_variant"),
        ("success", "created"),
        ("failure", "not_found"),
        ("failure", "insufficient_stock"),
        ("success", "updated"),
    ]
    assert "`variants[1].priceVariants[0].identifier`" in logs(app, first.id)[1]["message"]

    def check() -> None:
        assert item_ids(app, tenant.id) == [KEPT]
        stored = variants(app, tenant)
        assert list(stored) == ["b-1"]
        assert stored["b-1"]["is_default"] is True
        assert stored["b-1"]["stock"] == {"default": 1}  # the decrease left nothing
        one = stored["b-1"]["id"]
        for table in ("variant_versions", "variant_prices", "variant_stock"):
            rows = query(app, f"SELECT variant_id FROM {table} WHERE tenant_id = :t", tenant.id)
            assert {row[0] for row in rows} == {one}, table

    check()
    again = run(app, tenant, ops_file(operations[:5], name="again.json"))
    assert _statuses(app, again.id) == [
        ("success", "unchanged"),
        ("failure", "unknown_price_variant"),
        ("success", "unchanged"),
        ("failure", "not_found"),
        ("failure", "insufficient_stock"),
    ]
    check()


def test_a_failed_update_keeps_the_stored_default_and_positions(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    first = run(
        app,
        tenant,
        ops_file([shape("mug"), _product(app, tenant, FAILING, "p-1")], name="first.json"),
    )
    assert first.status == "complete", logs(app, first.id)
    operations = [
        _product(app, tenant, KEPT, "taken"),
        {
            **_product(
                app,
                tenant,
                FAILING,
                {"sku": "p-2", "name": "P2", "isDefault": True, "priceVariants": PRICE},
                "taken",  # a variant of the product above: refused
            ),
            "name": "Renamed",
        },
        variant("p-3", FAILING),
    ]
    task = run(app, tenant, ops_file(operations))
    assert _statuses(app, task.id) == [
        ("success", "created"),
        ("failure", "sku_taken"),
        ("success", "created"),
    ]
    stored = variants(app, tenant)
    assert sorted(stored) == ["p-1", "p-3", "taken"]
    assert stored["p-1"]["is_default"] is True  # p-2 made itself default, then was undone
    assert stored["p-3"]["is_default"] is False
    assert stored["p-3"]["position"] == 1  # after p-1 alone: p-2 left no place behind
    assert stored["taken"]["product_id"] == KEPT
    names = query(
        app,
        "SELECT name FROM item_versions WHERE tenant_id = :t AND item_id = '" + FAILING + "'",
        tenant.id,
    )
    assert names == [(FAILING,)]  # the item part of the failed update is undone too


def test_a_variant_refused_on_its_content_leaves_its_product_without_it(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    run(app, tenant, ops_file([shape("mug", variantComponents=[single_line("colour")])], "s"))
    mug = product(app, tenant)
    size = [{"componentId": "size", "singleLine": {"text": "L"}}]
    task = run(
        app,
        tenant,
        ops_file([variant("a", mug, "product/variant/create", components=size), variant("b", mug)]),
    )
    assert _statuses(app, task.id) == [("failure", "unknown_component"), ("success", "created")]
    stored = variants(app, tenant)
    assert list(stored) == ["b"]
    assert stored["b"]["is_default"] is True  # the product's first variant, as `a` is gone
    assert stored["b"]["position"] == 0
