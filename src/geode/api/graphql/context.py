"""What every resolver of a request sees: the app and the tenant the token speaks for."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from geode.app import App


@dataclass(frozen=True, slots=True)
class RequestContext:
    app: App
    tenant_id: str
    """The tenant's 24-hex id (what inputs name as `tenantId`)."""
    tenant_identifier: str
    """As in the path: `/@{tenant_identifier}`."""
    base_url: str = ""
    """The request's base URL (`http://host:port/`): where this server's own URLs
    start (a presigned upload's). Empty outside a request."""


def context_of(info: strawberry.Info) -> RequestContext:
    context: RequestContext = info.context
    return context
