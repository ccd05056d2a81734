"""Items as the Catalogue API shows them: `Product`, `Document` and `Folder`, each an `Item`,
in their published version.

Each object keeps the `storefront.Page` its item was read in: its shape,
topics, children and related items are read for the whole page when the first
of them is asked for (see `geode.catalogue.storefront`). Prices are Floats at
this edge, read from Decimals (exact for the digits a price can have).
"""

from __future__ import annotations

from decimal import Decimal

import strawberry

from geode.api.graphql.catalogue.content import ContentReader
from geode.api.graphql.catalogue.content_types import Component, Image
from geode.catalogue.storefront import Page, VariantEntry
from geode.catalogue.views import ItemView
from geode.tenants.settings import TenantSettings

DEFAULT_PRICE_VARIANT = "default"
DEFAULT_STOCK_LOCATION = "default"
MAX_CHILDREN = 1000
"""The most children one `children` field answers; page with `after` for more."""


def _reader(info: strawberry.Info, page: Page) -> ContentReader:
    return ContentReader(page, info.context.app.settings.public_url)


def _settings(page: Page) -> TenantSettings:
    return page.store.settings


def _components(info: strawberry.Info, view: ItemView, page: Page) -> list[Component]:
    shape = page.shape(view) if view.shape_identifier else None
    definitions = None if shape is None else shape.components
    return _reader(info, page).components(view.components, definitions)


@strawberry.type
class Shape:
    identifier: str
    name: str


@strawberry.type
class Topic:
    id: strawberry.ID
    name: str
    path: str


@strawberry.type
class VatInfo:
    name: str
    percent: float


@strawberry.type
class ProductVariantAttribute:
    attribute: str
    value: str | None


@strawberry.type
class ProductPriceVariant:
    identifier: str
    name: str | None
    price: float | None
    currency: str | None


@strawberry.type
class ProductStockLocation:
    identifier: str
    name: str | None
    stock: int | None


def _price(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@strawberry.type(description="A purchasable SKU of a product.")
class ProductVariant:
    entry: strawberry.Private[VariantEntry]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.entry.variant.id)

    @strawberry.field
    def sku(self) -> str:
        return self.entry.variant.sku

    @strawberry.field
    def name(self) -> str | None:
        return self.entry.variant.name

    @strawberry.field
    def isDefault(self) -> bool:
        return self.entry.variant.is_default

    @strawberry.field
    def externalReference(self) -> str | None:
        return self.entry.variant.external_reference

    @strawberry.field
    def attributes(self) -> list[ProductVariantAttribute]:
        return [
            ProductVariantAttribute(
                attribute=str(a.get("attribute", "")),
                value=None if a.get("value") is None else str(a["value"]),
            )
            for a in self.entry.variant.attributes
            if isinstance(a, dict)
        ]

    @strawberry.field
    def images(self, info: strawberry.Info) -> list[Image]:
        return _reader(info, self.entry.page).images(self.entry.variant.images)

    @strawberry.field
    def firstImage(self, info: strawberry.Info) -> Image | None:
        images = _reader(info, self.entry.page).images(self.entry.variant.images)
        return images[0] if images else None

    @strawberry.field(description="The price in one price variant (`default` if not named).")
    def price(self, identifier: str = DEFAULT_PRICE_VARIANT) -> float | None:
        return _price(self.entry.variant.prices.get(identifier))

    @strawberry.field(description="The prices it has, in the tenant's order of price variants.")
    def priceVariants(self) -> list[ProductPriceVariant]:
        prices = self.entry.variant.prices
        known = {x.identifier: x for x in _settings(self.entry.page).price_variants}
        order = [*(x for x in known if x in prices), *(x for x in prices if x not in known)]
        return [
            ProductPriceVariant(
                identifier=x,
                name=known[x].name if x in known else None,
                price=_price(prices[x]),
                currency=known[x].currency if x in known else None,
            )
            for x in order
        ]

    @strawberry.field(description="Units in stock at one location (`default` if not named).")
    def stock(self, identifier: str = DEFAULT_STOCK_LOCATION) -> int | None:
        return self.entry.variant.stock.get(identifier)

    @strawberry.field(description="Its stock, in the tenant's order of stock locations.")
    def stockLocations(self) -> list[ProductStockLocation]:
        stock = self.entry.variant.stock
        known = {x.identifier: x for x in _settings(self.entry.page).stock_locations}
        order = [*(x for x in known if x in stock), *(x for x in stock if x not in known)]
        return [
            ProductStockLocation(
                identifier=x, name=known[x].name if x in known else None, stock=stock[x]
            )
            for x in order
        ]

    @strawberry.field(description="The product it belongs to.")
    def product(self) -> Product:
        return Product(view=self.entry.product, page=self.entry.page)


def variant_type(entry: VariantEntry) -> ProductVariant:
    return ProductVariant(entry=entry)


@strawberry.interface(description="A product, document or folder, as published in one language.")
class Item:
    view: strawberry.Private[ItemView]
    page: strawberry.Private[Page]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.view.id)

    @strawberry.field
    def name(self) -> str | None:
        return self.view.name

    @strawberry.field(description="product, document or folder.")
    def type(self) -> str:
        return self.view.type

    @strawberry.field
    def language(self) -> str:
        return self.view.language

    @strawberry.field(description="Always published: the Catalogue API serves nothing else.")
    def version(self) -> str:
        return self.view.version

    @strawberry.field(description="The canonical path in this language.")
    def path(self) -> str | None:
        return self.view.path

    @strawberry.field
    def externalReference(self) -> str | None:
        return self.view.external_reference

    @strawberry.field
    def createdAt(self) -> str:
        return self.view.created_at

    @strawberry.field
    def updatedAt(self) -> str:
        return self.view.updated_at

    @strawberry.field(description="When the published version in this language was written.")
    def publishedAt(self) -> str | None:
        return self.view.published_at

    @strawberry.field(description="null for the root folder, which has no shape.")
    def shape(self) -> Shape | None:
        shape = self.page.shape(self.view)
        return None if shape is None else Shape(identifier=shape.identifier, name=shape.name)

    @strawberry.field
    def topics(self) -> list[Topic]:
        return [
            Topic(id=strawberry.ID(t.id), name=t.name, path=t.path)
            for t in self.page.topics(self.view)
            if t.name is not None and t.path is not None  # named in this language
        ]

    @strawberry.field(description="The components of its shape, in their order.")
    def components(self, info: strawberry.Info) -> list[Component]:
        return _components(info, self.view, self.page)

    @strawberry.field(description="One component by its id; null if the shape has none.")
    def component(self, info: strawberry.Info, id: str) -> Component | None:
        return next((c for c in _components(info, self.view, self.page) if c.id == id), None)

    @strawberry.field(
        description=f"Its published children, in their order: the first `first` (at most "
        f"{MAX_CHILDREN}, the default) after the child whose id is `after` (none if `after` "
        "is not one of them). Page through more with `after`: the id of the last child read."
    )
    def children(self, first: int | None = None, after: str | None = None) -> list[Item]:
        wanted = MAX_CHILDREN if first is None else max(0, min(first, MAX_CHILDREN))
        page, views = self.page.children(self.view.id, wanted, after)
        return [item_type(view, page) for view in views]


@strawberry.type
class Product(Item):
    @strawberry.field
    def vatType(self) -> VatInfo | None:
        found = next(
            (x for x in _settings(self.page).vat_types if x.id == self.view.vat_type_id), None
        )
        return None if found is None else VatInfo(name=found.name, percent=float(found.percent))

    @strawberry.field
    def variants(self) -> list[ProductVariant]:
        return [
            ProductVariant(entry=VariantEntry(v, self.view, self.page)) for v in self.view.variants
        ]

    @strawberry.field
    def defaultVariant(self) -> ProductVariant | None:
        found = next((v for v in self.view.variants if v.is_default), None)
        return (
            None
            if found is None
            else ProductVariant(entry=VariantEntry(found, self.view, self.page))
        )


@strawberry.type
class Document(Item):
    pass


@strawberry.type
class Folder(Item):
    pass


def item_type(view: ItemView, page: Page) -> Product | Document | Folder:
    if view.type == "product":
        return Product(view=view, page=page)
    if view.type == "document":
        return Document(view=view, page=page)
    return Folder(view=view, page=page)
