"""Every request names a tenant's access token; the token decides the tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from geode.app import App
from geode.db.engine import reading
from geode.errors import AuthenticationError
from geode.tenants.service import authenticate


def get_app(request: Request) -> App:
    app: App = request.app.state.geode
    return app


# Declared as OpenAPI security schemes (both are required together; app.py joins
# them into one requirement), so clients and generators see how to authenticate.
TOKEN_ID = APIKeyHeader(
    name="X-Crystallize-Access-Token-Id",
    scheme_name="accessTokenId",
    description="Access token id (create one with `geode token create`).",
    auto_error=False,
)
TOKEN_SECRET = APIKeyHeader(
    name="X-Crystallize-Access-Token-Secret",
    scheme_name="accessTokenSecret",
    description="Access token secret, shown once by `geode token create`.",
    auto_error=False,
)


def tenant_id(
    app: Annotated[App, Depends(get_app)],
    token_id: Annotated[str | None, Security(TOKEN_ID)] = None,
    token_secret: Annotated[str | None, Security(TOKEN_SECRET)] = None,
) -> str:
    if not token_id or not token_secret:
        raise AuthenticationError(
            "send an access token in the X-Crystallize-Access-Token-Id and "
            "X-Crystallize-Access-Token-Secret headers (create one with: geode token create)"
        )
    with reading(app.engine) as connection:
        return authenticate(connection, token_id, token_secret)


AppDep = Annotated[App, Depends(get_app)]
TenantDep = Annotated[str, Depends(tenant_id)]
