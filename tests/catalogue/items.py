"""Item operations and reads of the stored tree, shared by the item tests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from geode.app import App
from geode.catalogue import queries
from geode.tenants.settings import root_item_id

ROOT = "{{ defaults.rootItemId }}"


def item(
    name: str,
    intent: str = "document/upsert",
    *,
    shape: str | None = "page",
    parent: str = ROOT,
    language: str = "en",
    **fields: Any,
) -> dict[str, Any]:
    operation: dict[str, Any] = {"intent": intent, "language": language, "name": name, **fields}
    if shape is not None:
        operation["shapeIdentifier"] = shape
    if parent is not None and "tree" not in fields:
        operation["tree"] = {"parentId": parent}
    return operation


def root(app: App, tenant_id: str) -> str:
    with app.engine.connect() as connection:
        return root_item_id(connection, tenant_id)


def item_ids(app: App, tenant_id: str) -> list[str]:
    with app.engine.connect() as connection:
        return list(
            connection.execute(
                sa.text("SELECT id FROM items WHERE tenant_id = :t ORDER BY id"), {"t": tenant_id}
            ).scalars()
        )


def paths(app: App, tenant_id: str, item_id: str, language: str = "en") -> dict[str, list[str]]:
    with app.engine.connect() as connection:
        return queries.item_paths(connection, tenant_id, item_id, language)


def version(
    app: App, tenant_id: str, item_id: str, language: str = "en", kind: str = "draft"
) -> queries.ItemVersionRecord | None:
    with app.engine.connect() as connection:
        return queries.item_version(connection, tenant_id, item_id, language, kind)


def record(app: App, tenant_id: str, item_id: str) -> queries.ItemRecord | None:
    with app.engine.connect() as connection:
        return queries.item_by_id(connection, tenant_id, item_id)
