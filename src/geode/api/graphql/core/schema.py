"""The Core API's schema (`POST /@{tenant}`), assembled from its domain parts."""

from __future__ import annotations

from strawberry.tools import merge_types

from geode.api.graphql.core.bulk_tasks import BulkTaskMutation, BulkTaskQuery
from geode.api.graphql.core.catalogue_reads import CatalogueReads
from geode.api.graphql.core.customers import CustomerMutation, CustomerQuery
from geode.api.graphql.core.file_uploads import FileUploadMutation
from geode.api.graphql.core.item_mutations import CatalogueMutation
from geode.api.graphql.core.item_queries import CatalogueQuery
from geode.api.graphql.core.orders import OrderMutation, OrderQuery
from geode.api.graphql.errors import (
    BasicError,
    ItemNotFoundError,
    OrderDoesNotBelongToTenantError,
    UnauthorizedError,
)
from geode.api.graphql.execution import GeodeSchema, limits

QUERIES: tuple[type, ...] = (
    CatalogueQuery,
    CatalogueReads,
    CustomerQuery,
    OrderQuery,
    BulkTaskQuery,
)
MUTATIONS: tuple[type, ...] = (
    CatalogueMutation,
    FileUploadMutation,
    CustomerMutation,
    OrderMutation,
    BulkTaskMutation,
)


def build_core_schema() -> GeodeSchema:
    return GeodeSchema(
        query=merge_types("Query", QUERIES),
        mutation=merge_types("Mutation", MUTATIONS),
        extensions=limits(),
        # Listed so that a client may ask for any of them in any union's fragments.
        types=[BasicError, ItemNotFoundError, OrderDoesNotBelongToTenantError, UnauthorizedError],
    )
