"""`product`, `document`, `folder` and `item` mutations: each one or more file intents.

Every mutation builds the operations a file would hold for the same change and
applies them with `massops.single` (the intents' own checks and writers), then
answers the item as it now is. Where the Core API's documented behaviour
differs from a file's intent, the difference is here and says why:

- `product.create` may leave out the variants and the VAT type (the seed's
  example does): the product gets the tenant's default VAT type, and no
  variants until `setVariants`.
- `item.delete` of a folder that has children fails, as documented; a file's
  `item/delete` removes the subtree.
- `item.moveToTree` is `{type}/update` with only `tree`.
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
    variant_fields,
)
from geode.api.graphql.core.item_types import Document, Folder, Product, item_type
from geode.api.graphql.core.writes import check_tenant, language_or_default, write
from geode.api.graphql.errors import BasicError, ItemNotFoundError, UnauthorizedError
from geode.api.graphql.struct_inputs import plain
from geode.catalogue.intents.product_inputs import ProductCreateWithoutVariants
from geode.catalogue.queries import child_ids, item_by_id, product_variants
from geode.catalogue.views import ItemView, load_item_views
from geode.errors import ConflictError, NotFoundError
from geode.massops.single import apply_operation, convert_operation, decode_operation
from geode.tenants.settings import (
    default_vat_type_id,
    price_variant_identifiers,
    root_item_id,
    stock_location_identifiers,
)

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
    app = context.app
    op = decode_operation(fields, app.massops.intents)
    return apply_operation(connection, context.tenant_id, app.massops.intents, op)


def _view(
    connection: sa.Connection, context: RequestContext, item_id: str, language: str
) -> Product | Document | Folder:
    views = load_item_views(connection, context.tenant_id, [item_id], language)
    view = views.get(item_id)
    if view is None:
        raise NotFoundError(f"item {item_id} has no {language!r} version")
    return item_type(view)


def _existing(connection: sa.Connection, context: RequestContext, item_id: str) -> Any:
    record = item_by_id(connection, context.tenant_id, item_id)
    if record is None:
        raise NotFoundError(f"no item with id {item_id} in this tenant")
    return record


def _create(info: strawberry.Info, item_kind: str, input: CreateItemInput) -> Result:
    def action(connection: sa.Connection, context: RequestContext) -> Any:
        check_tenant(context, input.tenantId, "input.tenantId")
        language = language_or_default(connection, context, input.language)
        tree = plain(input.tree) if isinstance(input.tree, TreeNodeInput) else {}
        tree.setdefault("parentId", root_item_id(connection, context.tenant_id))
        fields = as_operation(f"{item_kind}/create", input, language=language, tree=tree)
        intents = context.app.massops.intents
        if item_kind == "product":
            fields.setdefault("vatTypeId", default_vat_type_id(connection, context.tenant_id))
            fields.pop("intent")
            op = convert_operation(ProductCreateWithoutVariants, fields)
        else:
            op = decode_operation(fields, intents)
        applied = apply_operation(connection, context.tenant_id, intents, op)
        return _view(connection, context, applied.resource_id, language)

    return write(info, action)


def _item_action(
    info: strawberry.Info,
    item_id: str,
    change: Any,
    language: str | None = None,
) -> Result:
    """Apply `change(connection, context, record, language)`, then answer the item."""

    def action(connection: sa.Connection, context: RequestContext) -> Any:
        record = _existing(connection, context, item_id)
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
            connection: sa.Connection, context: RequestContext, record: Any, lang: str
        ) -> None:
            if record.type != "product":
                raise ConflictError(f"item {productId} is a {record.type}, not a product")
            tenant = context.tenant_id
            price_variant = price_variant_identifiers(connection, tenant)[0]
            location = stock_location_identifiers(connection, tenant)[0]
            entries = [variant_fields(v, price_variant, location) for v in variants]
            kept = {entry.get("sku") for entry in entries}
            if entries:
                _apply(connection, context, {
                    "intent": "product/update", "itemId": str(productId), "language": lang,
                    "variants": entries,
                })  # fmt: skip
            for variant in product_variants(connection, tenant, str(productId)):
                if variant.sku not in kept:
                    _apply(
                        connection,
                        context,
                        {"intent": "product/variant/delete", "sku": variant.sku},
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
            record = _existing(connection, context, item_id)
            children = child_ids(connection, context.tenant_id, item_id)
            if children:
                raise ConflictError(
                    f"folder {item_id} has {len(children)} children; move or delete them "
                    "first (item.moveToTree, item.delete)"
                )
            language = language_or_default(connection, context, None)
            views = load_item_views(connection, context.tenant_id, [item_id], language)
            _apply(connection, context, {"intent": "item/delete", "itemId": item_id})
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
            tree = plain(input)
            tree.setdefault("parentId", root_item_id(connection, context.tenant_id))
            _apply(connection, context, {
                "intent": f"{record.type}/update", "itemId": str(itemId), "language": lang,
                "tree": tree,
            })  # fmt: skip

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


def _bare(record: Any) -> Product | Document | Folder:
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
