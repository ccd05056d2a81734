"""Migration 0008 adds the catalogue to a database in use, and comes back out,
leaving what was there as it was."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from geode.catalogue import models
from geode.db.migrate import alembic_config, upgrade

NOW = "2024-01-01T00:00:00.000000Z"
TENANT = "0123456789abcdef01234567"
CATALOGUE = {
    model.__tablename__
    for model in vars(models).values()
    if isinstance(model, type) and issubclass(model, models.Base) and model is not models.Base
}


def _seed_0007(engine: Engine) -> None:
    """Rows written before 0007 and carried through it, as an existing database has."""
    upgrade(engine, "0006")
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO tenants (id, identifier, created_at) VALUES (:t, 'shop', :n)"),
            {"t": TENANT, "n": NOW},
        )
        connection.execute(
            sa.text(
                "INSERT INTO customers (tenant_id, id, identifier, type, created_at, updated_at)"
                " VALUES (:t, 'c1', 'jane', 'individual', :n, :n)"
            ),
            {"t": TENANT, "n": NOW},
        )
    upgrade(engine, "0007")


def _customers(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [
            tuple(r) for r in connection.execute(sa.text("SELECT id, identifier FROM customers"))
        ]


def test_an_existing_database_gains_the_catalogue_and_keeps_its_rows(engine: Engine) -> None:
    _seed_0007(engine)
    assert not CATALOGUE & set(sa.inspect(engine).get_table_names())

    upgrade(engine, "0008")
    assert set(sa.inspect(engine).get_table_names()) >= CATALOGUE
    assert _customers(engine) == [("c1", "jane")]
    with engine.begin() as connection:  # the tenant's catalogue takes rows at once
        connection.execute(
            sa.text(
                "INSERT INTO shapes (tenant_id, identifier, name, type, components, created_at,"
                " updated_at) VALUES (:t, 'mug', 'Mug', 'product', '[]', :n, :n)"
            ),
            {"t": TENANT, "n": NOW},
        )
        connection.execute(
            sa.text(
                "INSERT INTO items (tenant_id, id, type, shape_identifier, parent_id, position,"
                " created_at, updated_at) VALUES (:t, :i, 'product', 'mug', :r, 0, :n, :n)"
            ),
            {"t": TENANT, "i": "a" * 24, "r": "b" * 24, "n": NOW},
        )


def test_downgrade_removes_the_catalogue_and_keeps_everything_else(engine: Engine) -> None:
    _seed_0007(engine)
    upgrade(engine, "0008")
    command.downgrade(alembic_config(engine), "0007")
    assert not CATALOGUE & set(sa.inspect(engine).get_table_names())
    assert _customers(engine) == [("c1", "jane")]
    upgrade(engine)  # and back up again
    assert set(sa.inspect(engine).get_table_names()) >= CATALOGUE
