"""`item/paths/*` (aliases, history, shortcuts), positions and the keys items
declare for ordering, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa

from geode.app import App
from geode.catalogue.intents.family import KINDS
from geode.catalogue.intents.items import DocumentUpsert, Items
from geode.tenants.service import TenantInfo
from tests.catalogue.files import logs, run, shape
from tests.catalogue.items import item, paths

A, B, FOLDER = "a" * 24, "b" * 24, "f" * 24
BASE = [
    shape("page", type_="document"),
    shape("folder", type_="folder"),
    item("Folder", "folder/upsert", shape="folder", itemId=FOLDER),
    item("A", itemId=A),
    item("B", itemId=B),
]


def paths_op(intent: str, item_id: str, *values: str) -> dict[str, Any]:
    return {"intent": intent, "itemId": item_id, "language": "en", "paths": list(values)}


def test_aliases_and_history_add_set_remove_and_a_taken_path_fails(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    task = run(
        app,
        tenant,
        ops_file(
            [
                *BASE,
                paths_op("item/paths/addAliases", A, "/x", "/y"),
                paths_op("item/paths/addAliases", A, "/x"),
                paths_op("item/paths/setAliases", A, "/y", "/z"),
                paths_op("item/paths/removeAliases", A, "/z"),
                paths_op("item/paths/addHistory", A, "/old"),
                paths_op("item/paths/addAliases", B, "/y"),
                paths_op("item/paths/addAliases", B, "/b"),
                paths_op("item/paths/setHistory", A),
            ]
        ),
    )
    outcomes = [(e["outcome"] or e["error_code"]) for e in logs(app, task.id)][5:]
    assert outcomes == [
        "updated",
        "unchanged",
        "updated",
        "updated",
        "updated",
        "path_taken",
        "path_taken",  # B's own canonical path
        "updated",
    ]
    assert paths(app, tenant.id, A) == {"alias": ["/y"], "canonical": ["/a"]}


def test_shortcuts_add_set_and_remove(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    operations = [
        *BASE,
        {"intent": "item/paths/addShortcuts", "itemId": A, "shortcuts": [{"parentId": FOLDER}]},
        {
            "intent": "item/paths/setShortcuts",
            "itemId": B,
            "shortcuts": [{"parentId": FOLDER, "position": 3}, {"parentId": "c" * 24}],
        },
        {"intent": "item/paths/removeShortcuts", "itemId": A, "parentIds": [FOLDER]},
    ]
    task = run(app, tenant, ops_file(operations))
    entries = logs(app, task.id)[5:]
    assert [(e["outcome"] or e["error_code"]) for e in entries] == [
        "updated",
        "unknown_parent",
        "updated",
    ]
    assert entries[1]["message"].startswith("`shortcuts[1].parentId`")
    task = run(app, tenant, ops_file([operations[5]], name="again.json"))
    with app.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT item_id, parent_id FROM item_shortcuts WHERE tenant_id = :t"),
            {"t": tenant.id},
        ).all()
    assert [tuple(row) for row in rows] == [(A, FOLDER)]


def test_positions_default_to_last_and_are_kept(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    operations = [
        *BASE,
        item("C", itemId="c" * 24, tree={"parentId": FOLDER, "position": 7}),
        item("D", itemId="d" * 24, parent=FOLDER),
    ]
    task = run(app, tenant, ops_file(operations))
    assert task.status == "complete", logs(app, task.id)
    with app.engine.connect() as connection:
        positions = dict(
            connection.execute(
                sa.text("SELECT id, position FROM items WHERE tenant_id = :t"), {"t": tenant.id}
            ).all()
        )
    assert positions[A] == positions[FOLDER] + 1 and positions[B] == positions[A] + 1
    assert (positions["c" * 24], positions["d" * 24]) == (7, 8)
    assert paths(app, tenant.id, "d" * 24) == {"canonical": ["/folder/d"]}


def test_items_provide_and_need_record_keys() -> None:
    kind = next(k for k in KINDS if isinstance(k, Items))
    op = msgspec.convert(
        {
            "intent": "document/upsert",
            "itemId": A,
            "resourceIdentifier": "home",
            "language": "en",
            "name": "Home",
            "shapeIdentifier": "page",
            "tree": {"parentId": FOLDER},
            "topicIds": ["1" * 24, "{{ t.id }}"],
            "components": [
                {
                    "componentId": "chunk",
                    "contentChunk": {
                        "chunks": [
                            [
                                {
                                    "componentId": "rel",
                                    "itemRelations": {"itemIds": [B], "skus": ["mug-1"]},
                                }
                            ]
                        ]
                    },
                }
            ],
        },
        DocumentUpsert,
    )
    assert kind.provides(op) == [f"item:{A}", "item-ri:home"]
    assert kind.needs(op) == [
        "shape:page",
        f"item:{FOLDER}",
        f"topic:{'1' * 24}",
        f"item:{B}",
        "sku:mug-1",
    ]


def test_many_batches_see_each_other_and_a_rerun_changes_nothing(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    """Test settings write 50 operations a batch: later batches see earlier ones
    while those are still pending."""
    operations: list[dict[str, Any]] = [*BASE]
    for n in range(60):
        operations.append(item("Same", "folder/upsert", shape="folder", itemId=f"{n:024x}"))
        operations.append(item(f"Child {n}", parent=f"{n:024x}"))
    first = run(app, tenant, ops_file(operations))
    assert first.status == "complete", [e for e in logs(app, first.id) if e["error_code"]][:3]
    assert paths(app, tenant.id, f"{0:024x}") == {"canonical": ["/same"]}
    assert paths(app, tenant.id, f"{59:024x}") == {"canonical": ["/same-60"]}
    assert paths(app, tenant.id, f"{1:024x}") == {"canonical": ["/same-2"]}
    again = run(app, tenant, ops_file(operations, name="again.json"))
    assert again.counts["document/upsert"] == {"unchanged": 62}
    assert again.counts["folder/upsert"] == {"unchanged": 61}
    with app.engine.connect() as connection:
        count = connection.execute(
            sa.text("SELECT count(*) FROM items WHERE tenant_id = :t"), {"t": tenant.id}
        ).scalar()
    assert count == 123


def test_only_creating_upserting_and_deleting_provide_the_item() -> None:
    by_tag = {
        struct.__struct_config__.tag: (kind, struct) for kind in KINDS for struct in kind.operations
    }
    locator = {"itemId": A, "language": "en"}
    cases = {
        "item/delete": ({"itemId": A}, [f"item:{A}"], []),
        "item/publish": (locator, [], [f"item:{A}"]),
        "document/update": ({**locator, "tree": {"parentId": B}}, [], [f"item:{A}", f"item:{B}"]),
        "item/paths/addShortcuts": (
            {"itemId": A, "shortcuts": [{"parentId": B}]},
            [],
            [f"item:{A}", f"item:{B}"],
        ),
    }
    for tag, (fields, provides, needs) in cases.items():
        kind, struct = by_tag[tag]
        op = msgspec.convert(fields, struct)
        assert (kind.provides(op), kind.needs(op)) == (provides, needs), tag
