"""`image/register` through the engine, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

from geode.app import App
from geode.massops.export import write_file
from geode.tenants.service import TenantInfo, create_tenant
from tests.catalogue.files import logs, run


def images(app: App, tenant_id: str) -> list[tuple[Any, ...]]:
    with app.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.exec_driver_sql(
                "SELECT key, language, resource_identifier, stored_path FROM images "
                f"WHERE tenant_id = '{tenant_id}' ORDER BY key"
            )
        ]


def test_register_is_idempotent_and_keeps_what_is_absent(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    ops = [
        {"intent": "image/register", "key": "a.jpg", "language": "en", "_ref": "a"},
        {"intent": "image/register", "key": "{{ a.key }}-2", "resourceIdentifier": "two"},
        {"intent": "image/register", "key": "a.jpg"},
    ]
    first = run(app, tenant, ops_file(ops))
    assert first.status == "complete", logs(app, first.id)
    assert first.counts == {"image/register": {"created": 2, "unchanged": 1}}
    assert images(app, tenant.id) == [
        ("a.jpg", "en", None, None),
        ("a.jpg-2", None, "two", None),
    ]
    again = run(app, tenant, ops_file(ops, name="again.json"))
    assert again.counts == {"image/register": {"unchanged": 3}}
    changed = run(
        app,
        tenant,
        ops_file([{"intent": "image/register", "key": "a.jpg", "resourceIdentifier": "a"}], "c"),
    )
    assert changed.counts == {"image/register": {"updated": 1}}
    assert images(app, tenant.id)[0] == ("a.jpg", "en", "a", None)


def test_an_unknown_language_fails_naming_the_field(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    task = run(app, tenant, ops_file([{"intent": "image/register", "key": "a", "language": "xx"}]))
    (entry,) = logs(app, task.id)
    assert (entry["status"], entry["error_code"]) == ("failure", "unknown_language")
    assert "`language`" in entry["message"]
    assert images(app, tenant.id) == []


def test_export_reimports_to_the_same_rows(
    app: App, tenant: TenantInfo, ops_file: Any, tmp_path: Path
) -> None:
    ops = [
        {"intent": "image/register", "key": "b.jpg", "language": "en", "resourceIdentifier": "b"},
        {"intent": "image/register", "key": "a.jpg"},
    ]
    assert run(app, tenant, ops_file(ops)).status == "complete"
    family = app.massops.intents.family_of["image/register"]
    out = io.BytesIO()
    with app.engine.connect() as connection:
        exported = [
            op
            for op in json.loads(
                (write_file(out, family.export(connection, tenant.id)), out.getvalue())[1]
            )["operations"]
            if op["intent"] == "image/register"
        ]
    assert [op["key"] for op in exported] == ["a.jpg", "b.jpg"]
    with app.engine.begin() as connection:
        fresh = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
    task = run(app, fresh, ops_file(exported, name="export.json"))
    assert task.status == "complete", logs(app, task.id)
    assert images(app, fresh.id) == images(app, tenant.id)


def test_a_long_key_is_registered_on_every_database(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    """Keys of uploaded files are ~150 characters; the log's id column holds 24."""
    key = f"{tenant.identifier}/ab/{'ab' * 32}/a-long-file-name.jpg"
    task = run(app, tenant, ops_file([{"intent": "image/register", "key": key}]))
    assert task.status == "complete", logs(app, task.id)
    assert images(app, tenant.id) == [(key, None, None, None)]
