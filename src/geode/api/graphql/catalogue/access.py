"""Who may read a tenant's Catalogue API: anyone, until the tenant requires a static token.

The path names the tenant (`POST /{tenant}/catalogue`). A tenant without a
static token serves its published catalogue to everyone, whatever headers
come. One with a static token (`geode tenant static-token create`) serves it
to requests that send that token in `X-Crystallize-Static-Auth-Token`, or an
access token of the tenant (`X-Crystallize-Access-Token-Id` and `-Secret`),
as Crystallize's catalogue accepts both. Any other request, and every request
to a tenant that does not exist, gets the same HTTP 401 and message: nothing
tells an unknown tenant from a protected one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from fastapi import Request

from geode.api.graphql.context import RequestContext
from geode.api.rest.auth import TOKEN_ID, TOKEN_SECRET, authenticate_request
from geode.app import App
from geode.catalogue.storefront import Storefront
from geode.db.engine import reading
from geode.errors import AuthenticationError
from geode.tenants.static_tokens import (
    HEADER,
    CatalogueTenant,
    catalogue_tenant,
    static_token_matches,
)

UNAUTHORIZED = (
    f"this catalogue is not public: send its static token in the {HEADER} header, or an "
    "access token of its tenant in the X-Crystallize-Access-Token-Id and "
    "X-Crystallize-Access-Token-Secret headers"
)


@dataclass(frozen=True, slots=True)
class CatalogueContext(RequestContext):
    store: Storefront = field(kw_only=True)
    """The request's reads of the published catalogue; closed when the request ends."""


def store_of(info: strawberry.Info) -> Storefront:
    context: CatalogueContext = info.context
    return context.store


def catalogue_context(app: App, request: Request, tenant: str) -> CatalogueContext:
    """The request's context, or `AuthenticationError` (HTTP 401) with the one message."""
    identifier = tenant.removeprefix("@")
    with reading(app.engine) as connection:
        found = catalogue_tenant(connection, identifier)
    if found is None or not (found.is_public or _admitted(app, request, found)):
        raise AuthenticationError(UNAUTHORIZED)
    return CatalogueContext(app, found.id, found.identifier, store=Storefront(app.engine, found.id))


def _admitted(app: App, request: Request, tenant: CatalogueTenant) -> bool:
    assert tenant.static_token_hash is not None
    if static_token_matches(tenant.static_token_hash, request.headers.get(HEADER)):
        return True
    token_id = request.headers.get(TOKEN_ID.model.name)
    secret = request.headers.get(TOKEN_SECRET.model.name)
    if not token_id or not secret:
        return False
    try:
        return authenticate_request(app, token_id, secret).tenant_id == tenant.id
    except AuthenticationError:
        return False
