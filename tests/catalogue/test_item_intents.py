"""`document/*` and `folder/*` through the engine, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from geode.app import App
from geode.tenants.service import TenantInfo
from tests.catalogue.files import logs, run, shape, single_line
from tests.catalogue.items import item, item_ids, paths, record, root, version

SHAPES = [
    shape("page", type_="document", components=[single_line("title", min=2)]),
    shape("folder", type_="folder"),
]
ITEM_ID = "a" * 24


def test_create_update_upsert_and_a_rerun_that_changes_nothing(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    operations = [
        *SHAPES,
        {**item("News", "folder/create", shape="folder"), "_ref": "news"},
        item(
            "Hello World",
            parent="{{ news.id }}",
            components=[{"componentId": "title", "singleLine": {"text": "Hi there"}}],
            resourceIdentifier="hello",
            externalReference="ext-1",
        ),
        {
            "intent": "document/update",
            "language": "en",
            "resourceIdentifier": "hello",
            "externalReference": "ext-2",
        },
    ]
    first = run(app, tenant, ops_file(operations))
    assert first.status == "complete", logs(app, first.id)
    assert first.counts == {
        "shape/upsert": {"created": 2},
        "folder/create": {"created": 1},
        "document/upsert": {"created": 1},
        "document/update": {"updated": 1},
    }
    entries = logs(app, first.id)
    news_id, hello_id = entries[2]["resource_id"], entries[3]["resource_id"]
    assert paths(app, tenant.id, hello_id) == {"canonical": ["/news/hello-world"]}
    stored = record(app, tenant.id, hello_id)
    assert stored is not None
    assert (stored.parent_id, stored.external_reference) == (news_id, "ext-2")
    draft = version(app, tenant.id, hello_id)
    assert draft is not None and draft.name == "Hello World"
    assert draft.components == [{"componentId": "title", "singleLine": {"text": "Hi there"}}]

    again = [op for op in operations if op["intent"].endswith("upsert")]
    again[-1] = {**again[-1], "tree": {"parentId": news_id}}
    second = run(app, tenant, ops_file(again, name="again.json"))
    assert second.counts == {
        "shape/upsert": {"unchanged": 2},
        "document/upsert": {"updated": 1},  # its externalReference goes back to ext-1
    }
    third = run(app, tenant, ops_file(again, name="third.json"))
    assert third.counts == {"shape/upsert": {"unchanged": 2}, "document/upsert": {"unchanged": 1}}
    assert len(item_ids(app, tenant.id)) == 2


def test_an_upsert_finds_its_item_by_name_under_the_same_parent(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    run(app, tenant, ops_file([*SHAPES, item("About")], name="a.json"))
    task = run(
        app, tenant, ops_file([item("About"), item("About", "folder/upsert", shape="folder")])
    )
    (first, second) = logs(app, task.id)
    assert first["status"] == "success" and task.counts["document/upsert"] == {"unchanged": 1}
    assert (second["status"], second["error_code"]) == ("failure", "wrong_item_type")
    assert len(item_ids(app, tenant.id)) == 1


def test_ids_from_the_file_are_kept_and_create_and_update_fail_as_they_should(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    operations = [
        *SHAPES,
        item("Kept", itemId=ITEM_ID),
        item("Again", "document/create", itemId=ITEM_ID),
        {"intent": "document/update", "language": "en", "itemId": "b" * 24, "name": "X"},
    ]
    task = run(app, tenant, ops_file(operations))
    assert [(e["status"], e["error_code"]) for e in logs(app, task.id)][2:] == [
        ("success", None),
        ("failure", "already_exists"),
        ("failure", "not_found"),
    ]
    assert item_ids(app, tenant.id) == [ITEM_ID]


def test_paths_are_unique_and_a_move_keeps_the_old_path_as_history(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    operations = [
        *SHAPES,
        {**item("Shop", "folder/upsert", shape="folder"), "_ref": "shop"},
        {**item("Blog", "folder/upsert", shape="folder"), "_ref": "blog"},
        item("Mug!", itemId="1" * 24, parent="{{ shop.id }}"),
        item("mug", itemId="2" * 24, parent="{{ shop.id }}"),
        item("Café", itemId="3" * 24, parent="{{ shop.id }}"),
    ]
    task = run(app, tenant, ops_file(operations))
    assert task.status == "complete", logs(app, task.id)
    assert paths(app, tenant.id, "1" * 24) == {"canonical": ["/shop/mug"]}
    assert paths(app, tenant.id, "2" * 24) == {"canonical": ["/shop/mug-2"]}
    assert paths(app, tenant.id, "3" * 24) == {"canonical": ["/shop/cafe"]}
    blog = logs(app, task.id)[3]["resource_id"]
    shop = logs(app, task.id)[2]["resource_id"]
    move = run(
        app,
        tenant,
        ops_file(
            [
                {
                    "intent": "folder/update",
                    "language": "en",
                    "itemId": shop,
                    "tree": {"parentId": blog},
                }
            ],
            name="move.json",
        ),
    )
    assert move.counts == {"folder/update": {"updated": 1}}, logs(app, move.id)
    assert paths(app, tenant.id, "1" * 24) == {
        "canonical": ["/blog/shop/mug"],
        "history": ["/shop/mug"],
    }
    cycle = run(
        app,
        tenant,
        ops_file(
            [
                {
                    "intent": "folder/update",
                    "language": "en",
                    "itemId": blog,
                    "tree": {"parentId": shop},
                }
            ],
            name="cycle.json",
        ),
    )
    assert [e["error_code"] for e in logs(app, cycle.id)] == ["tree_cycle"]
    stored = record(app, tenant.id, blog)
    assert stored is not None and stored.parent_id == root(app, tenant.id)


def test_component_violations_name_their_path(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    operations = [
        *SHAPES,
        item("Short", components=[{"componentId": "title", "singleLine": {"text": "x"}}]),
        item("Unknown", components=[{"componentId": "nope", "singleLine": {"text": "xyz"}}]),
        item("No shape", shape="missing"),
        item("Wrong", shape="folder"),
    ]
    task = run(app, tenant, ops_file(operations))
    failures = [(e["error_code"], e["message"]) for e in logs(app, task.id)][2:]
    assert failures[0][1].startswith("`components[0].singleLine")
    assert failures[1][0] == "unknown_component"
    assert failures[1][1].startswith("`components[0].componentId`")
    assert [code for code, _ in failures[2:]] == ["unknown_shape", "wrong_shape_type"]
    assert item_ids(app, tenant.id) == []


def test_a_language_the_tenant_lacks_and_a_missing_parent_fail(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    task = run(
        app,
        tenant,
        ops_file([*SHAPES, item("Hej", language="sv"), item("Orphan", parent="c" * 24)]),
    )
    assert [e["error_code"] for e in logs(app, task.id)][2:] == [
        "unknown_language",
        "unknown_parent",
    ]


def test_topics_must_exist_and_are_replaced_when_listed(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    topic_id = "7" * 24
    task = run(
        app,
        tenant,
        ops_file(
            [
                *SHAPES,
                {"intent": "topic/upsert", "language": "en", "name": "Red", "topicId": topic_id},
                item("Tagged", "folder/upsert", shape="folder", topicIds=[topic_id]),
                item("Bad", "folder/upsert", shape="folder", topicIds=["8" * 24]),
            ]
        ),
    )
    entries = logs(app, task.id)
    assert [e["error_code"] for e in entries[3:]] == [None, "unknown_topic"]
    assert entries[4]["message"].startswith("`topicIds[0]`")
    with app.engine.connect() as connection:
        linked = connection.execute(
            sa.text("SELECT topic_id FROM item_topics WHERE tenant_id = :t"), {"t": tenant.id}
        ).scalars()
        assert list(linked) == [topic_id]


def test_content_is_checked_when_it_changes_not_when_a_rerun_repeats_it(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    """A re-run does not re-check content it leaves as stored (that was most of a
    re-run's time); content that changes is checked against the shape of today."""
    title = [{"componentId": "title", "singleLine": {"text": "Hi there"}}]
    document = item("Hello", itemId=ITEM_ID, components=title)
    first = run(app, tenant, ops_file([*SHAPES, document]))
    assert first.counts["document/upsert"] == {"created": 1}, logs(app, first.id)
    stricter = shape("page", type_="document", components=[single_line("title", min=20)])
    changed = {**document, "components": [{"componentId": "title", "singleLine": {"text": "Hi"}}]}

    task = run(app, tenant, ops_file([stricter, document, changed], name="again.json"))

    entries = logs(app, task.id)
    assert entries[0]["status"] == "success", entries[0]
    assert (entries[1]["status"], entries[1]["outcome"]) == ("success", "unchanged")
    assert (entries[2]["status"], entries[2]["error_code"]) == ("failure", "too_short")
    assert "components[0].singleLine" in entries[2]["message"]
    draft = version(app, tenant.id, ITEM_ID)
    assert draft is not None and draft.components == title
