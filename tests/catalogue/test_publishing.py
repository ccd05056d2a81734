"""`item/publish`, `item/unpublish`, `item/delete`, `item/updateComponent/item`
through the engine, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from geode.app import App
from geode.tenants.service import TenantInfo
from tests.catalogue.files import logs, run, shape, single_line
from tests.catalogue.items import item, item_ids, paths, version

FOLDER, CHILD, GRANDCHILD = "f" * 24, "c" * 24, "d" * 24
TREE = [
    shape("page", type_="document", components=[single_line("title", required=True)]),
    shape("folder", type_="folder"),
    item("Top", "folder/upsert", shape="folder", itemId=FOLDER),
    item("Sub", "folder/upsert", shape="folder", itemId=CHILD, parent=FOLDER),
    item(
        "Leaf",
        itemId=GRANDCHILD,
        parent=CHILD,
        components=[{"componentId": "title", "singleLine": {"text": "Leaf"}}],
    ),
]


def publishing(intent: str, item_id: str, **fields: Any) -> dict[str, Any]:
    return {"intent": intent, "itemId": item_id, "language": "en", **fields}


def test_publish_with_descendants_then_unpublish(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    task = run(
        app,
        tenant,
        ops_file(
            [
                *TREE,
                {**publishing("item/publish", FOLDER, includeDescendants=True), "_ref": "p"},
                {
                    "intent": "item/updateComponent/item",
                    "itemId": GRANDCHILD,
                    "language": "{{ p.language }}",
                    "component": {"componentId": "title", "singleLine": {"text": "New"}},
                },
            ]
        ),
    )
    assert task.status == "complete", logs(app, task.id)
    assert task.counts["item/publish"] == {"updated": 1}
    published = version(app, tenant.id, GRANDCHILD, kind="published")
    draft = version(app, tenant.id, GRANDCHILD)
    assert published is not None and draft is not None
    assert published.components == [{"componentId": "title", "singleLine": {"text": "Leaf"}}]
    assert draft.components == [{"componentId": "title", "singleLine": {"text": "New"}}]

    again = run(
        app,
        tenant,
        ops_file(
            [
                publishing("item/publish", FOLDER, includeDescendants=True),
                publishing("item/publish", FOLDER),
                publishing("item/unpublish", CHILD),
                publishing("item/unpublish", CHILD),
            ],
            name="again.json",
        ),
    )
    assert [e["outcome"] for e in logs(app, again.id)] == [
        "updated",  # the leaf's new draft
        "unchanged",
        "updated",
        "unchanged",
    ]
    assert version(app, tenant.id, CHILD, kind="published") is None
    assert version(app, tenant.id, FOLDER, kind="published") is not None


def test_a_component_update_is_checked_and_publish_needs_a_draft(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    task = run(
        app,
        tenant,
        ops_file(
            [
                *TREE,
                {
                    "intent": "item/updateComponent/item",
                    "itemId": GRANDCHILD,
                    "language": "en",
                    "component": {"componentId": "title", "singleLine": None},
                },
                {
                    "intent": "item/updateComponent/item",
                    "itemId": GRANDCHILD,
                    "language": "en",
                    "component": {"componentId": "nope", "singleLine": {"text": "x"}},
                },
                publishing("item/publish", "e" * 24),
            ]
        ),
    )
    assert [e["error_code"] for e in logs(app, task.id)][5:] == [
        "required_component",
        "unknown_component",
        "not_found",
    ]


def test_delete_removes_the_subtree_and_a_rerun_changes_nothing(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    other = item("Other", "folder/upsert", shape="folder", itemId="e" * 24)
    run(app, tenant, ops_file([*TREE, other], name="a.json"))
    delete = [{"intent": "item/delete", "itemId": CHILD}]
    task = run(app, tenant, ops_file(delete))
    assert task.counts == {"item/delete": {"deleted": 1}}, logs(app, task.id)
    assert item_ids(app, tenant.id) == ["e" * 24, FOLDER]
    assert paths(app, tenant.id, GRANDCHILD) == {}
    again = run(app, tenant, ops_file(delete, name="again.json"))
    assert again.counts == {"item/delete": {"unchanged": 1}}
    # The freed path can be taken again, in the same batch as a delete too.
    task = run(
        app,
        tenant,
        ops_file(
            [
                item("Sub", "folder/upsert", shape="folder", itemId=CHILD, parent=FOLDER),
                {"intent": "item/delete", "itemId": CHILD},
                item("Sub", "folder/upsert", shape="folder", parent=FOLDER),
            ],
            name="b.json",
        ),
    )
    assert task.status == "complete", logs(app, task.id)
    new_id = logs(app, task.id)[2]["resource_id"]
    assert paths(app, tenant.id, new_id) == {"canonical": ["/top/sub"]}
