"""Tenant settings: defaults, configure, read-back and refusals, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from geode.app import App
from geode.errors import ConflictError, InvalidInputError
from geode.ids import is_id, new_id
from geode.jsontext import encode_for_file
from geode.tenants import settings as store
from geode.tenants.configure import ConfigureResult, configure
from geode.tenants.service import TenantInfo, create_tenant
from geode.tenants.settings import (
    Language,
    PriceVariantInfo,
    SettingUsage,
    StockLocationInfo,
    TenantSettings,
    read_settings,
)
from geode.tenants.settings_schemas import parse_settings
from tests.tenants.test_tenant_service import unique

FULL: dict[str, Any] = {
    "languages": [{"code": "en", "name": "English"}, {"code": "nb-NO", "name": "Norsk"}],
    "vatTypes": [
        {"name": "Standard", "percent": 25, "isDefault": True},
        {"name": "Reduced", "percent": "12.5"},
        {"id": "aaaaaaaaaaaaaaaaaaaaaaa1", "name": "Zero", "percent": 0},
    ],
    "priceVariants": [
        {"identifier": "default", "name": "Default", "currency": "NOK"},
        {"identifier": "sales", "name": "Sales", "currency": "NOK"},
    ],
    "stockLocations": [{"identifier": "oslo", "name": "Oslo"}],
}


def apply(
    app: App,
    tenant: TenantInfo,
    document: dict[str, Any] | bytes,
    usages: list[SettingUsage] | None = None,
) -> ConfigureResult:
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    with app.engine.begin() as connection:
        return configure(connection, tenant.id, parse_settings(raw, 32), usages or [])


def shown(app: App, tenant: TenantInfo) -> TenantSettings:
    with app.engine.connect() as connection:
        return read_settings(connection, tenant.id)


def fresh_ids(count: int) -> list[str]:
    """Ids the tenant has no VAT type with yet."""
    return [new_id() for _ in range(count)]


# -- a new tenant -----------------------------------------------------------------------


def test_a_new_tenant_has_the_default_settings_and_a_root_item(
    app: App, tenant: TenantInfo
) -> None:
    settings = shown(app, tenant)
    assert (settings.id, settings.identifier, settings.created_at) == (
        tenant.id,
        tenant.identifier,
        tenant.created_at,
    )
    assert is_id(settings.root_item_id) and settings.root_item_id != tenant.id
    assert settings.languages == [Language("en", "English")]
    assert settings.price_variants == [PriceVariantInfo("default", "Default", "EUR")]
    assert settings.stock_locations == [StockLocationInfo("default", "Default")]
    [vat] = settings.vat_types
    assert (vat.name, vat.percent, vat.is_default) == ("Standard", Decimal(0), True)
    with app.engine.connect() as connection:
        assert store.languages(connection, tenant.id) == ["en"]
        assert store.price_variant_identifiers(connection, tenant.id) == ["default"]
        assert store.stock_location_identifiers(connection, tenant.id) == ["default"]
        assert store.vat_type_ids(connection, tenant.id) == [vat.id]
        assert store.default_vat_type_id(connection, tenant.id) == vat.id
        assert store.tenant_defaults(connection, tenant.id) == {"rootItemId": settings.root_item_id}


def test_each_tenant_has_its_own_root_item(app: App) -> None:
    with app.engine.begin() as connection:
        one, two = create_tenant(connection, unique()), create_tenant(connection, unique())
        assert store.root_item_id(connection, one.id) != store.root_item_id(connection, two.id)


# -- configure --------------------------------------------------------------------------


def test_configure_applies_the_file_then_a_second_run_changes_nothing(
    app: App, tenant: TenantInfo
) -> None:
    standard = shown(app, tenant).vat_types[0].id
    document = json.loads(json.dumps(FULL))
    document["vatTypes"][2]["id"] = zero = fresh_ids(1)[0]

    first = apply(app, tenant, document)
    assert first.as_json()["settings"] == {
        "languages": {"status": "changed", "created": ["nb-NO"], "updated": [], "removed": []},
        "vatTypes": {
            "status": "changed",
            "created": ["Reduced", "Zero"],
            "updated": ["Standard"],
            "removed": [],
        },
        "priceVariants": {
            "status": "changed",
            "created": ["sales"],
            "updated": ["default"],
            "removed": [],
        },
        "stockLocations": {
            "status": "changed",
            "created": ["oslo"],
            "updated": [],
            "removed": ["default"],
        },
    }
    settings = shown(app, tenant)
    assert [(v.name, v.percent, v.is_default) for v in settings.vat_types] == [
        ("Standard", Decimal(25), True),
        ("Reduced", Decimal("12.5"), False),
        ("Zero", Decimal(0), False),
    ]
    # Matched by name (Standard keeps its id); an unknown id from the file is kept.
    assert [v.id for v in settings.vat_types][::2] == [standard, zero]
    assert [p.currency for p in settings.price_variants] == ["NOK", "NOK"]

    again = apply(app, tenant, document)
    assert again.unchanged
    assert again.as_json()["status"] == "unchanged"
    assert shown(app, tenant) == settings


def test_a_setting_the_file_leaves_out_is_kept(app: App, tenant: TenantInfo) -> None:
    before = shown(app, tenant)
    result = apply(app, tenant, {"stockLocations": [{"identifier": "oslo", "name": "Oslo"}]})
    assert list(result.changes) == ["stockLocations"]
    after = shown(app, tenant)
    assert after.stock_locations == [StockLocationInfo("oslo", "Oslo")]
    assert (after.languages, after.vat_types, after.price_variants) == (
        before.languages,
        before.vat_types,
        before.price_variants,
    )


def test_show_json_round_trips_into_configure_unchanged(app: App, tenant: TenantInfo) -> None:
    document = json.loads(json.dumps(FULL))
    document["vatTypes"][2]["id"] = fresh_ids(1)[0]
    document["vatTypes"][1]["percent"] = "7.1250"
    apply(app, tenant, document)
    printed = encode_for_file(shown(app, tenant).as_json())
    assert b'"percent":7.125' in printed  # a JSON number, without trailing zeros

    result = apply(app, tenant, printed)
    assert result.unchanged
    assert set(result.changes) == {"languages", "vatTypes", "priceVariants", "stockLocations"}


def test_vat_types_keep_the_ids_of_the_file_and_match_by_id_before_name(
    app: App, tenant: TenantInfo
) -> None:
    first, second = fresh_ids(2)
    apply(
        app,
        tenant,
        {
            "vatTypes": [
                {"id": first, "name": "High", "percent": 25},
                {"id": second, "name": "Low", "percent": 10},
            ]
        },
    )
    # Swapping the names of two VAT types (matched by id) and the default between them.
    result = apply(
        app,
        tenant,
        {
            "vatTypes": [
                {"id": first, "name": "Low", "percent": 10},
                {"id": second, "name": "High", "percent": 25, "isDefault": True},
            ]
        },
    )
    assert result.changes["vatTypes"].updated == ["Low", "High"]
    assert [(v.id, v.name, v.is_default) for v in shown(app, tenant).vat_types] == [
        (first, "Low", False),
        (second, "High", True),
    ]


def test_without_a_marked_default_the_current_one_stays_or_the_first_becomes_it(
    app: App, tenant: TenantInfo
) -> None:
    apply(
        app,
        tenant,
        {
            "vatTypes": [
                {"name": "Standard", "percent": 25},
                {"name": "Reduced", "percent": 15, "isDefault": True},
            ]
        },
    )
    apply(
        app,
        tenant,
        {"vatTypes": [{"name": "Standard", "percent": 25}, {"name": "Reduced", "percent": 15}]},
    )
    assert [v.is_default for v in shown(app, tenant).vat_types] == [False, True]
    apply(
        app, tenant, {"vatTypes": [{"name": "Food", "percent": 15}, {"name": "Zero", "percent": 0}]}
    )
    with app.engine.connect() as connection:
        default = store.default_vat_type_id(connection, tenant.id)
    assert [(v.name, v.id == default) for v in shown(app, tenant).vat_types] == [
        ("Food", True),
        ("Zero", False),
    ]


# -- refusals ---------------------------------------------------------------------------


def in_use(table: str, kind: str, description: str) -> SettingUsage:
    """A usage check over a real table, as the catalogue's will be: a key is in use when
    the table (here the settings table itself, standing in for prices) holds a row."""

    def check(
        connection: sa.Connection, tenant_id: str, asked: str, keys: list[str]
    ) -> dict[str, str]:
        if asked != kind:
            return {}
        column = {"price_variants": "identifier", "tenant_languages": "code"}[table]
        rows = connection.execute(
            sa.text(f"SELECT {column} FROM {table} WHERE tenant_id = :t"), {"t": tenant_id}
        ).scalars()
        return {key: description for key in rows if key in keys}

    return check


def test_removing_a_setting_still_in_use_is_refused_naming_the_user(
    app: App, tenant: TenantInfo
) -> None:
    apply(app, tenant, FULL | {"vatTypes": [{"name": "Standard", "percent": 25}]})
    before = shown(app, tenant)
    usages = [
        in_use("price_variants", store.PRICE_VARIANT, "3 product variants' prices (sku 'mug-1')"),
        in_use("tenant_languages", store.LANGUAGE, "the names of 2 items"),
    ]
    document = {
        "languages": [{"code": "en", "name": "English"}],
        "priceVariants": [{"identifier": "default", "name": "Default", "currency": "EUR"}],
        "stockLocations": [{"identifier": "bergen", "name": "Bergen"}],
    }
    with pytest.raises(ConflictError) as refused:
        apply(app, tenant, document, usages)
    assert "the language 'nb-NO'" in refused.value.message
    assert "used by the names of 2 items (and 1 more)" in refused.value.message
    assert [(p["path"], p["code"]) for p in refused.value.detail] == [
        ("$.languages", "in_use"),
        ("$.priceVariants", "in_use"),
    ]
    assert "language 'nb-NO'" in refused.value.detail[0]["message"]
    assert (
        "price variant 'sales' is left out, so it would be removed, but it is used by "
        "3 product variants' prices (sku 'mug-1')"
    ) in refused.value.detail[1]["message"]
    assert shown(app, tenant) == before  # nothing written, stock locations included

    # A usage check that finds nothing in use lets the same file through.
    assert not apply(app, tenant, document, [in_use("price_variants", "other", "")]).unchanged


def test_a_file_shown_for_another_tenant_is_refused(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        other = create_tenant(connection, unique())
    printed = encode_for_file(shown(app, other).as_json())
    with pytest.raises(InvalidInputError) as refused:
        apply(app, tenant, printed)
    assert [p["path"] for p in refused.value.detail] == [
        "$.id",
        "$.identifier",
        "$.createdAt",
        "$.rootItemId",
    ]
    assert "remove id, identifier, createdAt and rootItemId" in refused.value.message + str(
        refused.value.detail
    )


def test_an_id_of_another_tenants_vat_type_is_kept_for_this_tenant_too(
    app: App, tenant: TenantInfo
) -> None:
    """VAT type ids are per tenant: one tenant's settings, ids included, configure
    another, and each keeps its own row under the shared id."""
    with app.engine.begin() as connection:
        other = create_tenant(connection, unique())
    apply(app, other, {"vatTypes": FULL["vatTypes"]})  # "Zero" has a fixed id
    taken = [vat.id for vat in shown(app, other).vat_types]
    copied = {k: v for k, v in shown(app, other).as_json().items() if k == "vatTypes"}

    result = apply(app, tenant, encode_for_file(copied))
    # Its own default "Standard" has another id: it gives way to the copied one.
    assert sorted(result.changes["vatTypes"].created) == ["Reduced", "Standard", "Zero"]
    assert result.changes["vatTypes"].removed == ["Standard"]
    mine = shown(app, tenant).vat_types
    assert [(v.id, v.name, v.percent, v.is_default) for v in mine] == [
        (v.id, v.name, v.percent, v.is_default) for v in shown(app, other).vat_types
    ]
    assert [v.id for v in mine] == taken
    assert apply(app, tenant, encode_for_file(copied)).unchanged
    # Still two rows per id: changing one tenant's leaves the other's alone.
    renamed = json.loads(encode_for_file(copied))
    renamed["vatTypes"][2]["name"] = "Nil"
    apply(app, tenant, renamed)
    assert shown(app, other).vat_types[2].name == "Zero"
    assert shown(app, tenant).vat_types[2].name == "Nil"
