"""Migration 0007 gives existing tenants a root item id and the default settings, and
comes back out."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from geode.db.migrate import alembic_config, upgrade
from geode.ids import is_id
from geode.tenants.configure import configure
from geode.tenants.settings import (
    Language,
    PriceVariantInfo,
    StockLocationInfo,
    default_vat_type_id,
    read_settings,
    tenant_defaults,
)
from geode.tenants.settings_schemas import parse_settings

NOW = "2024-01-01T00:00:00.000000Z"


def test_existing_tenants_get_a_root_item_and_the_default_settings(engine: Engine) -> None:
    upgrade(engine, "0006")
    with engine.begin() as connection:
        for tenant in ("t1", "t2"):
            connection.execute(
                sa.text("INSERT INTO tenants (id, identifier, created_at) VALUES (:t, :t, :n)"),
                {"t": tenant, "n": NOW},
            )

    upgrade(engine, "0007")
    with engine.begin() as connection:
        one, two = read_settings(connection, "t1"), read_settings(connection, "t2")
        assert is_id(one.root_item_id) and is_id(two.root_item_id)
        assert one.root_item_id != two.root_item_id
        assert tenant_defaults(connection, "t1") == {"rootItemId": one.root_item_id}
        assert one.languages == [Language("en", "English")]
        assert one.price_variants == [PriceVariantInfo("default", "Default", "EUR")]
        assert one.stock_locations == [StockLocationInfo("default", "Default")]
        [vat] = one.vat_types
        assert (vat.name, vat.percent, vat.is_default) == ("Standard", 0, True)
        assert is_id(vat.id) and vat.id != two.vat_types[0].id
        assert default_vat_type_id(connection, "t1") == vat.id
        # The backfilled settings are managed like a new tenant's.
        wanted = parse_settings(b'{"vatTypes": [{"name": "Standard", "percent": 25}]}', 32)
        assert not configure(connection, "t1", wanted).unchanged
        assert read_settings(connection, "t1").vat_types[0].id == vat.id

    command.downgrade(alembic_config(engine), "0006")
    inspector = sa.inspect(engine)
    assert "root_item_id" not in {c["name"] for c in inspector.get_columns("tenants")}
    assert not {"tenant_languages", "vat_types", "price_variants", "stock_locations"} & set(
        inspector.get_table_names()
    )
    with engine.connect() as connection:
        assert connection.execute(
            sa.text("SELECT id FROM tenants ORDER BY id")
        ).scalars().all() == [
            "t1",
            "t2",
        ]


def test_two_tenants_cannot_share_a_root_item(engine: Engine) -> None:
    upgrade(engine, "0007")
    insert = sa.text(
        "INSERT INTO tenants (id, identifier, created_at, root_item_id)"
        " VALUES (:t, :t, :n, 'aaaaaaaaaaaaaaaaaaaaaaaa')"
    )
    with engine.begin() as connection:
        connection.execute(insert, {"t": "t1", "n": NOW})
    with engine.connect() as connection, pytest.raises(sa.exc.IntegrityError):
        connection.execute(insert, {"t": "t2", "n": NOW})
