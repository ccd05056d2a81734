"""`fileUpload { uploadFromUrl }`: an image downloaded into the tenant's media library.

Geode fetches the URL itself (`geode.media.remote`: public hosts only unless
GEODE_REMOTE_FETCH_ALLOWED_HOSTS says otherwise, every redirect checked, at most
GEODE_MEDIA_MAX_BYTES, an image by its bytes), then records it as an HTTP upload
would (`geode.media.service.record`): the answer's `key` names it in the catalogue
and `url` is where Geode serves it (`GET /media/{key}`). The same bytes fetched
again answer the key of the first upload. The download happens before, and
outside, the transaction that records it.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from geode.api.graphql.context import RequestContext, context_of
from geode.api.graphql.core.writes import check_tenant
from geode.api.graphql.errors import BasicError, basic_error
from geode.errors import GeodeError
from geode.media.remote import RemoteFetchPolicy, download_image
from geode.media.service import StoredFile, record, tenant_by_id
from geode.media.store import Received


@strawberry.type(description="A file stored in the tenant's media library and served by Geode.")
class FileContent:
    key: str = strawberry.field(
        description="`<tenant identifier>/<2 hex>/<sha256>/<file name>`: name the image by it "
        "in image components and mass-operation files."
    )
    url: str = strawberry.field(description="Where Geode serves the file.")


UploadFromUrlResult = Annotated[FileContent | BasicError, strawberry.union("UploadFromUrlResult")]


def _record(context: RequestContext, filename: str | None, received: Received) -> StoredFile:
    app = context.app
    with app.engine.begin() as connection:
        tenant = tenant_by_id(connection, context.tenant_id)
        return record(
            connection, app.media, tenant, filename, received, public_url=app.settings.public_url
        )


@strawberry.type
class FileUploadMutations:
    @strawberry.field(
        description="Download the image at `url` (http or https, public hosts only; JPEG, PNG, "
        "GIF, WebP or AVIF, at most the server's media size limit) into the tenant's media "
        "library. `fileName` names it in its key (default: the URL's last segment); the "
        "extension is that of the type found."
    )
    def uploadFromUrl(
        self,
        info: strawberry.Info,
        url: str,
        tenantId: strawberry.ID | None = None,
        fileName: str | None = None,
    ) -> UploadFromUrlResult:
        context = context_of(info)
        app = context.app
        try:
            check_tenant(context, tenantId, "tenantId")
            fetched = download_image(app.media, url, RemoteFetchPolicy.from_settings(app.settings))
            try:
                stored = _record(context, fileName or fetched.filename, fetched.received)
            finally:
                app.media.discard(fetched.received)  # kept by `record`: then nothing happens
        except GeodeError as exc:
            return basic_error(exc)
        return FileContent(key=stored.key, url=stored.url)


@strawberry.type
class FileUploadMutation:
    @strawberry.field(description="Files put into the tenant's media library.")
    def fileUpload(self) -> FileUploadMutations:
        return FileUploadMutations()


__all__ = ["FileContent", "FileUploadMutation"]
