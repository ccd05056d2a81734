"""`product/create|update|upsert` through the engine, on SQLite and PostgreSQL, and the
export of the item tree that re-imports to the same store."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from geode.app import App
from geode.jsontext import encode_for_file
from geode.massops.export import write_file
from geode.tenants.configure import configure
from geode.tenants.service import TenantInfo, create_tenant
from geode.tenants.settings import default_vat_type_id, read_settings
from geode.tenants.settings_schemas import parse_settings
from tests.catalogue.files import logs, run, shape, single_line
from tests.catalogue.items import item, item_ids, paths, version
from tests.catalogue.variants import variants

PRODUCT = "9" * 24


def vat(app: App, tenant_id: str) -> str:
    with app.engine.connect() as connection:
        return default_vat_type_id(connection, tenant_id)


def mug(app: App, tenant: TenantInfo, intent: str = "product/upsert", **fields: Any) -> Any:
    return item(
        "Mug",
        intent,
        shape="mug",
        itemId=PRODUCT,
        vatTypeId=vat(app, tenant.id),
        variants=[
            {
                "sku": "mug-1",
                "name": "Mug",
                "priceVariants": [{"identifier": "default", "price": 9.5}],
            }
        ],
        **fields,
    )


def test_a_product_with_its_variants_and_a_rerun_that_changes_nothing(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    operations = [shape("mug"), mug(app, tenant)]
    task = run(app, tenant, ops_file(operations))
    assert task.counts == {"shape/upsert": {"created": 1}, "product/upsert": {"created": 1}}, logs(
        app, task.id
    )
    assert variants(app, tenant)["mug-1"]["product_id"] == PRODUCT
    assert paths(app, tenant.id, PRODUCT) == {"canonical": ["/mug"]}
    again = run(app, tenant, ops_file(operations, name="again.json"))
    assert again.counts == {"shape/upsert": {"unchanged": 1}, "product/upsert": {"unchanged": 1}}
    more = [
        {
            **mug(app, tenant),
            "variants": [{"sku": "mug-2", "name": "Big mug"}],
        }
    ]
    third = run(app, tenant, ops_file(more, name="more.json"))
    assert third.counts == {"product/upsert": {"updated": 1}}
    assert sorted(variants(app, tenant)) == ["mug-1", "mug-2"]  # absent entries are kept


def test_a_product_needs_a_known_vat_type_and_fails_whole_on_a_variant(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    run(
        app,
        tenant,
        ops_file(
            [
                shape("other"),
                item(
                    "Other",
                    "product/upsert",
                    shape="other",
                    vatTypeId=vat(app, tenant.id),
                    variants=[{"sku": "taken", "name": "Taken"}],
                ),
            ],
            name="a.json",
        ),
    )
    task = run(
        app,
        tenant,
        ops_file(
            [
                shape("mug"),
                {**mug(app, tenant), "vatTypeId": "0" * 24},
                {**mug(app, tenant), "variants": [{"sku": "taken", "name": "Mine"}]},
            ]
        ),
    )
    entries = logs(app, task.id)
    assert entries[1]["error_code"] == "unknown_vat_type"
    assert entries[2]["status"] == "failure"
    assert entries[2]["message"].startswith("`variants[0].sku`")
    assert PRODUCT not in item_ids(app, tenant.id)  # the failed product left nothing


def test_the_exported_tree_reimports_to_the_same_store(
    app: App, tenant: TenantInfo, ops_file: Any, tmp_path: Path
) -> None:
    folder = "f" * 24
    operations = [
        shape("mug", components=[single_line("title")]),
        shape("folder", type_="folder"),
        item("Shop", "folder/upsert", shape="folder", itemId=folder),
        {**mug(app, tenant), "tree": {"parentId": folder}},
        {"intent": "item/publish", "itemId": folder, "language": "en", "includeDescendants": True},
        {
            "intent": "item/updateComponent/item",
            "itemId": PRODUCT,
            "language": "en",
            "component": {"componentId": "title", "singleLine": {"text": "draft only"}},
        },
        {"intent": "item/paths/addAliases", "itemId": PRODUCT, "language": "en", "paths": ["/m"]},
        item("Later", "folder/upsert", shape="folder", itemId="e" * 24),
        {
            "intent": "item/paths/addShortcuts",
            "itemId": PRODUCT,
            "shortcuts": [{"parentId": "e" * 24}],
        },
    ]
    task = run(app, tenant, ops_file(operations))
    assert task.status == "complete", logs(app, task.id)

    def exported(tenant_id: str) -> str:
        out = io.BytesIO()
        with app.engine.connect() as connection:
            write_file(
                out, app.massops.intents.family_of["document/upsert"].export(connection, tenant_id)
            )
        return out.getvalue().decode()

    text = exported(tenant.id)
    own = tmp_path / "own.json"
    own.write_text(text)
    with app.engine.begin() as connection:
        other = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
    # The other tenant takes this one's VAT types, ids included (they are per tenant).
    with app.engine.begin() as connection:
        vat_types = read_settings(connection, tenant.id).as_json()["vatTypes"]
        wanted = parse_settings(encode_for_file({"vatTypes": vat_types}), 32)
        configure(connection, other.id, wanted)
    trees = [op["tree"] for op in json.loads(text)["operations"] if "tree" in op]
    assert trees[0]["parentId"] == "{{ defaults.rootItemId }}"
    path = tmp_path / "export.json"
    path.write_text(text)
    again = run(app, other, path)
    assert again.status == "complete", logs(app, again.id)
    assert item_ids(app, other.id) == item_ids(app, tenant.id)
    for item_id in (folder, PRODUCT):
        for kind in ("draft", "published"):
            assert version(app, other.id, item_id, kind=kind) == version(
                app, tenant.id, item_id, kind=kind
            ) or _same_but_time(app, tenant.id, other.id, item_id, kind)
        assert paths(app, other.id, item_id) == paths(app, tenant.id, item_id)
    assert shortcuts(app, other.id) == shortcuts(app, tenant.id) == [(PRODUCT, "e" * 24)]
    # Into the tenant it came from, the export leaves the store as it was (the product's
    # draft is rewritten with its published content, published, then restored).
    before = [version(app, tenant.id, PRODUCT, kind=kind) for kind in ("draft", "published")]
    rerun = run(app, tenant, own)
    assert rerun.counts["product/upsert"] == {"updated": 2}
    assert rerun.counts["item/publish"] == {"unchanged": 2}
    after = [version(app, tenant.id, PRODUCT, kind=kind) for kind in ("draft", "published")]
    assert [(v.name, v.components) for v in after if v] == [
        (v.name, v.components) for v in before if v
    ]


def _same_but_time(app: App, a: str, b: str, item_id: str, kind: str) -> bool:
    one, two = version(app, a, item_id, kind=kind), version(app, b, item_id, kind=kind)
    return (
        one is not None
        and two is not None
        and (one.name, one.components)
        == (
            two.name,
            two.components,
        )
    )


def test_deleting_a_product_deletes_its_variants_in_the_same_batch_too(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    delete = {"intent": "item/delete", "itemId": PRODUCT}
    task = run(app, tenant, ops_file([shape("mug"), mug(app, tenant), delete]))
    assert task.status == "complete", logs(app, task.id)
    assert variants(app, tenant) == {}
    run(app, tenant, ops_file([mug(app, tenant)], name="b.json"))
    assert list(variants(app, tenant)) == ["mug-1"]
    task = run(app, tenant, ops_file([delete, mug(app, tenant)], name="c.json"))
    assert task.counts == {"item/delete": {"deleted": 1}, "product/upsert": {"created": 1}}
    assert list(variants(app, tenant)) == ["mug-1"]


def shortcuts(app: App, tenant_id: str) -> list[tuple[str, str]]:
    with app.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT item_id, parent_id FROM item_shortcuts WHERE tenant_id = :t"),
            {"t": tenant_id},
        )
        return [(row.item_id, row.parent_id) for row in rows]
