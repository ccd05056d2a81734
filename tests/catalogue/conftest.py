"""A tenant with an empty catalogue on each database, and terse ways to put rows in it.

The rows are written with plain inserts, as the bulk paths write them: these
tests are about what the tables hold and refuse, not about the intents.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geode.catalogue import models
from geode.catalogue.documents import dump
from geode.db.engine import create_engine
from geode.ids import new_id
from geode.money import money_text
from geode.tenants.service import create_tenant

NOW = "2024-05-01T12:30:00.000000Z"


def table(model: type[models.Base]) -> sa.Table:
    result = model.__table__
    assert isinstance(result, sa.Table)
    return result


@dataclass
class Catalogue:
    """One tenant's catalogue; `root` stands for the tenant's virtual root folder."""

    engine: Engine
    tenant_id: str
    root: str

    def insert(self, model: type[models.Base], **values: Any) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.insert(table(model)).values(tenant_id=self.tenant_id, **values))

    def shape(self, identifier: str = "product", type_: str = "product") -> str:
        self.insert(
            models.Shape,
            identifier=identifier,
            name=identifier.title(),
            type=type_,
            components=dump([]),
            created_at=NOW,
            updated_at=NOW,
        )
        return identifier

    def item(
        self,
        shape: str = "product",
        *,
        item_id: str | None = None,
        parent_id: str | None = None,
        position: int = 0,
        resource_identifier: str | None = None,
        type_: str = "product",
    ) -> str:
        item_id = item_id or new_id()
        self.insert(
            models.Item,
            id=item_id,
            type=type_,
            shape_identifier=shape,
            parent_id=parent_id or self.root,
            position=position,
            resource_identifier=resource_identifier,
            created_at=NOW,
            updated_at=NOW,
        )
        return item_id

    def path(self, item_id: str, path: str, language: str = "en", kind: str = "canonical") -> None:
        self.insert(models.ItemPath, item_id=item_id, language=language, path=path, kind=kind)

    def variant(
        self, product_id: str, sku: str, *, is_default: bool = False, position: int = 0
    ) -> str:
        variant_id = new_id()
        self.insert(
            models.Variant,
            id=variant_id,
            product_id=product_id,
            sku=sku,
            is_default=is_default,
            position=position,
            created_at=NOW,
            updated_at=NOW,
        )
        return variant_id

    def price(self, variant_id: str, price: Decimal, price_variant: str = "default") -> None:
        self.insert(
            models.VariantPrice,
            variant_id=variant_id,
            price_variant_identifier=price_variant,
            price=money_text(price),
        )

    def count(self, model: type[models.Base]) -> int:
        t = table(model)
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    sa.select(sa.func.count()).where(t.c.tenant_id == self.tenant_id)
                ).scalar_one()
            )


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


def new_catalogue(engine: Engine) -> Catalogue:
    with engine.begin() as connection:
        tenant = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
    return Catalogue(engine, tenant.id, root=new_id())


@pytest.fixture
def catalogue(engine: Engine) -> Catalogue:
    return new_catalogue(engine)
