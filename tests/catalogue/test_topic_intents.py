"""`topic/create|update|upsert|delete` through the engine, on SQLite and PostgreSQL:
the tree, paths per language, re-runs that change nothing, deletes of subtrees
and their item links, what items ask (`exists`), and the export round trip."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from geode.app import App
from geode.catalogue.intents.batch import CatalogueBatch, CataloguePending
from geode.catalogue.intents.topic_writer import slug
from geode.catalogue.intents.topics import (
    TopicCreate,
    TopicDelete,
    Topics,
    TopicUpdate,
    TopicUpsert,
)
from geode.ids import new_id
from geode.massops.export import write_file
from geode.massops.intents import BatchContext
from geode.tenants.service import TenantInfo, create_tenant
from tests.catalogue.files import logs, run

SHOES = "5f0000000000000000000001"
SANDALS = "5f0000000000000000000002"


def topic(name: str, intent: str = "topic/upsert", **fields: Any) -> dict[str, Any]:
    return {"intent": intent, "language": "en", "name": name, **fields}


def names(app: App, tenant_id: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(topic id, language) -> (name, path)."""
    with app.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT topic_id, language, name, path FROM topic_names WHERE tenant_id = :t"),
            {"t": tenant_id},
        )
        return {(r.topic_id, r.language): (r.name, r.path) for r in rows}


def paths(app: App, tenant_id: str, language: str = "en") -> dict[str, str]:
    """path -> name."""
    return {p: n for (_, lang), (n, p) in names(app, tenant_id).items() if lang == language}


def topics(app: App, tenant_id: str) -> dict[str, dict[str, Any]]:
    with app.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT * FROM topics WHERE tenant_id = :t"), {"t": tenant_id}
        ).mappings()
        return {
            row["id"]: {k: v for k, v in row.items() if k not in ("created_at", "updated_at")}
            for row in rows
        }


def add_language(app: App, tenant_id: str, code: str) -> None:
    with app.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO tenant_languages (tenant_id, code, name, position) "
                "VALUES (:t, :c, :c, 9)"
            ),
            {"t": tenant_id, "c": code},
        )


def test_a_tree_with_children_and_a_rerun_that_changes_nothing(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    operations = [
        {
            **topic(
                "Shoes",
                "topic/create",
                resourceIdentifier="shoes",
                displayColor="#ff0000",
                meta=[{"key": "source", "value": "erp"}],
                children=[
                    {"name": "Summer Sandals", "children": [{"name": "Kids"}]},
                    {"name": "Boots", "pathIdentifier": "winter-boots"},
                ],
            ),
            "_ref": "shoes",
        },
        topic("Slippers", parentId="{{ shoes.id }}", resourceIdentifier="slippers"),
        topic("{{ shoes.name }} care", resourceIdentifier="care"),
    ]
    first = run(app, tenant, ops_file(operations))
    assert first.status == "complete", logs(app, first.id)
    assert first.counts == {"topic/create": {"created": 1}, "topic/upsert": {"created": 2}}
    assert json.loads(logs(app, first.id)[0]["output"]) == {
        "id": logs(app, first.id)[0]["resource_id"],
        "path": "/shoes",
        "name": "Shoes",
    }
    assert paths(app, tenant.id) == {
        "/shoes": "Shoes",
        "/shoes/summer-sandals": "Summer Sandals",
        "/shoes/summer-sandals/kids": "Kids",
        "/shoes/winter-boots": "Boots",
        "/shoes/slippers": "Slippers",
        "/shoes-care": "Shoes care",
    }
    rows = topics(app, tenant.id)
    shoes = next(r for r in rows.values() if r["resource_identifier"] == "shoes")
    assert (shoes["display_color"], json.loads(shoes["meta"])) == (
        "#ff0000",
        [{"key": "source", "value": "erp"}],
    )
    children = sorted(
        (r["position"], r["resource_identifier"])
        for r in rows.values()
        if r["parent_id"] == shoes["id"]
    )
    assert children == [(0, None), (1, None), (2, "slippers")]

    # the same tree again, as upserts: found by resourceIdentifier and by place
    again = [{**operations[0], "intent": "topic/upsert"}, *operations[1:]]
    second = run(app, tenant, ops_file(again, name="again.json"))
    assert second.counts == {"topic/upsert": {"unchanged": 3}}
    assert len(topics(app, tenant.id)) == 6
    third = run(app, tenant, ops_file(operations[:1], name="create.json"))
    assert [e["error_code"] for e in logs(app, third.id)] == ["already_exists"]


def test_upsert_with_a_new_topic_id_creates_it_with_that_id_and_update_changes_fields(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    task = run(
        app,
        tenant,
        ops_file(
            [
                topic("Shoes", topicId=SHOES),
                topic("Sandals", topicId=SANDALS, parentId=SHOES),
                {"intent": "topic/update", "language": "en", "topicId": SHOES, "name": "Footwear"},
                {
                    "intent": "topic/update",
                    "language": "en",
                    "topicId": SANDALS,
                    "displayColor": "blue",
                    "resourceIdentifier": "sandals",
                },
            ]
        ),
    )
    assert task.counts == {"topic/upsert": {"created": 2}, "topic/update": {"updated": 2}}
    assert set(topics(app, tenant.id)) == {SHOES, SANDALS}
    assert paths(app, tenant.id) == {"/footwear": "Footwear", "/footwear/sandals": "Sandals"}
    assert topics(app, tenant.id)[SANDALS]["resource_identifier"] == "sandals"

    moved = run(
        app,
        tenant,
        ops_file(
            [
                {
                    "intent": "topic/update",
                    "language": "en",
                    "resourceIdentifier": "sandals",
                    "parentId": None,
                },
                {"intent": "topic/update", "language": "en", "topicId": new_id(), "name": "X"},
            ],
            name="move.json",
        ),
    )
    assert [(e["outcome"], e["error_code"]) for e in logs(app, moved.id)] == [
        ("updated", None),
        (None, "not_found"),
    ]
    assert paths(app, tenant.id) == {"/footwear": "Footwear", "/sandals": "Sandals"}
    assert (
        topics(app, tenant.id)[SANDALS]["parent_id"],
        topics(app, tenant.id)[SANDALS]["position"],
    ) == (None, 1)


def test_paths_are_unique_per_language_and_follow_renames(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    add_language(app, tenant.id, "no")
    task = run(
        app,
        tenant,
        ops_file(
            [
                topic("Shoes", topicId=SHOES, children=[{"name": "Red"}]),
                topic("Shoes!", resourceIdentifier="other"),  # the same slug
                topic("Sko", "topic/update", topicId=SHOES, language="no"),
                topic("Footwear", "topic/update", topicId=SHOES),
            ]
        ),
    )
    assert task.status == "complete", logs(app, task.id)
    assert paths(app, tenant.id) == {
        "/footwear": "Footwear",
        "/footwear/red": "Red",
        "/shoes-2": "Shoes!",  # kept: a path changes only with its topic's place or name
    }
    # the child has no Norwegian name: its parent has, so it has no path in it
    assert paths(app, tenant.id, "no") == {"/sko": "Sko"}
    assert slug("Été à Paris, 2024!") == "été-à-paris-2024"


def test_failures_name_the_field_and_change_nothing(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    run(
        app,
        tenant,
        ops_file([topic("Shoes", topicId=SHOES, children=[{"name": "Red"}])], name="a.json"),
    )
    red = next(i for i, r in topics(app, tenant.id).items() if r["parent_id"] == SHOES)
    task = run(
        app,
        tenant,
        ops_file(
            [
                topic("Bags", language="xx", resourceIdentifier="bags"),
                topic("Bags", parentId=SANDALS, resourceIdentifier="bags"),
                topic("Shoes", "topic/update", topicId=SHOES, parentId=red),
                topic("Bags", resourceIdentifier="bags", children=[{"name": "A"}, {"name": "A"}]),
                topic("Red", topicId=red, resourceIdentifier="taken"),
                topic("Shoes", "topic/update", topicId=SHOES, resourceIdentifier="taken"),
            ]
        ),
    )
    entries = logs(app, task.id)
    assert [e["error_code"] for e in entries] == [
        "unknown_language",
        "unknown_parent",
        "topic_cycle",
        "duplicate_child",
        None,
        "resource_identifier_taken",
    ]
    assert "`language`" in entries[0]["message"]
    assert "`parentId`" in entries[1]["message"]
    assert "`children[1].name`" in entries[3]["message"]
    assert len(topics(app, tenant.id)) == 2
    assert topics(app, tenant.id)[SHOES]["parent_id"] is None


def test_delete_removes_the_subtree_and_its_item_links(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    tree = [
        topic("Shoes", topicId=SHOES, children=[{"name": "Red", "children": [{"name": "Dark"}]}]),
        topic("Bags", resourceIdentifier="bags"),
        topic("Hats", resourceIdentifier="hats"),
    ]
    run(app, tenant, ops_file(tree, name="a.json"))
    red = next(i for i, r in topics(app, tenant.id).items() if r["parent_id"] == SHOES)
    item_id = new_id()
    with app.engine.begin() as connection:
        root = connection.execute(
            sa.text("SELECT root_item_id FROM tenants WHERE id = :t"), {"t": tenant.id}
        ).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO shapes (tenant_id, identifier, name, type, components, created_at,"
                " updated_at) VALUES (:t, 'p', 'P', 'product', '[]', :n, :n)"
            ),
            {"t": tenant.id, "n": "2024-05-01T00:00:00Z"},
        )
        connection.execute(
            sa.text(
                "INSERT INTO items (tenant_id, id, type, shape_identifier, parent_id, position,"
                " created_at, updated_at) VALUES (:t, :i, 'product', 'p', :r, 0, :n, :n)"
            ),
            {"t": tenant.id, "i": item_id, "r": root, "n": "2024-05-01T00:00:00Z"},
        )
        for position, topic_id in enumerate((red, SHOES)):
            connection.execute(
                sa.text(
                    "INSERT INTO item_topics (tenant_id, item_id, topic_id, position)"
                    " VALUES (:t, :i, :p, :n)"
                ),
                {"t": tenant.id, "i": item_id, "p": topic_id, "n": position},
            )
    deletes = [
        {"intent": "topic/delete", "topicId": SHOES, "_ref": "gone"},
        {"intent": "topic/delete", "resourceIdentifier": "bags"},
    ]
    task = run(app, tenant, ops_file(deletes))
    assert task.counts == {"topic/delete": {"deleted": 2}}
    assert json.loads(logs(app, task.id)[0]["output"]) == {
        "id": SHOES,
        "deletedTopics": 3,
        "deletedItemLinks": 2,
    }
    rows = topics(app, tenant.id)
    assert [(r["resource_identifier"], r["position"]) for r in rows.values()] == [("hats", 0)]
    assert paths(app, tenant.id) == {"/hats": "Hats"}
    with app.engine.connect() as connection:
        links = connection.execute(
            sa.text("SELECT count(*) FROM item_topics WHERE tenant_id = :t"), {"t": tenant.id}
        ).scalar_one()
    assert links == 0
    again = run(app, tenant, ops_file(deletes, name="again.json"))
    assert again.counts == {"topic/delete": {"unchanged": 2}}
    # made again with the id it had, in one file with its delete
    back = run(app, tenant, ops_file([tree[0], deletes[0], tree[0]], name="back.json"))
    assert back.counts == {"topic/upsert": {"created": 2}, "topic/delete": {"deleted": 1}}
    assert set(paths(app, tenant.id)) == {"/hats", "/shoes", "/shoes/red", "/shoes/red/dark"}


def test_exists_sees_stored_pending_and_earlier_topics(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    run(app, tenant, ops_file([topic("Shoes", topicId=SHOES)], name="a.json"))
    pending = CataloguePending()
    missing = new_id()
    with app.engine.connect() as connection:
        context = BatchContext(connection, tenant.id, "2024-05-01T00:00:00.000000Z")
        first = CatalogueBatch(context, pending)
        first.topics.prefetch_ids([SHOES, missing, SANDALS])
        assert (first.topics.exists(SHOES), first.topics.exists(missing)) == (True, False)
        Topics().apply(first, TopicUpsert(topicId=SANDALS, language="en", name="Sandals"))
        assert first.topics.exists(SANDALS)
        Topics().apply(first, TopicDelete(topicId=SHOES))
        assert not first.topics.exists(SHOES)
        first.record(1)
        second = CatalogueBatch(context, pending)  # batch 1 is not committed yet
        second.topics.prefetch_ids([SHOES, SANDALS])
        assert (second.topics.exists(SHOES), second.topics.exists(SANDALS)) == (False, True)
        pending.committed(1)
        third = CatalogueBatch(context, pending)
        assert third.topics.exists(SHOES) and not third.topics.exists(SANDALS)


def test_provides_and_needs() -> None:
    kind = Topics()
    upsert = TopicUpsert(
        topicId=SHOES, resourceIdentifier="shoes", language="en", name="S", parentId=SANDALS
    )
    assert kind.provides(upsert) == [f"topic:{SHOES}", "topic-ri:shoes"]
    assert kind.needs(upsert) == [f"topic:{SANDALS}"]
    create = TopicCreate(language="en", name="S", parentId="{{ a.id }}")
    assert (kind.provides(create), kind.needs(create)) == ([], [])
    update = TopicUpdate(resourceIdentifier="shoes", language="en", parentId=SANDALS)
    assert (kind.provides(update), kind.needs(update)) == (
        [],
        ["topic-ri:shoes", f"topic:{SANDALS}"],
    )
    delete = TopicDelete(topicId=SHOES)
    assert (kind.provides(delete), kind.needs(delete)) == ([], [f"topic:{SHOES}"])


def test_validate_needs_an_id_or_resource_identifier(app: App, ops_file: Any) -> None:
    report = app.massops.validate(
        ops_file(
            [
                {"intent": "topic/update", "language": "en", "name": "X"},
                {"intent": "topic/upsert", "language": "en", "name": "X"},
                {"intent": "topic/delete"},
                topic("X", "topic/create", children=[{"name": "Y", "children": [{}]}]),
                topic("X", "topic/create", topicId=SHOES),  # create takes no topicId
            ]
        )
    )
    assert {p.index for p in report.problems} == {0, 1, 2, 3, 4}


def test_export_then_import_into_a_fresh_tenant_gives_the_same_tree(
    app: App, tenant: TenantInfo, ops_file: Any, tmp_path: Path
) -> None:
    add_language(app, tenant.id, "no")
    source = [
        topic(
            "Shoes",
            topicId=SHOES,
            displayColor="red",
            meta=[{"key": "k", "value": "v"}],
            children=[{"name": "Sandals", "pathIdentifier": "sandaler"}, {"name": "Boots"}],
        ),
        topic("Sko", "topic/update", topicId=SHOES, language="no"),
        topic("Bags", resourceIdentifier="bags"),
        topic("Clogs", parentId=SHOES, resourceIdentifier="clogs"),
        {"intent": "topic/delete", "resourceIdentifier": "bags"},
        topic("Hats", resourceIdentifier="hats"),
    ]
    assert run(app, tenant, ops_file(source)).status == "complete"
    family = app.massops.intents.family_of["topic/upsert"]
    out = io.BytesIO()
    with app.engine.connect() as connection:
        count = write_file(out, family.export(connection, tenant.id))
    assert count == 6  # 5 topics, Shoes in two languages
    exported = tmp_path / "export.json"
    exported.write_bytes(out.getvalue())

    with app.engine.begin() as connection:
        fresh = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
    add_language(app, fresh.id, "no")
    task = run(app, fresh, exported)
    assert task.status == "complete", logs(app, task.id)

    def tree(tenant_id: str) -> Any:
        rows = topics(app, tenant_id)
        for row in rows.values():
            row.pop("tenant_id")
        return rows, {k: v for k, v in names(app, tenant_id).items()}

    assert tree(fresh.id) == tree(tenant.id)
    again = run(app, tenant, exported)
    assert again.counts == {"topic/upsert": {"unchanged": 6}}
