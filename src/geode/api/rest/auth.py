"""Every request names a tenant's access token; the token decides the tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from geode.app import App
from geode.db.engine import reading
from geode.errors import AuthenticationError
from geode.tenants.service import authenticate


def get_app(request: Request) -> App:
    app: App = request.app.state.geode
    return app


def tenant_id(
    app: Annotated[App, Depends(get_app)],
    token_id: Annotated[
        str | None,
        Header(alias="X-Crystallize-Access-Token-Id", description="Access token id."),
    ] = None,
    token_secret: Annotated[
        str | None,
        Header(alias="X-Crystallize-Access-Token-Secret", description="Access token secret."),
    ] = None,
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
