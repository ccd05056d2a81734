"""Item reads of the Core API: one version of an item in one language."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import sqlalchemy as sa
import strawberry

from geode.api.graphql.context import RequestContext
from geode.api.graphql.core.item_types import Document, Folder, Product, item_type
from geode.api.graphql.core.writes import language_or_default, read
from geode.api.graphql.errors import ItemNotFoundError, item_not_found
from geode.catalogue.views import load_item_views


@strawberry.enum(description="Which version of an item to read.")
class VersionLabel(Enum):
    draft = "draft"
    published = "published"
    current = "current"


ItemQueryResult = Annotated[
    Product | Document | Folder | ItemNotFoundError, strawberry.union("ItemQueryResult")
]


@strawberry.type
class CatalogueQuery:
    @strawberry.field(
        description="An item by id: `version` in `language` (the tenant's first language if "
        "left out). `current` is the draft. ItemNotFoundError when the item, or that "
        "version of it, does not exist."
    )
    def item(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        language: str | None = None,
        version: VersionLabel = VersionLabel.draft,
    ) -> ItemQueryResult:
        label = "published" if version is VersionLabel.published else "draft"

        def action(connection: sa.Connection, context: RequestContext) -> Any:
            shown = language_or_default(connection, context, language)
            views = load_item_views(connection, context.tenant_id, [str(id)], shown, label)
            view = views.get(str(id))
            if view is None:
                return item_not_found(
                    str(id), f"no item with id {id} has a {label} version in {shown!r}"
                )
            return item_type(view)

        return read(info, action)  # type: ignore[no-any-return]
