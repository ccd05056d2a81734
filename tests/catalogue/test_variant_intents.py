"""`product/variant/*` and `item/updateComponent/sku` through the engine, on SQLite
and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from geode.app import App
from geode.tenants.service import TenantInfo
from tests.catalogue.files import logs, run, shape, single_line
from tests.catalogue.variants import product, variant, variants

PRICES = [{"identifier": "default", "price": "12.50"}]
STOCK = [{"identifier": "default", "stock": 4}]


def test_create_update_upsert_and_a_rerun_that_changes_nothing(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    mug = product(app, tenant)
    operations = [
        {**variant("mug-red", mug, "product/variant/create", priceVariants=PRICES), "_ref": "red"},
        variant("mug-blue", mug, stockLocations=STOCK, externalReference="B-1"),
        {
            "intent": "product/variant/update",
            "language": "en",
            "sku": "{{ red.sku }}",
            "name": "Red mug",
            "stockLocations": STOCK,
        },
    ]
    first = run(app, tenant, ops_file(operations))
    assert first.status == "complete", logs(app, first.id)
    assert first.counts == {
        "product/variant/create": {"created": 1},
        "product/variant/upsert": {"created": 1},
        "product/variant/update": {"updated": 1},
    }
    stored = variants(app, tenant)
    red, blue = stored["mug-red"], stored["mug-blue"]
    assert (red["product_id"], red["is_default"], red["position"]) == (mug, True, 0)
    assert (blue["is_default"], blue["position"], blue["external_reference"]) == (False, 1, "B-1")
    assert red["names"] == {"en": "Red mug"}
    assert red["prices"] == {"default": Decimal("12.5")}  # kept: absent from the update
    assert red["stock"] == {"default": 4}
    assert logs(app, first.id)[0]["resource_id"] == red["id"]

    again = run(app, tenant, ops_file([operations[1]], name="again.json"))
    assert again.counts == {"product/variant/upsert": {"unchanged": 1}}


def test_setting_a_default_clears_the_other_and_a_sku_stays_with_its_product(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    mug, cup = product(app, tenant), product(app, tenant)
    run(app, tenant, ops_file([variant("a", mug), variant("b", mug)], name="a.json"))
    task = run(app, tenant, ops_file([variant("b", mug, isDefault=True), variant("a", cup)]))
    assert [(e["status"], e["error_code"]) for e in logs(app, task.id)] == [
        ("success", None),
        ("failure", "sku_taken"),
    ]
    stored = variants(app, tenant)
    assert (stored["a"]["is_default"], stored["b"]["is_default"]) == (False, True)
    assert stored["a"]["product_id"] == mug


def test_prices_and_stock_merge_by_key_and_must_be_tenant_settings(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    mug = product(app, tenant)
    run(app, tenant, ops_file([variant("a", mug, priceVariants=PRICES)], name="a.json"))
    task = run(
        app,
        tenant,
        ops_file(
            [
                variant("a", mug, priceVariants=[{"identifier": "default", "price": 9}]),
                variant("a", mug, priceVariants=[{"identifier": "vip", "price": 9}]),
                variant("a", mug, stockLocations=[{"identifier": "attic", "stock": 1}]),
                variant("a", mug, language="fr"),
            ]
        ),
    )
    entries = logs(app, task.id)
    assert [e["error_code"] for e in entries] == [
        None,
        "unknown_price_variant",
        "unknown_stock_location",
        "unknown_language",
    ]
    assert "`priceVariants[0].identifier`" in entries[1]["message"]
    assert "'vip'" in entries[1]["message"]
    assert variants(app, tenant)["a"]["prices"] == {"default": Decimal(9)}


def test_create_of_an_existing_sku_update_of_a_missing_one_and_a_missing_product_fail(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    mug = product(app, tenant)
    folder = product(app, tenant, shape="box", type_="folder")
    run(app, tenant, ops_file([variant("a", mug)], name="a.json"))
    task = run(
        app,
        tenant,
        ops_file(
            [
                variant("a", mug, "product/variant/create"),
                {"intent": "product/variant/update", "language": "en", "sku": "zz", "name": "Z"},
                variant("b", "0123456789abcdef01234567"),
                variant("c", folder),
                {"intent": "product/variant/delete", "sku": "zz"},
            ]
        ),
    )
    assert [e["error_code"] for e in logs(app, task.id)] == [
        "already_exists",
        "not_found",
        "unknown_product",
        "not_a_product",
        "not_found",
    ]


def test_delete_moves_the_default_to_the_next_variant(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    mug = product(app, tenant)
    run(
        app,
        tenant,
        ops_file(
            [variant("a", mug, priceVariants=PRICES, stockLocations=STOCK), variant("b", mug)]
        ),
    )
    task = run(
        app,
        tenant,
        ops_file([{"intent": "product/variant/delete", "sku": "a"}], name="d.json"),
    )
    assert task.counts == {"product/variant/delete": {"deleted": 1}}
    stored = variants(app, tenant)
    assert list(stored) == ["b"]
    assert stored["b"]["is_default"] is True
    # Deleted and created again in one file: a new variant.
    again = run(
        app,
        tenant,
        ops_file(
            [{"intent": "product/variant/delete", "sku": "b"}, variant("b", mug)], name="e.json"
        ),
    )
    assert again.status == "complete", logs(app, again.id)
    assert variants(app, tenant)["b"]["id"] != stored["b"]["id"]


def test_names_are_per_language(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    mug = product(app, tenant)
    with app.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO tenant_languages (tenant_id, code, name, position) "
            f"VALUES ('{tenant.id}', 'fr', 'French', 1)"
        )
    task = run(
        app,
        tenant,
        ops_file([variant("a", mug), {**variant("a", mug, language="fr"), "name": "Tasse"}]),
    )
    assert task.status == "complete", logs(app, task.id)
    assert variants(app, tenant)["a"]["names"] == {"en": "A", "fr": "Tasse"}


def test_components_are_checked_against_the_shapes_variant_components(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    run(
        app,
        tenant,
        ops_file([shape("mug", variantComponents=[single_line("colour")])], name="s.json"),
    )
    mug = product(app, tenant)
    colour = {"componentId": "colour", "singleLine": {"text": "red"}}
    task = run(
        app,
        tenant,
        ops_file(
            [
                variant("a", mug, components=[colour]),
                variant(
                    "b", mug, components=[{"componentId": "size", "singleLine": {"text": "L"}}]
                ),
                {
                    "intent": "item/updateComponent/sku",
                    "language": "en",
                    "sku": "a",
                    "component": {"componentId": "colour", "singleLine": {"text": "blue"}},
                },
                {
                    "intent": "item/updateComponent/sku",
                    "language": "en",
                    "sku": "a",
                    "component": {"componentId": "nope", "singleLine": {"text": "x"}},
                },
            ]
        ),
    )
    entries = logs(app, task.id)
    assert [e["status"] for e in entries] == ["success", "failure", "success", "failure"]
    assert "`components[0]" in entries[1]["message"]
    assert "`component" in entries[3]["message"]
    stored = json.loads(variants(app, tenant)["a"]["components"]["en"])
    assert stored == [{"componentId": "colour", "singleLine": {"text": "blue"}}]


def test_dependencies_name_the_product_and_the_sku() -> None:
    from geode.catalogue.intents.variants import VariantCreate, VariantDelete, Variants

    kind = Variants()
    create = VariantCreate(language="en", productId="0123456789abcdef01234567", sku="a", name="A")
    assert (kind.provides(create), kind.needs(create)) == (
        ["sku:a"],
        ["item:0123456789abcdef01234567"],
    )
    templated = VariantCreate(language="en", productId="{{ p.id }}", sku="a", name="A")
    assert kind.needs(templated) == []
    # A delete is on the record's own chain: deleted then created again in one
    # file, it stays first.
    delete = VariantDelete(sku="a")
    assert (kind.provides(delete), kind.needs(delete)) == (["sku:a"], [])


def test_the_export_lists_variants_by_sku_not_by_their_ids(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    """A variant's id is not exported (another tenant finds it by sku and gives it an
    id of its own), so ordering by id would write another tenant's export in another
    order. Created here against sku order, so their ids run the other way."""
    mug = product(app, tenant)
    created = ["mug-3", "mug-1", "mug-2"]
    task = run(app, tenant, ops_file([variant(sku, mug) for sku in created]))
    assert task.status == "complete", logs(app, task.id)
    family = app.massops.intents.family_of["product/variant/upsert"]
    with app.engine.connect() as connection:
        exported = [
            op.sku
            for op in family.export(connection, tenant.id)
            if op.__struct_config__.tag == "product/variant/upsert"
        ]
    assert exported == sorted(created)


def test_one_variant_written_again_in_one_file_unchanged_refused_then_changed(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    """The same variant several times in one batch: states are shared, not copied,
    so an unchanged or refused write must leave the one before it as it was."""
    mug = product(app, tenant)
    twice = [{"identifier": "default", "stock": 1}, {"identifier": "default", "stock": 2}]
    operations = [
        variant("a", mug, priceVariants=PRICES, stockLocations=STOCK),
        variant("a", mug, priceVariants=PRICES, stockLocations=STOCK),
        variant("a", mug, priceVariants=[{"identifier": "default", "price": "12.5000"}]),
        variant(
            "a", mug, priceVariants=[{"identifier": "default", "price": 99}], stockLocations=twice
        ),
        variant("a", mug, name="Mug A", priceVariants=[{"identifier": "default", "price": 13}]),
        variant("a", mug, name="Mug A", priceVariants=[{"identifier": "default", "price": 13}]),
    ]
    task = run(app, tenant, ops_file(operations))
    entries = logs(app, task.id)
    assert [(e["outcome"], e["error_code"]) for e in entries] == [
        ("created", None),
        ("unchanged", None),
        ("unchanged", None),
        (None, "duplicate_key"),
        ("updated", None),
        ("unchanged", None),
    ]
    assert "`stockLocations[1].identifier`" in entries[3]["message"]
    stored = variants(app, tenant)["a"]
    assert (stored["names"], stored["prices"], stored["stock"]) == (
        {"en": "Mug A"},
        {"default": Decimal(13)},
        {"default": 4},
    )
    # Again: the first write renames "Mug A" back to "A", the fifth to "Mug A".
    again = run(app, tenant, ops_file(operations, name="again.json"))
    assert again.counts == {"product/variant/upsert": {"updated": 2, "unchanged": 3, "failed": 1}}
