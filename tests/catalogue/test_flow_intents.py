"""`flow/create|update|upsert` and `item/flow/stage/addItems` through the engine,
on SQLite and PostgreSQL, and the export that re-imports to the same rows."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from geode.app import App, create_app
from geode.catalogue.documents import dump
from geode.ids import new_id
from geode.massops.export import write_file
from geode.settings import Settings
from geode.tenants.service import TenantInfo, create_tenant
from geode.tenants.settings import root_item_id
from tests.catalogue.files import logs, run, shape
from tests.catalogue.items import item

NOW = "2024-05-01T12:30:00.000000Z"


def flow(identifier: str, *stages: str, intent: str = "flow/upsert", **fields: Any) -> Any:
    operation = {
        "intent": intent,
        "identifier": identifier,
        "name": identifier.title(),
        "type": "item",
        "stages": [{"identifier": s, "name": s.title()} for s in stages],
        **fields,
    }
    if intent == "flow/update":
        del operation["type"]
    return operation


def add(stage: str, *item_ids: str, **fields: Any) -> dict[str, Any]:
    items = [{"id": i} for i in item_ids]
    return {
        "intent": "item/flow/stage/addItems",
        "stageIdentifier": stage,
        "items": items,
        **fields,
    }


def items(app: App, tenant_id: str, count: int, ids: list[str] | None = None) -> list[str]:
    ids = ids or [new_id() for _ in range(count)]
    with app.engine.begin() as connection:
        root = root_item_id(connection, tenant_id)
        connection.execute(
            sa.text(
                "INSERT INTO shapes (tenant_id, identifier, name, type, components, created_at, "
                "updated_at) VALUES (:t, 'page', 'Page', 'document', :c, :n, :n)"
            ),
            {"t": tenant_id, "c": dump([]), "n": NOW},
        )
        for position, item_id in enumerate(ids):
            connection.execute(
                sa.text(
                    "INSERT INTO items (tenant_id, id, type, shape_identifier, parent_id, position,"
                    " created_at, updated_at) VALUES (:t, :i, 'document', 'page', :r, :p, :n, :n)"
                ),
                {"t": tenant_id, "i": item_id, "r": root, "p": position, "n": NOW},
            )
    return ids


def query(app: App, sql: str, tenant_id: str) -> list[tuple[Any, ...]]:
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text(sql), {"t": tenant_id})]


def stages(app: App, tenant_id: str) -> list[tuple[Any, ...]]:
    return query(
        app,
        "SELECT flow_identifier, identifier, name, position FROM flow_stages "
        "WHERE tenant_id = :t ORDER BY flow_identifier, position",
        tenant_id,
    )


def placed(app: App, tenant_id: str) -> list[tuple[Any, ...]]:
    return query(
        app,
        "SELECT stage_identifier, item_id, language, version FROM flow_stage_items "
        "WHERE tenant_id = :t ORDER BY stage_identifier, position",
        tenant_id,
    )


def test_stages_merge_by_identifier_and_a_rerun_is_unchanged(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    ops = [
        {**flow("editorial", "draft", "review", intent="flow/create"), "_ref": "f"},
        flow("editorial", "done", "draft", intent="flow/update", name="{{ f.name }} 2"),
        flow("legal", "check", meta=[{"key": "team", "value": "law"}]),
    ]
    first = run(app, tenant, ops_file(ops))
    assert first.status == "complete", logs(app, first.id)
    assert first.counts == {
        "flow/create": {"created": 1},
        "flow/update": {"updated": 1},
        "flow/upsert": {"created": 1},
    }
    assert stages(app, tenant.id) == [
        ("editorial", "done", "Done", 0),
        ("editorial", "draft", "Draft", 1),
        ("editorial", "review", "Review", 2),  # absent: kept, after the listed ones
        ("legal", "check", "Check", 0),
    ]
    assert query(app, "SELECT name FROM flows WHERE tenant_id = :t ORDER BY identifier", tenant.id)[
        0
    ] == ("Editorial 2",)
    again = run(app, tenant, ops_file(ops[2:], name="again.json"))
    assert again.counts == {"flow/upsert": {"unchanged": 1}}


def test_failures_name_the_field(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    (item,) = items(app, tenant.id, 1)
    task = run(
        app,
        tenant,
        ops_file(
            [
                flow("a", "shared"),
                flow("b", "other", "shared"),
                flow("a", intent="flow/create"),
                flow("nope", intent="flow/update"),
                add("missing", item),
                add("shared", new_id()),
                add("shared", item, moveFromFlowIdentifier="ghost"),
                {**add("shared"), "items": [{"id": item, "language": "xx"}]},
            ]
        ),
    )
    codes = [(e["status"], e["error_code"]) for e in logs(app, task.id)]
    assert codes == [
        ("success", None),
        ("failure", "stage_of_another_flow"),
        ("failure", "already_exists"),
        ("failure", "not_found"),
        ("failure", "unknown_stage"),
        ("failure", "unknown_item"),
        ("failure", "unknown_flow"),
        ("failure", "unknown_language"),
    ]
    messages = [e["message"] for e in logs(app, task.id)]
    assert "`stages[1].identifier`" in messages[1]
    assert "`items[0].id`" in messages[5]
    assert "`items[0].language`" in messages[7]
    assert stages(app, tenant.id) == [("a", "shared", "Shared", 0)]
    assert placed(app, tenant.id) == []


def test_items_move_between_stages_of_a_flow(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    one, two = items(app, tenant.id, 2)
    setup = [flow("editorial", "draft", "review"), flow("legal", "check")]
    ops = [
        *setup,
        add("draft", one, two),
        add("check", one),
        {**add("review"), "items": [{"id": one, "version": "published"}]},
    ]
    task = run(app, tenant, ops_file(ops))
    assert task.status == "complete", logs(app, task.id)
    assert placed(app, tenant.id) == [
        ("check", one, "en", "draft"),
        ("draft", two, "en", "draft"),
        ("review", one, "en", "published"),  # left draft: one stage per flow
    ]
    moved = run(app, tenant, ops_file([add("review", two, moveFromFlowIdentifier="legal")], "m"))
    assert moved.counts == {"item/flow/stage/addItems": {"updated": 1}}
    again = run(app, tenant, ops_file([add("review", two)], "again.json"))
    assert again.counts == {"item/flow/stage/addItems": {"unchanged": 1}}
    cross = run(app, tenant, ops_file([add("draft", one, moveFromFlowIdentifier="legal")], "x"))
    assert cross.status == "complete"
    assert placed(app, tenant.id) == [
        ("draft", one, "en", "draft"),
        ("review", two, "en", "draft"),
    ]


@pytest.mark.parametrize("batch_size", [50, 1])
def test_items_created_by_the_same_file_go_into_a_stage(
    settings: Settings, tenant: TenantInfo, ops_file: Any, batch_size: int
) -> None:
    """In one batch the stage sees the batch's own items; one operation a batch,
    it sees those of batches written before it (committed or not yet)."""
    one, two, gone = new_id(), new_id(), new_id()
    ops = [
        shape("page", type_="document"),
        flow("editorial", "draft"),
        item("One", "document/upsert", itemId=one),
        item("Two", "document/upsert", itemId=two),
        add("draft", one, two),
        item("Gone", "document/upsert", itemId=gone),
        {"intent": "item/delete", "itemId": gone},
        add("draft", gone),  # deleted earlier in the file: refused
    ]
    app = create_app(settings.model_copy(update={"batch_size": batch_size}), migrate=False)
    try:
        task = run(app, tenant, ops_file(ops))
        statuses = [(e["status"], e["error_code"]) for e in logs(app, task.id)]
        assert statuses == [("success", None)] * 7 + [("failure", "unknown_item")]
        assert placed(app, tenant.id) == [
            ("draft", one, "en", "draft"),
            ("draft", two, "en", "draft"),
        ]
        again = run(app, tenant, ops_file(ops[:5], name="again.json"))
        assert again.status == "complete", logs(app, again.id)
    finally:
        app.close()


def test_validation_limits_items_per_operation(app: App, ops_file: Any) -> None:
    report = app.massops.validate(ops_file([add("draft", *[new_id() for _ in range(51)])]))
    assert [p.path for p in report.problems] == ["$.operations[0].items"]


def test_export_then_import_gives_the_same_flows(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    ids = items(app, tenant.id, 3)
    actions = [{"action": "move", "move": {"targetStageIdentifier": "review"}}]
    ops = [
        flow(
            "editorial",
            "draft",
            "review",
            restrictions={"item": {"acceptedShapeIdentifiers": ["page"]}},
        ),
        flow("editorial", intent="flow/update", stages=[{"identifier": "draft", "name": "D",
                                                          "actions": actions}]),
        add("review", *ids),
    ]  # fmt: skip
    assert run(app, tenant, ops_file(ops)).status == "complete"
    family = app.massops.intents.family_of["flow/upsert"]
    out = io.BytesIO()
    with app.engine.connect() as connection:
        write_file(out, family.export(connection, tenant.id))
    exported = [
        op
        for op in json.loads(out.getvalue())["operations"]
        if op["intent"] in ("flow/upsert", "item/flow/stage/addItems")
    ]
    assert [op["intent"] for op in exported] == ["flow/upsert", "item/flow/stage/addItems"]
    with app.engine.begin() as connection:
        fresh = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
    items(app, fresh.id, 0, ids)  # the same items, as an item export would bring them
    task = run(app, fresh, ops_file(exported, name="export.json"))
    assert task.status == "complete", logs(app, task.id)
    assert stages(app, fresh.id) == stages(app, tenant.id)
    assert placed(app, fresh.id) == placed(app, tenant.id)
    for sql in (
        "SELECT identifier, name, type, restrictions, meta FROM flows WHERE tenant_id = :t",
        "SELECT identifier, actions, meta FROM flow_stages WHERE tenant_id = :t "
        "ORDER BY identifier",
    ):
        assert query(app, sql, fresh.id) == query(app, sql, tenant.id)
    again = run(app, tenant, ops_file(exported, name="again.json"))
    assert again.counts == {
        "flow/upsert": {"unchanged": 1},
        "item/flow/stage/addItems": {"unchanged": 1},
    }


def test_an_item_created_or_deleted_earlier_in_the_same_batch_is_seen(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    """As an exported catalogue has it: the items, then the flows naming them, in
    one batch (the items writer answers, not the store)."""
    new, gone = new_id(), new_id()
    page = {"intent": "shape/upsert", "identifier": "page", "name": "Page", "type": "document"}
    ops = [
        page,
        *[
            {"intent": "document/upsert", "language": "en", "itemId": item_id,
             "name": name, "shapeIdentifier": "page",
             "tree": {"parentId": "{{ defaults.rootItemId }}"}}
            for item_id, name in ((new, "New"), (gone, "Gone"))
        ],
        {"intent": "item/delete", "itemId": gone},
        flow("editorial", "draft"),
        add("draft", new),
        add("draft", gone),
    ]  # fmt: skip
    task = run(app, tenant, ops_file(ops))
    entries = logs(app, task.id)
    assert [e["error_code"] for e in entries] == [None] * 6 + ["unknown_item"], entries
    assert placed(app, tenant.id) == [("draft", new, "en", "draft")]
