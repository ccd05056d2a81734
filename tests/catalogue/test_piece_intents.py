"""`piece/create|update|upsert` through the engine, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from geode.app import App
from geode.tenants.service import TenantInfo
from tests.catalogue.files import logs, piece, piece_component, run, single_line, stored


def test_create_update_upsert_and_a_rerun_that_changes_nothing(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file(
        [
            piece("seo", "piece/create", components=[single_line("title")]),
            piece("seo", "piece/update", components=[single_line("title"), single_line("slug")]),
            {**piece("dims"), "_ref": "dims"},
            {**piece("{{ dims.identifier }}-copy"), "name": "Dims copy"},
        ]
    )
    first = run(app, tenant, path)
    assert first.status == "complete", logs(app, first.id)
    assert first.counts == {
        "piece/create": {"created": 1},
        "piece/update": {"updated": 1},
        "piece/upsert": {"created": 2},
    }
    rows = stored(app, "pieces", tenant.id)
    assert [(r["identifier"], r["name"]) for r in rows] == [
        ("dims", "Dims"),
        ("dims-copy", "Dims copy"),
        ("seo", "Seo"),
    ]
    assert [c["id"] for c in json.loads(rows[2]["components"])] == ["title", "slug"]
    assert logs(app, first.id)[2]["output"] is not None

    second = run(
        app,
        tenant,
        ops_file(
            [piece("seo", components=[single_line("title"), single_line("slug")])], name="b.json"
        ),
    )
    assert second.counts == {"piece/upsert": {"unchanged": 1}}


def test_create_of_an_existing_piece_and_update_of_a_missing_one_fail_alone(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    run(app, tenant, ops_file([piece("seo")], name="a.json"))
    task = run(
        app,
        tenant,
        ops_file([piece("seo", "piece/create"), piece("nope", "piece/update"), piece("ok")]),
    )
    assert task.status == "completeWithErrors"
    codes = [(entry["status"], entry["error_code"]) for entry in logs(app, task.id)]
    assert codes == [("failure", "already_exists"), ("failure", "not_found"), ("success", None)]


def test_absent_components_are_kept_and_null_empties_them(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    run(app, tenant, ops_file([piece("seo", components=[single_line("title")])], name="a.json"))
    renamed = run(app, tenant, ops_file([{**piece("seo"), "name": "SEO"}], name="b.json"))
    assert renamed.counts == {"piece/upsert": {"updated": 1}}
    assert json.loads(stored(app, "pieces", tenant.id)[0]["components"])[0]["id"] == "title"
    run(app, tenant, ops_file([piece("seo", components=None)], name="c.json"))
    assert stored(app, "pieces", tenant.id)[0]["components"] == "[]"


def test_a_piece_holding_a_missing_piece_fails_naming_where(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    task = run(
        app,
        tenant,
        ops_file(
            [
                piece("inner"),
                piece("outer", components=[single_line("a"), piece_component("b", "inner")]),
                piece("broken", components=[piece_component("x", "missing")]),
            ]
        ),
    )
    entries = logs(app, task.id)
    assert [e["status"] for e in entries] == ["success", "success", "failure"]
    assert entries[2]["error_code"] == "unknown_piece"
    assert "components[0].config.piece.identifier" in entries[2]["message"]
    assert "'missing'" in entries[2]["message"]
