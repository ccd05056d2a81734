"""GraphiQL in a browser at a GraphQL API's own path, e.g. `GET /@{tenant}`.

The page and its scripts come from this server (GraphiQL 3 and React 18, see
`static/README.md`), so it works on a machine without internet; nothing on the
page names another host. GraphiQL posts its queries as JSON to the address the
page was loaded from, so one page serves any GraphQL path (the Core API at
`/@{tenant}`, a Catalogue API at `/{tenant}/catalogue`) and keeps working
behind a proxy that moves the path.

The access token goes in GraphiQL's Headers pane, pre-filled with the two header
names. GraphiQL keeps headers in memory only (not in local storage, unless the
user turns that on in its settings), so a secret does not outlive the tab. The
page itself needs no token: it holds no data and is the same for every tenant,
existing or not.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from importlib.resources import as_file, files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from starlette.routing import BaseRoute

from geode.api.rest.auth import TOKEN_ID, TOKEN_SECRET
from geode.errors import NotFoundError

ASSETS_URL = "/graphiql/assets"
_ASSETS = {
    "graphiql.min.js": "text/javascript",
    "graphiql.min.css": "text/css",
    "react.production.min.js": "text/javascript",
    "react-dom.production.min.js": "text/javascript",
}

# Placeholders a user replaces; GraphiQL shows them in its Headers pane.
PLACEHOLDER_HEADERS = {
    TOKEN_ID.model.name: "your access token id",
    TOKEN_SECRET.model.name: "its secret",
}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{assets}/graphiql.min.css">
<style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<noscript>GraphiQL needs JavaScript; without it, POST queries here as JSON.</noscript>
<script id="graphiql-options" type="application/json">{options}</script>
<script src="{assets}/react.production.min.js"></script>
<script src="{assets}/react-dom.production.min.js"></script>
<script src="{assets}/graphiql.min.js"></script>
<script>
(function () {{
  var options = JSON.parse(document.getElementById("graphiql-options").textContent);
  var url = window.location.pathname;
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {{
      fetcher: GraphiQL.createFetcher({{ url: url }}),
      storage: GraphiQL.createLocalStorage({{ namespace: "graphiql:" + url }}),
      defaultQuery: options.defaultQuery,
      defaultHeaders: options.defaultHeaders,
      defaultEditorToolsVisibility: "headers",
      shouldPersistHeaders: false
    }})
  );
}})();
</script>
</body>
</html>
"""


def _default_query(title: str) -> str:
    return (
        f"# {title}\n"
        "#\n"
        "# 1. Put an access token of this tenant in the Headers\n"
        "#    pane below (create one with: geode token create).\n"
        "# 2. Re-fetch the schema (Shift+Ctrl+R, or the circling\n"
        "#    arrows at the bottom left) for completion and docs.\n"
        "# 3. Write a query here and run it with Ctrl+Enter.\n"
    )


def graphiql_html(
    title: str, assets_url: str = ASSETS_URL, headers: Mapping[str, str] | None = None
) -> str:
    """The page for a GraphQL API called `title`, with its scripts under `assets_url`
    and `headers` (default: the access-token placeholders) in the Headers pane."""
    shown = PLACEHOLDER_HEADERS if headers is None else headers
    options = {
        "defaultQuery": _default_query(title),
        "defaultHeaders": json.dumps(dict(shown), indent=2),
    }
    # JSON inside <script>: escape `<`, so no `</script>` can end it early.
    options_json = json.dumps(options).replace("<", "\\u003c")
    return _PAGE.format(
        title=html.escape(f"{title} - GraphiQL"),
        assets=html.escape(assets_url),
        options=options_json,
    )


def _asset_dir() -> Path:
    with as_file(files("geode.api.graphql") / "static") as directory:
        # An installed wheel is a real directory, so the path stays valid.
        return Path(directory)


def _has_route(api: FastAPI, path: str) -> bool:
    routes: list[BaseRoute] = api.routes
    return any(getattr(route, "path", None) == path for route in routes)


def add_graphiql_assets(api: FastAPI, assets_url: str = ASSETS_URL) -> None:
    """GET `{assets_url}/{name}` serves GraphiQL's scripts and style (once per app)."""
    route_path = assets_url + "/{name}"
    if _has_route(api, route_path):
        return
    assets = _asset_dir()

    async def graphiql_asset(name: str) -> FileResponse:
        media_type = _ASSETS.get(name)
        if media_type is None:
            raise NotFoundError(f"no GraphiQL asset {name!r}")
        return FileResponse(
            assets / name,
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=86400"},
        )

    api.add_api_route(route_path, graphiql_asset, methods=["GET"], include_in_schema=False)


def add_graphiql_page(
    api: FastAPI,
    path: str,
    *,
    title: str,
    name: str,
    assets_url: str = ASSETS_URL,
    headers: Mapping[str, str] | None = None,
) -> None:
    """GET `path` (the GraphQL route's own path template) serves GraphiQL for the
    API posted to at that same address; adds the assets route with the first page.
    `headers` pre-fill the Headers pane (default: the access-token placeholders)."""
    add_graphiql_assets(api, assets_url)
    page = graphiql_html(title, assets_url, headers)

    async def graphiql() -> HTMLResponse:
        return HTMLResponse(page)

    api.add_api_route(path, graphiql, methods=["GET"], name=name, include_in_schema=False)
