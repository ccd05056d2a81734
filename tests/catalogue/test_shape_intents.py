"""`shape/create|update|upsert` through the engine, on SQLite and PostgreSQL, and
the export of shapes and pieces that re-imports to the same rows."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

from geode.app import App
from geode.massops.export import write_file
from geode.tenants.service import TenantInfo, create_tenant
from tests.catalogue.files import logs, piece, piece_component, run, shape, single_line, stored
from tests.conftest import WriteOps

META = {"key": "owner", "value": "web team"}


def test_create_update_upsert_and_a_rerun_that_changes_nothing(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    operations = [
        shape("mug", "shape/create", components=[single_line("title")], meta=META),
        shape(
            "mug",
            "shape/update",
            type_=None,
            variantComponents=[single_line("colour")],
        ),
        {**shape("page", type_="document"), "_ref": "page"},
        {**shape("folder", type_="folder"), "name": "{{ page.name }} folder"},
    ]
    first = run(app, tenant, ops_file(operations))
    assert first.status == "complete", logs(app, first.id)
    assert first.counts == {
        "shape/create": {"created": 1},
        "shape/update": {"updated": 1},
        "shape/upsert": {"created": 2},
    }
    rows = {row["identifier"]: row for row in stored(app, "shapes", tenant.id)}
    assert rows["folder"]["name"] == "Page folder"
    mug = rows["mug"]
    assert (mug["type"], json.loads(mug["meta"])) == ("product", META)
    assert [c["id"] for c in json.loads(mug["components"])] == ["title"]  # kept: absent
    assert [c["id"] for c in json.loads(mug["variant_components"])] == ["colour"]
    assert logs(app, first.id)[2]["resource_id"] == "page"

    again = [op for op in operations if op["intent"] == "shape/upsert"]
    second = run(app, tenant, ops_file(again, name="again.json"))
    assert second.counts == {"shape/upsert": {"unchanged": 2}}


def test_listed_components_replace_the_stored_list(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    run(app, tenant, ops_file([shape("mug", components=[single_line("a"), single_line("b")])]))
    task = run(app, tenant, ops_file([shape("mug", components=[single_line("c")])], name="b.json"))
    assert task.counts == {"shape/upsert": {"updated": 1}}
    assert [c["id"] for c in json.loads(stored(app, "shapes", tenant.id)[0]["components"])] == ["c"]


def test_create_of_an_existing_shape_and_update_of_a_missing_one_fail_alone(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    run(app, tenant, ops_file([shape("mug")], name="a.json"))
    task = run(
        app,
        tenant,
        ops_file([shape("mug", "shape/create"), shape("cup", "shape/update", type_=None)]),
    )
    assert [(e["status"], e["error_code"]) for e in logs(app, task.id)] == [
        ("failure", "already_exists"),
        ("failure", "not_found"),
    ]


def test_a_shape_keeps_its_type(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    run(app, tenant, ops_file([shape("mug")], name="a.json"))
    task = run(app, tenant, ops_file([shape("mug", type_="folder", name="Mug folder")]))
    (entry,) = logs(app, task.id)
    assert (entry["status"], entry["error_code"]) == ("failure", "shape_type_change")
    assert "product" in entry["message"]
    assert stored(app, "shapes", tenant.id)[0]["type"] == "product"
    assert stored(app, "shapes", tenant.id)[0]["name"] == "Mug"


def test_a_shape_may_use_a_piece_created_earlier_in_the_file_or_stored(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    run(app, tenant, ops_file([piece("stored")], name="a.json"))
    task = run(
        app,
        tenant,
        ops_file(
            [
                piece("seo", components=[single_line("title")]),
                shape(
                    "mug",
                    components=[piece_component("seo", "seo")],
                    variantComponents=[piece_component("extra", "stored")],
                ),
            ]
        ),
    )
    assert task.status == "complete", logs(app, task.id)


def test_a_shape_naming_a_missing_piece_fails_naming_where(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    chunk = {
        "id": "specs",
        "name": "Specs",
        "type": "contentChunk",
        "config": {"contentChunk": {"components": [piece_component("dims", "dimensions")]}},
    }
    task = run(
        app,
        tenant,
        ops_file(
            [
                shape("mug", components=[single_line("title"), chunk]),
                shape("cup", variantComponents=[piece_component("p", "nope")]),
            ]
        ),
    )
    first, second = logs(app, task.id)
    assert (first["error_code"], second["error_code"]) == ("unknown_piece", "unknown_piece")
    assert (
        "`components[1].config.contentChunk.components[0].config.piece.identifier`"
        in first["message"]
    )
    assert "`variantComponents[0].config.piece.identifier`" in second["message"]
    assert stored(app, "shapes", tenant.id) == []


def test_a_piece_later_in_the_file_than_the_shape_using_it(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    task = run(
        app,
        tenant,
        ops_file([shape("mug", components=[piece_component("seo", "seo")]), piece("seo")]),
    )
    assert task.status == "complete", logs(app, task.id)
    assert [(e["idx"], e["status"]) for e in logs(app, task.id)] == [(0, "success"), (1, "success")]


def test_validate_reports_bad_definitions_with_their_paths(app: App, ops_file: Any) -> None:
    path = ops_file(
        [
            shape("mug", components=[{"id": "x", "name": "X", "type": "sparkles"}]),
            shape("cup", components=[single_line("title", min=5, max=2)]),
            shape("jug", "shape/update", type_="product"),
            piece("fine"),
            piece("x"),  # identifiers are 2 to 64 characters
        ]
    )
    report = app.massops.validate(path)
    problems = {(p.index, p.path) for p in report.problems}
    assert (0, "$.operations[0].components[0].type") in problems
    assert any(index == 1 and "components[0]" in where for index, where in problems), problems
    assert (2, "$.operations[2].type") in problems  # shape/update takes no type
    assert not any(index == 3 for index, _ in problems)
    assert (4, "$.operations[4].identifier") in problems


def test_export_then_import_into_a_fresh_tenant_gives_the_same_rows(
    app: App, tenant: TenantInfo, ops_file: Any, tmp_path: Path
) -> None:
    source = ops_file(
        [
            piece("b-inner", components=[single_line("title", min=1, max=80)]),
            piece("a-outer", components=[piece_component("inner", "b-inner")]),
            shape(
                "mug",
                components=[piece_component("outer", "a-outer")],
                variantComponents=[single_line("colour")],
                meta=META,
            ),
            shape("page", type_="document"),
        ]
    )
    assert run(app, tenant, source).status == "complete"
    family = app.massops.intents.family_of["shape/upsert"]
    out = io.BytesIO()
    with app.engine.connect() as connection:
        count = write_file(out, family.export(connection, tenant.id))
    assert count == 4
    exported = tmp_path / "export.json"
    exported.write_bytes(out.getvalue())
    assert [op["identifier"] for op in json.loads(out.getvalue())["operations"]] == [
        "b-inner",  # before the piece that holds it
        "a-outer",
        "mug",
        "page",
    ]

    with app.engine.begin() as connection:
        fresh = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
    task = run(app, fresh, exported)
    assert task.status == "complete", logs(app, task.id)
    for table in ("pieces", "shapes"):
        assert stored(app, table, fresh.id) == stored(app, table, tenant.id)
    again = run(app, tenant, exported)
    assert again.counts == {"piece/upsert": {"unchanged": 2}, "shape/upsert": {"unchanged": 2}}


def test_a_long_identifier_is_logged_under_its_key(
    app: App, tenant: TenantInfo, ops_file: WriteOps
) -> None:
    """The log's resource id is 24 characters wide (a record id): a shape known by a
    longer identifier still applies, on PostgreSQL too, and its log names it by key."""
    identifier = "a-shape-identifier-much-longer-than-a-record-id"
    task = run(app, tenant, ops_file([shape(identifier), shape("short")]))
    assert task.status == "complete", logs(app, task.id)
    entries = logs(app, task.id)
    assert [(e["key"], e["resource_id"]) for e in entries] == [
        (identifier, None),
        ("short", "short"),
    ]
