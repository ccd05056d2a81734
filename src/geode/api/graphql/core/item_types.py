"""Items as the Core API answers them: `Product`, `Document` and `Folder`, each an `Item`.

Built from `catalogue.views.ItemView` (one version in one language). Prices and
stock are Float and Int, as Crystallize's API has them; a price leaves the
store as a Decimal and is sent as the shortest float that reads back to it,
which is exact for the 15 significant digits a price can have in a JSON
number any client parses.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
import strawberry
from strawberry.scalars import JSON

from geode.api.graphql.context import RequestContext
from geode.api.graphql.core.writes import read_page
from geode.api.graphql.errors import BasicError
from geode.api.graphql.pagination import Connection, Key
from geode.catalogue.listings import child_keys
from geode.catalogue.views import ItemView, VariantView, load_item_views

DEFAULT_PRICE_VARIANT = "default"
DEFAULT_STOCK_LOCATION = "default"


@strawberry.type
class TreeNode:
    parentId: strawberry.ID
    position: int
    path: str | None


@strawberry.type
class Component:
    componentId: str
    type: str = strawberry.field(description="The component type, e.g. singleLine.")
    content: JSON | None = strawberry.field(
        description="The content in its input form: what updateComponent takes for this type."
    )


@strawberry.type
class KeyValue:
    key: str
    value: str | None


@strawberry.type
class VariantAttribute:
    attribute: str
    value: str | None


@strawberry.type
class Image:
    key: str
    altText: str | None = None
    caption: JSON | None = None


@strawberry.type
class VariantPrice:
    identifier: str
    price: float | None


@strawberry.type
class VariantStockLocation:
    identifier: str
    stock: int


@strawberry.type
class ProductVariant:
    id: strawberry.ID
    sku: str
    name: str | None
    isDefault: bool
    externalReference: str | None
    attributes: list[VariantAttribute]
    images: list[Image]
    priceVariants: list[VariantPrice]
    stockLocations: list[VariantStockLocation]
    price: float | None = strawberry.field(
        description=f"The price in the `{DEFAULT_PRICE_VARIANT}` price variant."
    )
    stock: int | None = strawberry.field(
        description=f"Units at the `{DEFAULT_STOCK_LOCATION}` stock location."
    )


@strawberry.interface(description="A product, document or folder: one version in one language.")
class Item:
    id: strawberry.ID
    type: str
    language: str
    version: str = strawberry.field(description="draft or published.")
    name: str
    shapeIdentifier: str
    path: str | None = strawberry.field(description="The canonical path in this language.")
    tree: TreeNode
    components: list[Component]
    topicIds: list[strawberry.ID]
    externalReference: str | None
    createdAt: str
    updatedAt: str
    publishedAt: str | None = strawberry.field(
        description="When the published version in this language was last written; null if "
        "the item is not published in it."
    )

    @strawberry.field(
        description="The items directly under this one, in tree order, in the same language "
        "and version (those without that version are left out of the page)."
    )
    def children(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Annotated[Connection[Item] | BasicError, strawberry.union("ItemConnectionResult")]:
        item_id, language, version = str(self.id), self.language, self.version

        def keys(
            connection: sa.Connection, context: RequestContext, start: Key | None, limit: int
        ) -> list[Key]:
            return child_keys(connection, context.tenant_id, item_id, start, limit)

        def nodes(
            connection: sa.Connection, context: RequestContext, page: list[Key]
        ) -> list[Item | None]:
            ids = [str(key[1]) for key in page]
            views = load_item_views(connection, context.tenant_id, ids, language, version)
            return [item_type(views[i]) if i in views else None for i in ids]

        return read_page(info, first, after, 2, keys, nodes)


@strawberry.type
class Product(Item):
    vatTypeId: strawberry.ID | None
    variants: list[ProductVariant]
    defaultVariant: ProductVariant | None


@strawberry.type
class Document(Item):
    pass


@strawberry.type
class Folder(Item):
    pass


def price_number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _component(content: dict[str, Any]) -> Component:
    kinds = [key for key in content if key != "componentId"]
    kind = kinds[0] if kinds else ""
    return Component(componentId=content["componentId"], type=kind, content=content.get(kind))


def variant_type(variant: VariantView) -> ProductVariant:
    return ProductVariant(
        id=strawberry.ID(variant.id),
        sku=variant.sku,
        name=variant.name,
        isDefault=variant.is_default,
        externalReference=variant.external_reference,
        attributes=[
            VariantAttribute(attribute=a["attribute"], value=a.get("value"))
            for a in variant.attributes
        ],
        images=[
            Image(key=i["key"], altText=i.get("altText"), caption=i.get("caption"))
            for i in variant.images
        ],
        priceVariants=[
            VariantPrice(identifier=k, price=price_number(v)) for k, v in variant.prices.items()
        ],
        stockLocations=[
            VariantStockLocation(identifier=k, stock=v) for k, v in variant.stock.items()
        ],
        price=price_number(variant.prices.get(DEFAULT_PRICE_VARIANT)),
        stock=variant.stock.get(DEFAULT_STOCK_LOCATION),
    )


def item_type(view: ItemView) -> Product | Document | Folder:
    common: dict[str, Any] = {
        "id": strawberry.ID(view.id),
        "type": view.type,
        "language": view.language,
        "version": view.version,
        "name": view.name,
        "shapeIdentifier": view.shape_identifier,
        "path": view.path,
        "tree": TreeNode(
            parentId=strawberry.ID(view.parent_id), position=view.position, path=view.path
        ),
        "components": [_component(c) for c in view.components],
        "topicIds": [strawberry.ID(t) for t in view.topic_ids],
        "externalReference": view.external_reference,
        "createdAt": view.created_at,
        "updatedAt": view.updated_at,
        "publishedAt": view.published_at,
    }
    if view.type == "product":
        variants = [variant_type(v) for v in view.variants]
        default = next((v for v in variants if v.isDefault), None)
        return Product(
            **common,
            vatTypeId=None if view.vat_type_id is None else strawberry.ID(view.vat_type_id),
            variants=variants,
            defaultVariant=default,
        )
    if view.type == "document":
        return Document(**common)
    return Folder(**common)
