"""Every request names a tenant's access token; the token decides the tenant."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.engine import Engine

from geode.app import App
from geode.db.engine import reading
from geode.errors import AuthenticationError
from geode.tenants.service import Authenticated, check_token, record_use

log = logging.getLogger(__name__)


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
    return authenticate_request(app, token_id, token_secret).tenant_id


def authenticate_request(app: App, token_id: str | None, token_secret: str | None) -> Authenticated:
    """Who the request's access-token headers speak for (`AuthenticationError` if
    nobody); shared by every front door that takes those headers."""
    if not token_id or not token_secret:
        raise AuthenticationError(
            "send an access token in the X-Crystallize-Access-Token-Id and "
            "X-Crystallize-Access-Token-Secret headers (create one with: geode token create)"
        )
    with reading(app.engine) as connection:
        found = check_token(connection, token_id, token_secret)
    if found.use_is_due:
        _record_use_soon(app.engine, token_id)
    return found


# Last use is written off the request path: on SQLite the write waits for the single
# writer, which a long import may hold; a request must not wait for that.
_recorder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geode-token-use")
_scheduled: set[str] = set()  # token ids with a write queued: a burst of requests writes once
_scheduled_lock = threading.Lock()


def _record_use_soon(engine: Engine, token_id: str) -> None:
    with _scheduled_lock:
        if token_id in _scheduled:
            return
        _scheduled.add(token_id)
    _recorder.submit(_record_use, engine, token_id)


def _record_use(engine: Engine, token_id: str) -> None:
    try:
        with engine.begin() as connection:
            record_use(connection, token_id)
    except Exception as exc:  # the request succeeded; its bookkeeping is best effort
        log.warning("could not record the use of access token %s: %s", token_id, exc)
    finally:
        with _scheduled_lock:
            _scheduled.discard(token_id)


AppDep = Annotated[App, Depends(get_app)]
TenantDep = Annotated[str, Depends(tenant_id)]
