"""Media over HTTP: upload a file (with a token), read it back (public).

`POST /api/media` streams the multipart body's `file` into the media store
(checked, hashed and written in one pass; see `multipart.FormStream`) and
records it as an image key of the token's tenant: 201, or 200 with
`created: false` when the tenant already has these bytes. `GET /media/{key}`
serves a stored file to anyone who has its key, as a CDN would: immutable (the
key holds the sha256 of the bytes), with an ETag and `nosniff`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from geode.api.rest.auth import AppDep, TenantDep
from geode.api.rest.conventions import body_of
from geode.api.rest.multipart import FormStream
from geode.api.rest.schemas import ErrorBody
from geode.app import App
from geode.db.engine import reading
from geode.errors import NotFoundError
from geode.media.service import StoredFile, find, record, tenant_by_id
from geode.media.sniff import ALLOWED
from geode.media.store import Received

UPLOAD_PATH = "/api/media"
FORM = "multipart/form-data"
CACHE_FOREVER = "public, max-age=31536000, immutable"
# Served files are shown, never run: no scripts, no plugins, nothing loaded from them.
CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox"

router = APIRouter(tags=["media"])


class MediaFile(BaseModel):
    key: str = Field(
        description="`<tenant identifier>/<2 hex>/<sha256>/<file name>`: name the image by "
        "it in mass-operation files (`image/register`, image components)."
    )
    url: str = Field(description="Where Geode serves the file (GEODE_PUBLIC_URL + /media/key).")
    contentType: str = Field(description="The type found from the file's first bytes.")
    size: int = Field(ge=1, description="Bytes.")
    created: bool = Field(description="False: this tenant had uploaded these bytes before.")


_FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "The image or video: JPEG, PNG, GIF, WebP, AVIF, MP4 or WebM, "
            "judged by its bytes (SVG is refused).",
        },
        "language": {
            "type": "string",
            "description": "A language of the tenant the image is for.",
        },
        "resourceIdentifier": {
            "type": "string",
            "minLength": 1,
            "maxLength": 256,
            "description": "Your own identifier for the image.",
        },
    },
}


@router.post(
    UPLOAD_PATH,
    status_code=201,
    response_model=MediaFile,
    summary="Upload an image or video",
    responses={
        200: {"model": MediaFile, "description": "The tenant had these bytes already: "
              "their key, with `created: false`."},
        401: {"model": ErrorBody, "description": "Missing or wrong access token."},
        413: {"model": ErrorBody, "description": "The file is over GEODE_MEDIA_MAX_BYTES "
              "(`payload_too_large`); nothing of it is kept."},
        415: {"model": ErrorBody, "description": "The body is not multipart/form-data "
              "(`unsupported_media_type`), or the file is not an allowed image or video "
              "(`unsupported_file_type`)."},
        422: {"model": ErrorBody, "description": "No `file` part, an empty file, an "
              "unknown field, a malformed form or a field that is not valid "
              "(`invalid_input`, `detail.path` names it)."},
    },
    dependencies=[Depends(body_of(FORM))],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {FORM: {"schema": _FORM_SCHEMA}},
        }
    },
)  # fmt: skip
async def upload(request: Request, app: AppDep, tenant: TenantDep) -> Any:
    """Stream one file (`curl -F file=@photo.jpg`) into the tenant's media library. Its
    type is decided from its first bytes, not from the name or Content-Type sent."""
    form = FormStream(request, "file", ("language", "resourceIdentifier"), app.media.max_bytes)
    part = await form.open_file()
    received = await app.media.receive(form.file_chunks(), part.content_type)
    try:
        fields = await form.finish()
        stored = await run_in_threadpool(_record, app, tenant, part.filename, received, fields)
    finally:
        app.media.discard(received)  # kept by `record` (then this does nothing) or dropped
    return JSONResponse(stored.as_json(), status_code=201 if stored.created else 200)


def _record(
    app: App, tenant_id: str, filename: str | None, received: Received, fields: dict[str, str]
) -> StoredFile:
    with app.engine.begin() as connection:
        tenant = tenant_by_id(connection, tenant_id)
        return record(
            connection,
            app.media,
            tenant,
            filename,
            received,
            public_url=app.settings.public_url,
            language=fields.get("language"),
            resource_identifier=fields.get("resourceIdentifier"),
        )


_BINARY = {"schema": {"type": "string", "format": "binary"}}
_SERVED_HEADERS: dict[str, Any] = {
    "ETag": {"description": "The sha256 of the bytes, quoted.", "schema": {"type": "string"}},
    "Cache-Control": {"description": CACHE_FOREVER, "schema": {"type": "string"}},
}


@router.get(
    "/media/{key:path}",
    summary="A stored file (public)",
    response_class=Response,
    responses={
        200: {
            "description": "The file, with its stored content type.",
            "content": {kind.content_type: _BINARY for kind in ALLOWED},
            "headers": _SERVED_HEADERS,
        },
        304: {"description": "If-None-Match named the ETag: the file has not changed "
              "(it never does).", "headers": _SERVED_HEADERS},
        404: {"model": ErrorBody, "description": "No file is stored under this key "
              "(`not_found`); a key registered without a file is not served."},
    },
)  # fmt: skip
def serve_file(
    key: Annotated[str, PathParam(description="The key the upload answered.")],
    request: Request,
    app: AppDep,
) -> Response:
    """Served as uploaded, cached for a year (the key names the bytes); supports
    `If-None-Match` (304), `Range` and HEAD. No token needed: the key is the secret."""
    with reading(app.engine) as connection:
        found = find(connection, key)
    headers = {
        "ETag": f'"{found.sha256}"',
        "Cache-Control": CACHE_FOREVER,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    }
    if _matches(request.headers.get("if-none-match"), found.sha256):
        return Response(status_code=304, headers=headers)
    path = app.media.path_of(found.stored_path)
    if not path.is_file():
        raise NotFoundError(
            f"the file of {key!r} is missing from the media store ({app.media.root}); "
            "upload it again",
            detail={"path": "key", "key": key},
        )
    return FileResponse(
        path,
        media_type=found.content_type,
        headers=headers,
        filename=key.rsplit("/", 1)[-1],
        content_disposition_type="inline",
    )


def _matches(if_none_match: str | None, sha256: str) -> bool:
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or f'"{sha256}"' in tags
