"""/docs (Swagger UI) and /redoc served with their scripts from this server.

FastAPI's pages load their scripts, styles, favicon and (ReDoc) Google fonts
from outside hosts, so they are blank on a machine without internet, which is
where a self-hosted Geode often runs. The files come from the `fastapi-offline`
package (Swagger UI 5 and ReDoc 2 bundles); nothing on either page names
another host (Swagger UI's online validator is turned off).
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from geode.errors import NotFoundError

ASSETS_URL = "/docs/assets"
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}


def _asset_dir() -> Path:
    with as_file(files("fastapi_offline") / "static") as directory:
        # An installed wheel is a real directory, so the path stays valid.
        return Path(directory)


def install(api: FastAPI) -> None:
    """Call with `FastAPI(docs_url=None, redoc_url=None)`; the routes are left out of
    the OpenAPI document (they are pages, not the API)."""
    assets = _asset_dir()
    openapi_url = api.openapi_url or "/openapi.json"
    title = api.title

    @api.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - API documentation",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    @api.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} - API reference",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )

    @api.get(ASSETS_URL + "/{name}", include_in_schema=False)
    def asset(name: str) -> FileResponse:
        media_type = _ASSETS.get(name)
        if media_type is None:
            raise NotFoundError(f"no documentation asset {name!r}")
        return FileResponse(
            assets / name,
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=86400"},
        )
