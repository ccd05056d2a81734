"""The content types of Crystallize's Catalogue API: one per component type
(`... on SingleLineContent { text }`), 19 in the `ComponentContent` union.
`content.py` makes them from the stored content.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from geode.catalogue.storefront import Page

if TYPE_CHECKING:
    from geode.api.graphql.catalogue.items import Item, ProductVariant

_ITEMS = "geode.api.graphql.catalogue.items"


@strawberry.type(description="A component of the item, with its content in this language.")
class Component:
    id: str = strawberry.field(description="The component's id in its shape (or piece, ...).")
    name: str
    type: str = strawberry.field(description="The component type, e.g. singleLine.")
    content: ComponentContent | None = strawberry.field(
        description="null when the component has no content."
    )


@strawberry.type
class SingleLineContent:
    text: str | None = None


@strawberry.type
class RichTextContent:
    json: list[JSON] | None = None
    html: list[str] | None = None
    plainText: list[str] | None = None


@strawberry.type
class NumericContent:
    number: float | None = None
    unit: str | None = None


@strawberry.type
class BooleanContent:
    value: bool | None = None


@strawberry.type
class DatetimeContent:
    datetime: str | None = None


@strawberry.type
class LocationContent:
    lat: float | None = None
    long: float | None = None


@strawberry.type
class SelectionComponentOptionValue:
    key: str
    value: str


@strawberry.type
class SelectionContent:
    options: list[SelectionComponentOptionValue]


@strawberry.type
class Image:
    key: str
    url: str
    altText: str | None = None
    caption: RichTextContent | None = None


@strawberry.type
class ImageContent:
    images: list[Image]
    firstImage: Image | None = None


@strawberry.type
class Video:
    id: str = strawberry.field(description="The video's key.")
    key: str
    title: str | None = None
    thumbnails: list[Image] | None = None


@strawberry.type
class VideoContent:
    videos: list[Video]
    firstVideo: Video | None = None


@strawberry.type
class File:
    key: str
    url: str
    title: str | None = None


@strawberry.type
class FileContent:
    files: list[File]
    firstFile: File | None = None


@strawberry.type
class ItemRelationsContent:
    page: strawberry.Private[Page]
    item_ids: strawberry.Private[list[str]]
    skus: strawberry.Private[list[str]]

    @strawberry.field(description="The related items that are published, in their order.")
    def items(self) -> list[Annotated[Item, strawberry.lazy(_ITEMS)]]:
        from geode.api.graphql.catalogue.items import item_type

        relations = self.page.relations()
        found = relations.page.views
        return [item_type(found[x], relations.page) for x in self.item_ids if x in found]

    @strawberry.field(description="The related product variants whose product is published.")
    def productVariants(self) -> list[Annotated[ProductVariant, strawberry.lazy(_ITEMS)]]:
        from geode.api.graphql.catalogue.items import variant_type

        variants = self.page.relations().variants
        return [variant_type(variants[sku]) for sku in self.skus if sku in variants]


@strawberry.type
class Grid:
    id: strawberry.ID
    name: str | None = None


@strawberry.type
class GridRelationsContent:
    grids: list[Grid]


@strawberry.type
class ParagraphContent:
    title: SingleLineContent | None = None
    body: RichTextContent | None = None
    images: list[Image] | None = None
    videos: list[Video] | None = None


@strawberry.type
class ParagraphCollectionContent:
    paragraphs: list[ParagraphContent]


@strawberry.type
class PropertiesTableProperty:
    key: str
    value: str | None = None


@strawberry.type
class PropertiesTableSection:
    title: str | None = None
    properties: list[PropertiesTableProperty] | None = None


@strawberry.type
class PropertiesTableContent:
    sections: list[PropertiesTableSection]


@strawberry.type
class Color:
    label: str | None = None
    hex: str | None = None
    pantone: str | None = None
    ral: str | None = None


@strawberry.type
class ColorsContent:
    colors: list[Color]


@strawberry.type
class PieceContent:
    identifier: str
    components: list[Component]


@strawberry.type
class ContentChunkContent:
    chunks: list[list[Component]]


@strawberry.type
class ComponentChoiceContent:
    selectedComponent: Component | None = None


@strawberry.type
class ComponentMultipleChoiceContent:
    selectedComponents: list[Component]


ComponentContent = Annotated[
    BooleanContent
    | ColorsContent
    | ComponentChoiceContent
    | ComponentMultipleChoiceContent
    | ContentChunkContent
    | DatetimeContent
    | FileContent
    | GridRelationsContent
    | ImageContent
    | ItemRelationsContent
    | LocationContent
    | NumericContent
    | ParagraphCollectionContent
    | PieceContent
    | PropertiesTableContent
    | RichTextContent
    | SelectionContent
    | SingleLineContent
    | VideoContent,
    strawberry.union("ComponentContent"),
]
