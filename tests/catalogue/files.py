"""Running catalogue files through the real engine, and the operations they hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from geode.app import App
from geode.tenants.service import TenantInfo


def run(app: App, tenant: TenantInfo, path: Path) -> Any:
    task = app.massops.submit(tenant.id, path)
    return app.massops.run(task.id)


def logs(app: App, task_id: str) -> list[dict[str, Any]]:
    return list(app.massops.logs(task_id))


def stored(app: App, table: str, tenant_id: str) -> list[dict[str, Any]]:
    """The tenant's rows of `table`, without timestamps, by identifier."""
    with app.engine.connect() as connection:
        rows = connection.execute(
            sa.text(f"SELECT * FROM {table} WHERE tenant_id = :t ORDER BY identifier"),
            {"t": tenant_id},
        ).mappings()
        return [
            {k: v for k, v in row.items() if k not in ("tenant_id", "created_at", "updated_at")}
            for row in rows
        ]


def definition(component_id: str, type_: str, **config: Any) -> dict[str, Any]:
    """A shape's component definition; `config` is the type's own config."""
    found: dict[str, Any] = {"id": component_id, "name": component_id.title(), "type": type_}
    if config:
        found["config"] = {type_: config}
    return found


def single_line(component_id: str, **config: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "id": component_id,
        "name": component_id.title(),
        "type": "singleLine",
    }
    if config:
        definition["config"] = {"singleLine": config}
    return definition


def piece_component(component_id: str, piece: str) -> dict[str, Any]:
    return {
        "id": component_id,
        "name": component_id.title(),
        "type": "piece",
        "config": {"piece": {"identifier": piece}},
    }


def piece(identifier: str, intent: str = "piece/upsert", **fields: Any) -> dict[str, Any]:
    return {"intent": intent, "identifier": identifier, "name": identifier.title(), **fields}


def shape(
    identifier: str, intent: str = "shape/upsert", type_: str | None = "product", **fields: Any
) -> dict[str, Any]:
    operation = {"intent": intent, "identifier": identifier, "name": identifier.title(), **fields}
    if type_ is not None:
        operation["type"] = type_
    return operation
