"""GraphQL over HTTP for one schema at a tenant's path, e.g. `POST /@{tenant}`.

The access-token headers decide the tenant, as in the REST API; the path must
name that same tenant. Anything else (no token, a wrong one, another
tenant's) is HTTP 401 with one message, so nothing can be learnt by probing.
The query runs in a worker thread: resolvers use the database synchronously.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import strawberry
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from geode.api.graphql.context import RequestContext
from geode.api.graphql.execution import execute
from geode.api.rest.auth import TOKEN_ID, TOKEN_SECRET, authenticate_request
from geode.api.rest.responses import exact_json
from geode.app import App
from geode.errors import AuthenticationError

UNAUTHORIZED = (
    "send an access token of this tenant in the X-Crystallize-Access-Token-Id and "
    "X-Crystallize-Access-Token-Secret headers (create one with: geode token create)"
)


class GraphQLRequest(msgspec.Struct, forbid_unknown_fields=False):
    query: str
    variables: dict[str, Any] | None = None
    operationName: str | None = None


def error_body(status: int, message: str, code: str) -> JSONResponse:
    """A refused request, readable by GraphQL clients (`errors`) and by Crystallize's
    JS client (it throws the top-level `message`)."""
    return JSONResponse(
        status_code=status,
        content={
            "message": message,
            "errors": [{"message": message, "extensions": {"code": code}}],
        },
    )


def authenticated(app: App, request: Request, tenant: str) -> RequestContext:
    """The request's context, or `AuthenticationError` with the one message above."""
    token_id = request.headers.get(TOKEN_ID.model.name)
    secret = request.headers.get(TOKEN_SECRET.model.name)
    try:
        found = authenticate_request(app, token_id, secret)
    except AuthenticationError as exc:
        if exc.detail:  # expired or revoked: the secret's holder may know why
            raise
        raise AuthenticationError(UNAUTHORIZED) from None
    if found.tenant_identifier != tenant:
        raise AuthenticationError(UNAUTHORIZED)
    return RequestContext(app, found.tenant_id, tenant, str(request.base_url))


def add_graphql_route(
    api: FastAPI,
    path: str,
    schema: strawberry.Schema,
    context_for: Callable[[App, Request, str], RequestContext],
    *,
    name: str,
) -> None:
    """POST `path` (with a `{tenant}` parameter) answers GraphQL queries of `schema`."""

    async def graphql(request: Request, tenant: str) -> Response:
        app: App = request.app.state.geode
        try:
            body = msgspec.json.decode(await request.body(), type=GraphQLRequest)
        except msgspec.DecodeError as exc:
            return error_body(
                400, f"send a JSON object with a `query` string: {exc}", "BAD_REQUEST"
            )
        try:
            context = await run_in_threadpool(context_for, app, request, tenant)
        except AuthenticationError as exc:
            return error_body(401, exc.message, "UNAUTHENTICATED")
        answer = await run_in_threadpool(
            execute, schema, body.query, body.variables, body.operationName, context
        )
        return exact_json(answer)

    api.add_api_route(path, graphql, methods=["POST"], name=name, include_in_schema=False)
