"""A tenant's settings: languages, VAT types, price variants and stock locations.

Other packages read them through the small functions here (`languages`,
`price_variant_identifiers`, ...); `geode tenant configure` replaces them from a
file (`configure`), `geode tenant show` prints them (`read_settings`). Functions
take a connection; callers commit.

Who uses a setting is known only to the packages above this one (the catalogue
knows which variant has a price in `sales`), so removal asks them through
`SettingUsage` functions the app hands in: tenants never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import sqlalchemy as sa

from geode.errors import NotFoundError
from geode.ids import new_id
from geode.money import money_text
from geode.tenants.models import PriceVariant, StockLocation, Tenant, TenantLanguage, VatType
from geode.timestamps import stored_timestamp

tenants: sa.Table = Tenant.__table__  # type: ignore[assignment]
tenant_languages: sa.Table = TenantLanguage.__table__  # type: ignore[assignment]
vat_types: sa.Table = VatType.__table__  # type: ignore[assignment]
price_variants: sa.Table = PriceVariant.__table__  # type: ignore[assignment]
stock_locations: sa.Table = StockLocation.__table__  # type: ignore[assignment]

SettingUsage = Callable[[sa.Connection, str, str, list[str]], Mapping[str, str]]
"""`usage(connection, tenant_id, kind, keys)` -> {key: what uses it} for the keys in use.

`kind` is one of `KINDS`; keys are language codes, VAT type ids, or price variant
and stock location identifiers. The description completes "used by ...", e.g.
"3 product variants' prices (sku 'mug-1', ...)". Keys not in use are left out."""

LANGUAGE, VAT_TYPE, PRICE_VARIANT, STOCK_LOCATION = (
    "language",
    "vatType",
    "priceVariant",
    "stockLocation",
)
KINDS: Final = (LANGUAGE, VAT_TYPE, PRICE_VARIANT, STOCK_LOCATION)

DEFAULT_LANGUAGE: Final = ("en", "English")
DEFAULT_PRICE_VARIANT: Final = ("default", "Default", "EUR")
DEFAULT_STOCK_LOCATION: Final = ("default", "Default")
DEFAULT_VAT_TYPE: Final = ("Standard", Decimal(0))


@dataclass(frozen=True)
class Language:
    code: str
    name: str


@dataclass(frozen=True)
class VatTypeInfo:
    id: str
    name: str
    percent: Decimal
    is_default: bool


@dataclass(frozen=True)
class PriceVariantInfo:
    identifier: str
    name: str
    currency: str


@dataclass(frozen=True)
class StockLocationInfo:
    identifier: str
    name: str


@dataclass(frozen=True)
class TenantSettings:
    id: str
    identifier: str
    created_at: str
    root_item_id: str
    languages: list[Language]
    vat_types: list[VatTypeInfo]
    price_variants: list[PriceVariantInfo]
    stock_locations: list[StockLocationInfo]

    def as_json(self) -> dict[str, Any]:
        """The output of `tenant show --json`, and a valid input of `tenant configure`."""
        return {
            "id": self.id,
            "identifier": self.identifier,
            "createdAt": self.created_at,
            "rootItemId": self.root_item_id,
            "languages": [{"code": x.code, "name": x.name} for x in self.languages],
            "vatTypes": [
                {"id": x.id, "name": x.name, "percent": x.percent, "isDefault": x.is_default}
                for x in self.vat_types
            ],
            "priceVariants": [
                {"identifier": x.identifier, "name": x.name, "currency": x.currency}
                for x in self.price_variants
            ],
            "stockLocations": [
                {"identifier": x.identifier, "name": x.name} for x in self.stock_locations
            ],
        }


def canonical_percent(value: object) -> Decimal:
    """One form per rate (`25`, `12.5`): PostgreSQL returns NUMERIC(7,4) as 25.0000."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def percent_text(value: Decimal) -> str:
    """How a rate is written: exact text, which both stores take."""
    return money_text(canonical_percent(value))


# -- reading ----------------------------------------------------------------------------


def read_settings(connection: sa.Connection, tenant_id: str) -> TenantSettings:
    row = connection.execute(sa.select(tenants).where(tenants.c.id == tenant_id)).first()
    if row is None:
        raise NotFoundError(f"no tenant with id {tenant_id}")
    return TenantSettings(
        id=row.id,
        identifier=row.identifier,
        created_at=stored_timestamp(row.created_at),
        root_item_id=row.root_item_id,
        languages=[
            Language(r.code, r.name) for r in _rows(connection, tenant_languages, tenant_id)
        ],
        vat_types=[
            VatTypeInfo(r.id, r.name, canonical_percent(r.percent), bool(r.is_default))
            for r in _rows(connection, vat_types, tenant_id)
        ],
        price_variants=[
            PriceVariantInfo(r.identifier, r.name, r.currency)
            for r in _rows(connection, price_variants, tenant_id)
        ],
        stock_locations=[
            StockLocationInfo(r.identifier, r.name)
            for r in _rows(connection, stock_locations, tenant_id)
        ],
    )


def _rows(
    connection: sa.Connection, table: sa.Table, tenant_id: str
) -> list[sa.Row[tuple[Any, ...]]]:
    query = sa.select(table).where(table.c.tenant_id == tenant_id).order_by(table.c.position)
    return list(connection.execute(query))


def _column(connection: sa.Connection, table: sa.Table, column: str, tenant_id: str) -> list[str]:
    query = (
        sa.select(table.c[column]).where(table.c.tenant_id == tenant_id).order_by(table.c.position)
    )
    return [str(value) for value in connection.execute(query).scalars()]


def languages(connection: sa.Connection, tenant_id: str) -> list[str]:
    """The tenant's language codes, in its order."""
    return _column(connection, tenant_languages, "code", tenant_id)


def price_variant_identifiers(connection: sa.Connection, tenant_id: str) -> list[str]:
    return _column(connection, price_variants, "identifier", tenant_id)


def stock_location_identifiers(connection: sa.Connection, tenant_id: str) -> list[str]:
    return _column(connection, stock_locations, "identifier", tenant_id)


def vat_type_ids(connection: sa.Connection, tenant_id: str) -> list[str]:
    return _column(connection, vat_types, "id", tenant_id)


def default_vat_type_id(connection: sa.Connection, tenant_id: str) -> str:
    query = sa.select(vat_types.c.id).where(
        vat_types.c.tenant_id == tenant_id, vat_types.c.is_default
    )
    found = connection.execute(query).scalar()
    if found is None:
        raise NotFoundError(f"tenant {tenant_id} has no default VAT type")
    return str(found)


def root_item_id(connection: sa.Connection, tenant_id: str) -> str:
    """The virtual root folder: an item whose parent is this id is at the top level."""
    found = connection.execute(
        sa.select(tenants.c.root_item_id).where(tenants.c.id == tenant_id)
    ).scalar()
    if found is None:
        raise NotFoundError(f"no tenant with id {tenant_id}")
    return str(found)


def tenant_defaults(connection: sa.Connection, tenant_id: str) -> dict[str, str]:
    """What a mass-operation file names as `{{ defaults.NAME }}`."""
    return {"rootItemId": root_item_id(connection, tenant_id)}


# -- a new tenant -----------------------------------------------------------------------


def add_defaults(connection: sa.Connection, tenant_id: str) -> None:
    """What every new tenant starts with (migration 0007 gives older tenants the same)."""
    code, name = DEFAULT_LANGUAGE
    connection.execute(
        sa.insert(tenant_languages).values(tenant_id=tenant_id, code=code, name=name, position=0)
    )
    identifier, name, currency = DEFAULT_PRICE_VARIANT
    connection.execute(
        sa.insert(price_variants).values(
            tenant_id=tenant_id, identifier=identifier, name=name, currency=currency, position=0
        )
    )
    identifier, name = DEFAULT_STOCK_LOCATION
    connection.execute(
        sa.insert(stock_locations).values(
            tenant_id=tenant_id, identifier=identifier, name=name, position=0
        )
    )
    name, percent = DEFAULT_VAT_TYPE
    connection.execute(
        sa.insert(vat_types).values(
            id=new_id(),
            tenant_id=tenant_id,
            name=name,
            percent=percent_text(percent),
            is_default=True,
            position=0,
        )
    )
