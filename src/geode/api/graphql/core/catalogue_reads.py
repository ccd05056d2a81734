"""Reads of the Core API beside `item(id)`: item lists, shapes, pieces, topics,
flows and variants by sku. Lists are connections of at most 100 records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
import strawberry
from strawberry.scalars import JSON

from geode.api.graphql.context import RequestContext
from geode.api.graphql.core.item_queries import VersionLabel
from geode.api.graphql.core.item_types import Item, ProductVariant, item_type, variant_type
from geode.api.graphql.core.writes import language_or_default, read, read_page
from geode.api.graphql.errors import BasicError
from geode.api.graphql.pagination import Connection, Key
from geode.catalogue.listings import (
    FlowView,
    TopicView,
    flow_keys,
    flows_by_identifier,
    item_keys,
    piece_keys,
    shape_keys,
    topic_keys,
    topics_by_id,
)
from geode.catalogue.queries import (
    PieceRecord,
    ShapeRecord,
    pieces_by_identifier,
    shapes_by_identifier,
    variants_by_sku,
)
from geode.catalogue.views import load_item_views
from geode.errors import InvalidInputError


@strawberry.type
class Shape:
    identifier: str
    name: str
    type: str
    components: JSON = strawberry.field(description="Component definitions, as shapes take them.")
    variantComponents: JSON | None
    meta: JSON | None
    createdAt: str
    updatedAt: str


@strawberry.type
class Piece:
    identifier: str
    name: str
    components: JSON
    createdAt: str
    updatedAt: str


@strawberry.type
class Topic:
    id: strawberry.ID
    name: str | None = strawberry.field(description="In the language asked for; null if none.")
    path: str | None
    parentId: strawberry.ID | None
    position: int
    pathIdentifier: str | None
    createdAt: str


@strawberry.type
class FlowStage:
    identifier: str
    name: str
    position: int


@strawberry.type
class Flow:
    identifier: str
    name: str
    type: str
    restrictions: JSON | None
    stages: list[FlowStage]


def _shape(record: ShapeRecord) -> Shape:
    return Shape(
        identifier=record.identifier, name=record.name, type=record.type,
        components=JSON(record.components),
        variantComponents=JSON(record.variant_components),
        meta=record.meta, createdAt=record.created_at, updatedAt=record.updated_at,
    )  # fmt: skip


def _piece(record: PieceRecord) -> Piece:
    return Piece(
        identifier=record.identifier, name=record.name, components=JSON(record.components),
        createdAt=record.created_at, updatedAt=record.updated_at,
    )  # fmt: skip


def _topic(view: TopicView) -> Topic:
    return Topic(
        id=strawberry.ID(view.id), name=view.name, path=view.path,
        parentId=None if view.parent_id is None else strawberry.ID(view.parent_id),
        position=view.position, pathIdentifier=view.path_identifier, createdAt=view.created_at,
    )  # fmt: skip


def _flow(view: FlowView) -> Flow:
    return Flow(
        identifier=view.identifier, name=view.name, type=view.type,
        restrictions=view.restrictions,
        stages=[FlowStage(identifier=s.identifier, name=s.name, position=s.position)
                for s in view.stages],
    )  # fmt: skip


def _label(version: VersionLabel) -> str:
    return "published" if version is VersionLabel.published else "draft"


MAX_SKUS = 1_000
T = TypeVar("T")
R = TypeVar("R")

ItemConnectionResult = Annotated[
    Connection[Item] | BasicError, strawberry.union("ItemConnectionResult")
]
ShapeConnectionResult = Annotated[
    Connection[Shape] | BasicError, strawberry.union("ShapeConnectionResult")
]
PieceConnectionResult = Annotated[
    Connection[Piece] | BasicError, strawberry.union("PieceConnectionResult")
]
TopicConnectionResult = Annotated[
    Connection[Topic] | BasicError, strawberry.union("TopicConnectionResult")
]
FlowConnectionResult = Annotated[
    Connection[Flow] | BasicError, strawberry.union("FlowConnectionResult")
]


def _identified(
    lookup: Callable[[sa.Connection, str, list[str]], Mapping[str, R]], convert: Callable[[R], T]
) -> Callable[[sa.Connection, RequestContext, list[Key]], list[T | None]]:
    """The nodes of a page keyed by one identifier column, read with `lookup`."""

    def nodes(
        connection: sa.Connection, context: RequestContext, page: list[Key]
    ) -> list[T | None]:
        ids = [str(key[-1]) for key in page]
        found = lookup(connection, context.tenant_id, ids)
        return [convert(found[i]) if i in found else None for i in ids]

    return nodes


def _one(
    info: strawberry.Info,
    identifier: str,
    lookup: Callable[[sa.Connection, str, list[str]], Mapping[str, R]],
    convert: Callable[[R], T],
) -> T | None:
    def action(connection: sa.Connection, context: RequestContext) -> T | None:
        found = lookup(connection, context.tenant_id, [identifier])
        return convert(found[identifier]) if identifier in found else None

    return read(info, action)


def _tenant_keys(
    keys: Callable[[sa.Connection, str, Key | None, int], list[Key]],
) -> Callable[[sa.Connection, RequestContext, Key | None, int], list[Key]]:
    return lambda connection, context, start, limit: keys(
        connection, context.tenant_id, start, limit
    )


@strawberry.type
class CatalogueReads:
    @strawberry.field(description="Every item of the tenant in one language and version, by id.")
    def items(
        self,
        info: strawberry.Info,
        language: str | None = None,
        version: VersionLabel = VersionLabel.draft,
        first: int | None = None,
        after: str | None = None,
    ) -> ItemConnectionResult:
        def nodes(
            connection: sa.Connection, context: RequestContext, page: list[Key]
        ) -> list[Item | None]:
            shown = language_or_default(connection, context, language)
            ids = [str(key[0]) for key in page]
            views = load_item_views(connection, context.tenant_id, ids, shown, _label(version))
            return [item_type(views[i]) if i in views else None for i in ids]

        return read_page(info, first, after, 1, _tenant_keys(item_keys), nodes)

    @strawberry.field
    def shape(self, info: strawberry.Info, identifier: str) -> Shape | None:
        return _one(info, identifier, shapes_by_identifier, _shape)

    @strawberry.field
    def shapes(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ShapeConnectionResult:
        nodes = _identified(shapes_by_identifier, _shape)
        return read_page(info, first, after, 1, _tenant_keys(shape_keys), nodes)

    @strawberry.field
    def piece(self, info: strawberry.Info, identifier: str) -> Piece | None:
        return _one(info, identifier, pieces_by_identifier, _piece)

    @strawberry.field
    def pieces(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> PieceConnectionResult:
        nodes = _identified(pieces_by_identifier, _piece)
        return read_page(info, first, after, 1, _tenant_keys(piece_keys), nodes)

    @strawberry.field(description="Topics under `parentId` (top-level ones if left out).")
    def topics(
        self,
        info: strawberry.Info,
        language: str | None = None,
        parentId: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> TopicConnectionResult:
        parent = None if parentId is None else str(parentId)

        def keys(
            connection: sa.Connection, context: RequestContext, start: Key | None, limit: int
        ) -> list[Key]:
            return topic_keys(connection, context.tenant_id, parent, start, limit)

        def nodes(
            connection: sa.Connection, context: RequestContext, page: list[Key]
        ) -> list[Topic | None]:
            shown = language_or_default(connection, context, language)
            found = _identified(lambda c, tenant, ids: topics_by_id(c, tenant, ids, shown), _topic)
            return found(connection, context, page)

        return read_page(info, first, after, 2, keys, nodes)

    @strawberry.field
    def flow(self, info: strawberry.Info, identifier: str) -> Flow | None:
        return _one(info, identifier, flows_by_identifier, _flow)

    @strawberry.field
    def flows(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> FlowConnectionResult:
        nodes = _identified(flows_by_identifier, _flow)
        return read_page(info, first, after, 1, _tenant_keys(flow_keys), nodes)

    @strawberry.field(
        description="Variants by sku, in the order asked (an unknown sku is left out), at "
        f"most {1_000:,} skus."
    )
    def productVariants(
        self,
        info: strawberry.Info,
        skus: list[str],
        language: str | None = None,
        version: VersionLabel = VersionLabel.draft,
    ) -> list[ProductVariant]:
        wanted = list(dict.fromkeys(skus))
        if len(wanted) > MAX_SKUS:
            raise InvalidInputError(f"ask for at most {MAX_SKUS:,} skus at a time")

        def action(connection: sa.Connection, context: RequestContext) -> list[Any]:
            shown = language_or_default(connection, context, language)
            keys = variants_by_sku(connection, context.tenant_id, wanted)
            products = {key.product_id for key in keys.values()}
            views = load_item_views(connection, context.tenant_id, products, shown, _label(version))
            by_sku = {v.sku: v for view in views.values() for v in view.variants}
            return [variant_type(by_sku[sku]) for sku in wanted if sku in by_sku]

        return read(info, action)
