"""The HTTP API (ASGI): a thin adapter over the services of a `geode.app.App`.

The worker that runs queued jobs starts and stops with the server (the
lifespan), so `geode serve` alone is a working deployment on SQLite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from geode.api.graphql.catalogue.access import catalogue_context
from geode.api.graphql.catalogue.schema import build_catalogue_schema
from geode.api.graphql.core.schema import build_core_schema
from geode.api.graphql.endpoint import add_graphql_route, authenticated
from geode.api.graphql.graphiql import add_graphiql_page
from geode.api.rest import (
    batch,
    conventions,
    customers,
    docs,
    errors,
    massops,
    media,
    presigned_uploads,
)
from geode.api.rest.auth import TOKEN_ID, TOKEN_SECRET
from geode.api.rest.body_limits import BodyLimits, limits_for
from geode.api.rest.massops_schemas import file_schema
from geode.app import App
from geode.jobs.runtime import Lifecycle


def create_api(app: App, worker: Lifecycle | None = None) -> FastAPI:
    """`worker` is (start, stop), run around the server's life; None runs no worker."""

    @asynccontextmanager
    async def lifespan(_api: FastAPI) -> AsyncIterator[None]:
        massops.clean_uploads(massops.uploads_dir(app))  # left by a server killed mid-upload
        app.media.clean_incoming()
        if worker is not None:
            worker[0]()
        try:
            yield
        finally:
            if worker is not None:
                worker[1]()

    api = FastAPI(
        title="Geode",
        version="0.1.0",
        description="Commerce data platform: batch jobs, mass operations, loyalty ledger, media.",
        lifespan=lifespan,
        docs_url=None,  # docs.install serves both pages with local assets
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    api.state.geode = app
    errors.install(api)
    conventions.install(api)
    docs.install(api)
    batch.add_submit_routes(api, dict(app.batches.handlers))
    api.include_router(batch.router)
    api.include_router(massops.router)
    api.include_router(customers.router)
    api.include_router(media.router)
    add_graphql_route(api, "/@{tenant}", build_core_schema(), authenticated, name="core_api")
    catalogue = build_catalogue_schema()
    at, plain = "/@{tenant}/catalogue", "/{tenant}/catalogue"  # `at` first: `plain` matches it too
    add_graphql_route(api, at, catalogue, catalogue_context, name="catalogue_api_at")
    add_graphql_route(api, plain, catalogue, catalogue_context, name="catalogue_api")
    add_graphiql_page(api, "/@{tenant}", title="Geode Core API", name="core_api_graphiql")
    static_token = {"X-Crystallize-Static-Auth-Token": "only if the tenant requires one"}
    for path, name in ((at, "catalogue_api_at_graphiql"), (plain, "catalogue_api_graphiql")):
        add_graphiql_page(api, path, title="Geode Catalogue API", name=name, headers=static_token)
    _document_batch_objects(api, app)
    api.include_router(presigned_uploads.router)
    uploads = (
        ("POST", massops.PREFIX),
        ("POST", media.UPLOAD_PATH),
        ("POST", presigned_uploads.PATH),
    )
    api.add_middleware(BodyLimits, **limits_for(app.settings, uploads, batch.PREFIX))
    return api


def _document_batch_objects(api: FastAPI, app: App) -> None:
    """Add each batch type's object schema to the OpenAPI components (the POST
    bodies are read by hand, so FastAPI cannot find them itself)."""
    build = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is not None:
            return api.openapi_schema
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        for handler in app.batches.handlers.values():
            schema = handler.schema.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[handler.schema.__name__] = schema
        upload = spec["paths"][massops.PREFIX]["post"]["requestBody"]["content"]
        body, definitions = file_schema(app.massops.intents)
        upload["application/json"]["schema"] = body
        schemas.update(definitions)
        _require_both_token_headers(spec)
        api.openapi_schema = spec
        return spec

    api.openapi = openapi  # type: ignore[method-assign]


def _require_both_token_headers(spec: dict[str, Any]) -> None:
    """FastAPI lists two security dependencies as alternatives (either header
    would do); the server needs both, which OpenAPI says with one requirement."""
    both = {TOKEN_ID.scheme_name, TOKEN_SECRET.scheme_name}
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            security = operation.get("security") if isinstance(operation, dict) else None
            if security and {name for item in security for name in item} == both:
                operation["security"] = [{name: [] for name in sorted(both)}]
