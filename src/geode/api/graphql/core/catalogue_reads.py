"""Reads of the Core API beside `item(id)`: item lists, shapes, pieces, topics,
flows and variants by sku. Lists are connections of at most 100 records."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
import strawberry
from strawberry.scalars import JSON

from geode.api.graphql.context import RequestContext
from geode.api.graphql.core.item_queries import VersionLabel
from geode.api.graphql.core.item_types import Item, ProductVariant, item_type, variant_type
from geode.api.graphql.core.writes import language_or_default, read
from geode.api.graphql.errors import BasicError
from geode.api.graphql.pagination import Connection, Key, paged
from geode.api.graphql.pagination import connection as connection_of
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

        def page(size: int, start: Key | None) -> Connection[Item]:
            return read(info, lambda c, x: action(c, x, size, start))

        def action(
            connection: sa.Connection, context: RequestContext, size: int, start: Key | None
        ) -> Connection[Item]:
            shown = language_or_default(connection, context, language)
            tenant = context.tenant_id
            keys = item_keys(connection, tenant, start, size + 1)

            def load(page: list[Key]) -> list[Item | None]:
                ids = [str(key[0]) for key in page]
                views = load_item_views(connection, tenant, ids, shown, _label(version))
                return [item_type(views[i]) if i in views else None for i in ids]

            return connection_of(keys, size, start, load)

        return paged(first, after, 1, page)

    @strawberry.field
    def shape(self, info: strawberry.Info, identifier: str) -> Shape | None:
        def action(connection: sa.Connection, context: RequestContext) -> Shape | None:
            found = shapes_by_identifier(connection, context.tenant_id, [identifier])
            return _shape(found[identifier]) if identifier in found else None

        return read(info, action)

    @strawberry.field
    def shapes(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ShapeConnectionResult:

        def page(size: int, start: Key | None) -> Connection[Shape]:
            return read(info, lambda c, x: action(c, x, size, start))

        def action(
            connection: sa.Connection, context: RequestContext, size: int, start: Key | None
        ) -> Connection[Shape]:
            keys = shape_keys(connection, context.tenant_id, start, size + 1)

            def load(page: list[Key]) -> list[Shape | None]:
                ids = [str(key[0]) for key in page]
                found = shapes_by_identifier(connection, context.tenant_id, ids)
                return [_shape(found[i]) if i in found else None for i in ids]

            return connection_of(keys, size, start, load)

        return paged(first, after, 1, page)

    @strawberry.field
    def piece(self, info: strawberry.Info, identifier: str) -> Piece | None:
        def action(connection: sa.Connection, context: RequestContext) -> Piece | None:
            found = pieces_by_identifier(connection, context.tenant_id, [identifier])
            return _piece(found[identifier]) if identifier in found else None

        return read(info, action)

    @strawberry.field
    def pieces(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> PieceConnectionResult:

        def page(size: int, start: Key | None) -> Connection[Piece]:
            return read(info, lambda c, x: action(c, x, size, start))

        def action(
            connection: sa.Connection, context: RequestContext, size: int, start: Key | None
        ) -> Connection[Piece]:
            keys = piece_keys(connection, context.tenant_id, start, size + 1)

            def load(page: list[Key]) -> list[Piece | None]:
                ids = [str(key[0]) for key in page]
                found = pieces_by_identifier(connection, context.tenant_id, ids)
                return [_piece(found[i]) if i in found else None for i in ids]

            return connection_of(keys, size, start, load)

        return paged(first, after, 1, page)

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

        def page(size: int, start: Key | None) -> Connection[Topic]:
            return read(info, lambda c, x: action(c, x, size, start))

        def action(
            connection: sa.Connection, context: RequestContext, size: int, start: Key | None
        ) -> Connection[Topic]:
            shown = language_or_default(connection, context, language)
            keys = topic_keys(connection, context.tenant_id, parent, start, size + 1)

            def load(page: list[Key]) -> list[Topic | None]:
                ids = [str(key[1]) for key in page]
                found = topics_by_id(connection, context.tenant_id, ids, shown)
                return [_topic(found[i]) if i in found else None for i in ids]

            return connection_of(keys, size, start, load)

        return paged(first, after, 2, page)

    @strawberry.field
    def flow(self, info: strawberry.Info, identifier: str) -> Flow | None:
        def action(connection: sa.Connection, context: RequestContext) -> Flow | None:
            found = flows_by_identifier(connection, context.tenant_id, [identifier])
            return _flow(found[identifier]) if identifier in found else None

        return read(info, action)

    @strawberry.field
    def flows(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> FlowConnectionResult:

        def page(size: int, start: Key | None) -> Connection[Flow]:
            return read(info, lambda c, x: action(c, x, size, start))

        def action(
            connection: sa.Connection, context: RequestContext, size: int, start: Key | None
        ) -> Connection[Flow]:
            keys = flow_keys(connection, context.tenant_id, start, size + 1)

            def load(page: list[Key]) -> list[Flow | None]:
                ids = [str(key[0]) for key in page]
                found = flows_by_identifier(connection, context.tenant_id, ids)
                return [_flow(found[i]) if i in found else None for i in ids]

            return connection_of(keys, size, start, load)

        return paged(first, after, 1, page)

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
