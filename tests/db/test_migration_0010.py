"""Migration 0010 makes VAT type ids unique per tenant, keeping every row of a
database at 0009, and comes back out unless two tenants share an id."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from geode.db.migrate import alembic_config, current_revision, upgrade

NOW = "2024-01-01T00:00:00.000000Z"
ONE, TWO = "0123456789abcdef0000000a", "0123456789abcdef0000000b"
SHARED = "aaaaaaaaaaaaaaaaaaaaaaa1"
VAT_INSERT = sa.text(
    "INSERT INTO vat_types (id, tenant_id, name, percent, is_default, position)"
    " VALUES (:id, :t, :name, :percent, :is_default, :position)"
).bindparams(sa.bindparam("is_default", type_=sa.Boolean()))


def _seed_0009(engine: Engine) -> None:
    """Two tenants with their VAT types (the backfilled default, and more) and a
    product naming one, as a database in use at 0009 holds them."""
    upgrade(engine, "0006")
    with engine.begin() as connection:
        for tenant, identifier in ((ONE, "one"), (TWO, "two")):
            connection.execute(
                sa.text("INSERT INTO tenants (id, identifier, created_at) VALUES (:t, :i, :n)"),
                {"t": tenant, "i": identifier, "n": NOW},
            )
    upgrade(engine, "0009")
    with engine.begin() as connection:
        connection.execute(
            VAT_INSERT,
            [
                {"id": SHARED, "t": ONE, "name": "Reduced", "percent": "12.5",
                 "is_default": False, "position": 1},
                {"id": "b" * 24, "t": TWO, "name": "Food", "percent": "15",
                 "is_default": False, "position": 1},
            ],
        )  # fmt: skip
        connection.execute(
            sa.text(
                "INSERT INTO shapes (tenant_id, identifier, name, type, components, created_at,"
                " updated_at) VALUES (:t, 'mug', 'Mug', 'product', '[]', :n, :n)"
            ),
            {"t": ONE, "n": NOW},
        )
        connection.execute(
            sa.text(
                "INSERT INTO items (tenant_id, id, type, shape_identifier, parent_id, position,"
                " vat_type_id, created_at, updated_at)"
                " VALUES (:t, :i, 'product', 'mug', :r, 0, :v, :n, :n)"
            ),
            {"t": ONE, "i": "c" * 24, "r": "d" * 24, "v": SHARED, "n": NOW},
        )


def _rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(sql))]


VAT_ROWS = (
    "SELECT tenant_id, id, name, percent, is_default, position FROM vat_types"
    " ORDER BY tenant_id, position"
)
ITEM_ROWS = "SELECT tenant_id, id, vat_type_id FROM items"


def _pk(engine: Engine) -> list[str]:
    return list(sa.inspect(engine).get_pk_constraint("vat_types")["constrained_columns"])


def test_every_row_survives_and_a_vat_type_id_is_unique_per_tenant_only(engine: Engine) -> None:
    _seed_0009(engine)
    vat_before, items_before = _rows(engine, VAT_ROWS), _rows(engine, ITEM_ROWS)
    assert len(vat_before) == 4 and _pk(engine) == ["id"]

    upgrade(engine, "0010")
    assert _rows(engine, VAT_ROWS) == vat_before
    assert _rows(engine, ITEM_ROWS) == items_before
    assert _pk(engine) == ["tenant_id", "id"]
    row = {"id": SHARED, "name": "Reduced", "percent": "12.5", "is_default": False, "position": 2}
    with engine.begin() as connection:  # the other tenant takes the same id
        connection.execute(VAT_INSERT, {**row, "t": TWO})
    with engine.connect() as connection, pytest.raises(sa.exc.IntegrityError):
        connection.execute(VAT_INSERT, {**row, "t": ONE, "name": "Again"})  # not twice in one
    with engine.connect() as connection, pytest.raises(sa.exc.IntegrityError):
        # the partial unique index survived: still one default per tenant
        connection.execute(
            VAT_INSERT, {**row, "id": "e" * 24, "t": ONE, "name": "Second", "is_default": True}
        )
    with engine.connect() as connection, pytest.raises(sa.exc.IntegrityError):
        # and so did the foreign key to tenants
        connection.execute(VAT_INSERT, {**row, "id": "e" * 24, "t": "f" * 24})


def test_downgrade_is_refused_while_an_id_is_shared_then_restores_the_global_key(
    engine: Engine,
) -> None:
    _seed_0009(engine)
    upgrade(engine, "0010")
    row = {
        "id": SHARED,
        "t": TWO,
        "name": "Copy",
        "percent": "1",
        "is_default": False,
        "position": 2,
    }
    with engine.begin() as connection:
        connection.execute(VAT_INSERT, row)
    with pytest.raises(RuntimeError, match=f"1 VAT type ids are used by more than one.*{SHARED}"):
        command.downgrade(alembic_config(engine), "0009")
    assert current_revision(engine) == "0010"
    assert len(_rows(engine, VAT_ROWS)) == 5

    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM vat_types WHERE name = 'Copy'"))
    before = _rows(engine, VAT_ROWS)
    command.downgrade(alembic_config(engine), "0009")
    assert _pk(engine) == ["id"]
    assert _rows(engine, VAT_ROWS) == before
    upgrade(engine)  # and back up again
    assert _pk(engine) == ["tenant_id", "id"] and _rows(engine, VAT_ROWS) == before
