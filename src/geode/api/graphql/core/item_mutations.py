"""`product`, `document`, `folder` and `item` mutations: each one or more file intents.

A mutation that is one file operation builds it and applies it with
`massops.single` (the intents' own checks and writers); those that are more
(`create` under the root or without variants, `setVariants`, `delete` of a leaf,
`moveToTree`) call `catalogue.item_service`, where the differences from a file
are decided and explained. Each answers the item as it now is.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
import strawberry

from geode.api.graphql.context import RequestContext
from geode.api.graphql.core.item_inputs import (
    ComponentInput,
    CreateItemInput,
    CreateProductInput,
    ProductVariantInput,
    TreeNodeInput,
    as_operation,
)
from geode.api.graphql.core.item_types import Document, Folder, Product, item_type
from geode.api.graphql.core.writes import check_tenant, language_or_default, write
from geode.api.graphql.errors import BasicError, ItemNotFoundError, UnauthorizedError
from geode.api.graphql.struct_inputs import plain
from geode.catalogue import item_service
from geode.catalogue.queries import ItemRecord
from geode.catalogue.views import ItemView, load_item_views
from geode.errors import NotFoundError
from geode.massops.single import run_operation

ItemResult = Annotated[
    Product | Document | Folder | ItemNotFoundError | UnauthorizedError | BasicError,
    strawberry.union("ItemResult"),
]
ProductResult = Annotated[
    Product | ItemNotFoundError | UnauthorizedError | BasicError,
    strawberry.union("ProductResult"),
]
DocumentResult = Annotated[
    Document | UnauthorizedError | BasicError, strawberry.union("DocumentResult")
]
FolderResult = Annotated[Folder | UnauthorizedError | BasicError, strawberry.union("FolderResult")]

Result = Any
"""What `write` returns: an item type, or an error type."""


def _apply(connection: sa.Connection, context: RequestContext, fields: dict[str, Any]) -> Any:
    return run_operation(connection, context.tenant_id, context.app.massops.intents, fields)


def _view(
    connection: sa.Connection, context: RequestContext, item_id: str, language: str
) -> Product | Document | Folder:
    views = load_item_views(connection, context.tenant_id, [item_id], language)
    view = views.get(item_id)
    if view is None:
        raise NotFoundError(f"item {item_id} has no {language!r} version")
    return item_type(view)


def _create(info: strawberry.Info, item_kind: str, input: CreateItemInput) -> Result:
    def action(connection: sa.Connection, context: RequestContext) -> Any:
        check_tenant(context, input.tenantId, "input.tenantId")
        language = language_or_default(connection, context, input.language)
        fields = as_operation(None, input, language=language)
        intents = context.app.massops.intents
        item_id = item_service.create_item(
            connection, context.tenant_id, intents, item_kind, fields
        )
        return _view(connection, context, item_id, language)

    return write(info, action)


def _item_action(
    info: strawberry.Info,
    item_id: str,
    change: Any,
    language: str | None = None,
) -> Result:
    """Apply `change(connection, context, record, language)`, then answer the item."""

    def action(connection: sa.Connection, context: RequestContext) -> Any:
        record = item_service.existing_item(connection, context.tenant_id, item_id)
        shown = language_or_default(connection, context, language)
        change(connection, context, record, shown)
        return _view(connection, context, item_id, shown)

    return write(info, action, item_id=item_id)


@strawberry.type
class ProductMutations:
    @strawberry.field(description="A product; variants may follow with `setVariants`.")
    def create(
        self, info: strawberry.Info, input: CreateProductInput, language: str | None = None
    ) -> ProductResult:
        if language is not None and input.language is strawberry.UNSET:
            input.language = language
        return _create(info, "product", input)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Replace all the product's variants by these (those left out are deleted)."
    )
    def setVariants(
        self,
        info: strawberry.Info,
        productId: strawberry.ID,
        variants: list[ProductVariantInput],
        language: str | None = None,
    ) -> ProductResult:
        def change(
            connection: sa.Connection, context: RequestContext, _record: Any, lang: str
        ) -> None:
            entries = [plain(variant) for variant in variants]
            intents = context.app.massops.intents
            item_service.set_variants(
                connection, context.tenant_id, intents, str(productId), lang, entries
            )

        return _item_action(info, str(productId), change, language)  # type: ignore[no-any-return]


@strawberry.type
class DocumentMutations:
    @strawberry.field
    def create(
        self, info: strawberry.Info, input: CreateItemInput, language: str | None = None
    ) -> DocumentResult:
        if language is not None and input.language is strawberry.UNSET:
            input.language = language
        return _create(info, "document", input)  # type: ignore[no-any-return]


@strawberry.type
class FolderMutations:
    @strawberry.field
    def create(
        self, info: strawberry.Info, input: CreateItemInput, language: str | None = None
    ) -> FolderResult:
        if language is not None and input.language is strawberry.UNSET:
            input.language = language
        return _create(info, "folder", input)  # type: ignore[no-any-return]


def _publishing(intent: str, item_id: str, include_descendants: bool | None) -> Any:
    def change(connection: sa.Connection, context: RequestContext, _record: Any, lang: str) -> None:
        _apply(connection, context, {
            "intent": intent, "itemId": item_id, "language": lang,
            **({} if include_descendants is None else {"includeDescendants": include_descendants}),
        })  # fmt: skip

    return change


@strawberry.type
class ItemMutations:
    @strawberry.field(description="Copy the draft to the published version in `language`.")
    def publish(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        language: str | None = None,
        includeDescendants: bool | None = None,
    ) -> ItemResult:
        change = _publishing("item/publish", str(id), includeDescendants)
        return _item_action(info, str(id), change, language)  # type: ignore[no-any-return]

    @strawberry.field(description="Remove the published version in `language`.")
    def unpublish(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        language: str | None = None,
        includeDescendants: bool | None = None,
    ) -> ItemResult:
        change = _publishing("item/unpublish", str(id), includeDescendants)
        return _item_action(info, str(id), change, language)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Delete the item (a product with its variants). A folder that has "
        "children is refused: move or delete them first."
    )
    def delete(self, info: strawberry.Info, id: strawberry.ID) -> ItemResult:
        item_id = str(id)

        def action(connection: sa.Connection, context: RequestContext) -> Any:
            language = language_or_default(connection, context, None)
            views = load_item_views(connection, context.tenant_id, [item_id], language)
            intents = context.app.massops.intents
            record = item_service.delete_leaf_item(connection, context.tenant_id, intents, item_id)
            view = views.get(item_id)
            if view is None:  # no version in the default language: answer what is known
                return _bare(record)
            return item_type(view)

        return write(info, action, item_id=item_id)

    @strawberry.field(description="Move the item under another parent, at a position.")
    def moveToTree(
        self,
        info: strawberry.Info,
        itemId: strawberry.ID,
        input: TreeNodeInput,
        language: str | None = None,
    ) -> ItemResult:
        def change(
            connection: sa.Connection, context: RequestContext, record: Any, lang: str
        ) -> None:
            intents = context.app.massops.intents
            item_service.move_item(
                connection, context.tenant_id, intents, str(itemId), lang, plain(input)
            )

        return _item_action(info, str(itemId), change, language)  # type: ignore[no-any-return]

    @strawberry.field(description="Set one component's content in the draft of `language`.")
    def updateComponent(
        self,
        info: strawberry.Info,
        itemId: strawberry.ID,
        component: ComponentInput,
        language: str | None = None,
    ) -> ItemResult:
        def change(
            connection: sa.Connection, context: RequestContext, _record: Any, lang: str
        ) -> None:
            _apply(connection, context, {
                "intent": "item/updateComponent/item", "itemId": str(itemId), "language": lang,
                "component": plain(component),
            })  # fmt: skip

        return _item_action(info, str(itemId), change, language)  # type: ignore[no-any-return]

    @strawberry.field(description="Put the item in a flow stage (`stageId` is its identifier).")
    def setFlowStage(
        self,
        info: strawberry.Info,
        itemId: strawberry.ID,
        stageId: strawberry.ID,
        language: str | None = None,
    ) -> ItemResult:
        def change(
            connection: sa.Connection, context: RequestContext, _record: Any, lang: str
        ) -> None:
            _apply(connection, context, {
                "intent": "item/flow/stage/addItems", "stageIdentifier": str(stageId),
                "items": [{"id": str(itemId), "language": lang}],
            })  # fmt: skip

        return _item_action(info, str(itemId), change, language)  # type: ignore[no-any-return]


def _bare(record: ItemRecord) -> Product | Document | Folder:
    """A deleted item that had no version in the default language: its stored fields."""
    view = ItemView(
        id=record.id, type=record.type, shape_identifier=record.shape_identifier,
        language="", version="draft", name="", components=[], parent_id=record.parent_id,
        position=record.position, path=None, vat_type_id=record.vat_type_id,
        external_reference=record.external_reference, created_at=record.created_at,
        updated_at=record.updated_at, published_at=None,
    )  # fmt: skip
    return item_type(view)


@strawberry.type
class CatalogueMutation:
    @strawberry.field
    def product(self) -> ProductMutations:
        return ProductMutations()

    @strawberry.field
    def document(self) -> DocumentMutations:
        return DocumentMutations()

    @strawberry.field
    def folder(self) -> FolderMutations:
        return FolderMutations()

    @strawberry.field
    def item(self) -> ItemMutations:
        return ItemMutations()


__all__ = ["CatalogueMutation", "ComponentInput"]
