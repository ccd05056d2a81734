"""The Catalogue API's schema (`POST /{tenant}/catalogue`): the published catalogue, read.

`catalogue(path, language)` answers the item at a path; `productVariants(skus,
language)` the variants of those SKUs with their products. These are the
documents `createCatalogueFetcher`, `createNavigationFetcher` and
`createProductHydrater` of `@crystallize/js-api-client` send. The hydrater
asks for a page of products as that many aliased `catalogue(path)` fields:
the first of them to be answered reads the items at every path the request
names, in one page (`requested_paths`), so the rest are answered from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLField,
    InlineFragmentNode,
    SelectionSetNode,
    value_from_ast,
)
from graphql.execution.values import VariableValues
from strawberry.extensions import SchemaExtension

from geode.api.graphql.catalogue.access import CatalogueContext, store_of
from geode.api.graphql.catalogue.items import (
    Document,
    Folder,
    Item,
    Product,
    ProductVariant,
    item_type,
    variant_type,
)
from geode.api.graphql.execution import GeodeSchema, limits
from geode.catalogue.storefront import ROOT_PATH


@strawberry.enum(
    description="Which version of an item to read: the Catalogue API serves the published "
    "one only (drafts are read through the Core API, with an access token)."
)
class VersionLabel(Enum):
    published = "published"


def requested_paths(info: strawberry.Info) -> list[tuple[str | None, str]]:
    """(language or None, path) of every field of the operation's root that is the field
    being resolved (`catalogue`), however aliased, through fragments too."""
    raw = info._raw_info
    definition = raw.parent_type.fields[raw.field_name]
    variables: Any = raw.variable_values  # a dict, though typed as graphql-core 3.3's tuple
    if isinstance(variables, VariableValues):
        variables = variables.coerced
    found: list[tuple[str | None, str]] = []
    seen: set[str] = set()

    def visit(selections: SelectionSetNode) -> None:
        for selection in selections.selections:
            if isinstance(selection, FieldNode) and selection.name.value == raw.field_name:
                language = _argument(definition, selection, "language", variables)
                path = _argument(definition, selection, "path", variables)
                if isinstance(language, str | None) and isinstance(path, str | None):
                    found.append((language, path or ROOT_PATH))
            elif isinstance(selection, InlineFragmentNode):
                visit(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = raw.fragments.get(name)
                if fragment is not None and name not in seen:
                    seen.add(name)
                    visit(fragment.selection_set)

    visit(raw.operation.selection_set)
    return found


def _argument(definition: GraphQLField, node: FieldNode, name: str, variables: Any) -> Any:
    """The value of argument `name` of this field; Undefined if it cannot be read (the field
    refuses it when it is resolved)."""
    given = next((a.value for a in node.arguments or () if a.name.value == name), None)
    if given is None:
        return definition.args[name].default_value
    return value_from_ast(given, definition.args[name].type, variables)


@strawberry.type
class Query:
    @strawberry.field(
        description="The published item at `path` (canonical, alias or former path; `/` is "
        "the root folder) in `language` (the tenant's first if left out); null if none."
    )
    def catalogue(
        self,
        info: strawberry.Info,
        path: str = ROOT_PATH,
        language: str | None = None,
        version: VersionLabel = VersionLabel.published,
    ) -> Item | None:
        store = store_of(info)
        if not store.roots_found:
            store.roots_found = True
            store.find_paths(
                (store.language(asked), asked_path) for asked, asked_path in requested_paths(info)
            )
        page, view = store.by_path(store.language(language), path)
        return None if view is None else item_type(view, page)

    @strawberry.field(
        description="The published variants of these SKUs, in their order, each with its "
        "product; SKUs without one are left out."
    )
    def productVariants(
        self, info: strawberry.Info, skus: list[str], language: str | None = None
    ) -> list[ProductVariant]:
        store = store_of(info)
        _page, found = store.variants(store.language(language), list(dict.fromkeys(skus)))
        return [variant_type(found[sku]) for sku in dict.fromkeys(skus) if sku in found]


class CloseReads(SchemaExtension):
    """Ends the request's read transaction once the operation is answered."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        if isinstance(context, CatalogueContext):
            context.store.close()


def build_catalogue_schema() -> GeodeSchema:
    return GeodeSchema(
        query=Query,
        extensions=[*limits(), CloseReads],
        types=[Product, Document, Folder],
    )
