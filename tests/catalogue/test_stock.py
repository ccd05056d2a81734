"""`product/variant/stock/modify` and `product/variant/price/modify`, on both databases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from geode.app import App
from geode.tenants.service import TenantInfo
from tests.catalogue.files import logs, run
from tests.catalogue.variants import product, variant, variants


def stock(sku: str, operation: str, quantity: int, location: str = "default") -> dict[str, Any]:
    return {
        "intent": "product/variant/stock/modify",
        "sku": sku,
        "operation": operation,
        "quantity": quantity,
        "stockLocationIdentifier": location,
    }


def test_increase_decrease_overwrite_and_never_below_zero(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    mug = product(app, tenant)
    run(app, tenant, ops_file([variant("a", mug)], name="a.json"))
    task = run(
        app,
        tenant,
        ops_file(
            [
                stock("a", "increase", 5),
                stock("a", "decrease", 2),
                stock("a", "decrease", 4),
                stock("a", "overwrite", 7),
                stock("a", "overwrite", 7),
                stock("a", "increase", 1, location="attic"),
                stock("nope", "increase", 1),
            ]
        ),
    )
    entries = logs(app, task.id)
    assert [(e["outcome"], e["error_code"]) for e in entries] == [
        ("updated", None),
        ("updated", None),
        (None, "insufficient_stock"),
        ("updated", None),
        ("unchanged", None),
        (None, "unknown_stock_location"),
        (None, "not_found"),
    ]
    assert "holds 3 in stock" in entries[2]["message"]
    assert "`stockLocationIdentifier`" in entries[5]["message"]
    assert variants(app, tenant)["a"]["stock"] == {"default": 7}


def test_price_modify_sets_one_price_variant(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    mug = product(app, tenant)
    run(app, tenant, ops_file([variant("a", mug)], name="a.json"))
    price = {
        "intent": "product/variant/price/modify",
        "sku": "a",
        "priceVariantIdentifier": "default",
    }
    task = run(
        app,
        tenant,
        ops_file(
            [
                {**price, "price": "19.90"},
                {**price, "price": 19.9},
                {**price, "priceVariantIdentifier": "vip", "price": 3},
            ]
        ),
    )
    assert [(e["outcome"], e["error_code"]) for e in logs(app, task.id)] == [
        ("updated", None),
        ("unchanged", None),
        (None, "unknown_price_variant"),
    ]
    assert variants(app, tenant)["a"]["prices"] == {"default": Decimal("19.9")}
