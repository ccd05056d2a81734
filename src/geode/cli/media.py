"""`geode media upload`: a local file into a tenant's media library, as over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, BinaryIO

import anyio
import anyio.to_thread
import typer

from geode.cli.context import app_context, out, print_json
from geode.db.engine import reading
from geode.media.service import record
from geode.media.store import WRITE_BYTES
from geode.tenants.service import get_tenant

media_app = typer.Typer(help="Files stored and served by Geode.", no_args_is_help=True)


@media_app.command("upload")
def upload(
    file: Annotated[Path, typer.Argument(help="An image or video file.")],
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant identifier.")],
    language: Annotated[
        str | None, typer.Option("--language", help="A language of the tenant.")
    ] = None,
    resource_identifier: Annotated[
        str | None, typer.Option("--resource-identifier", help="Your own identifier for it.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {key, url, contentType, size, created}.")
    ] = False,
) -> None:
    """Store FILE (JPEG, PNG, GIF, WebP, AVIF, MP4 or WebM, judged by its bytes; at most
    GEODE_MEDIA_MAX_BYTES) and print its key and the URL Geode serves it at."""
    with app_context() as app:
        with reading(app.engine) as connection:
            owner = get_tenant(connection, tenant)
        with open(file, "rb") as handle:
            received = anyio.run(app.media.receive, _chunks(handle))
        try:
            with app.engine.begin() as connection:
                stored = record(
                    connection,
                    app.media,
                    owner,
                    file.name,
                    received,
                    public_url=app.settings.public_url,
                    language=language,
                    resource_identifier=resource_identifier,
                )
        finally:
            app.media.discard(received)  # kept by `record` (then this does nothing) or dropped
    if as_json:
        print_json(stored.as_json())
        return
    state = "stored" if stored.created else "already stored"
    out.print(f"{state}: {stored.key} ({stored.content_type}, {stored.size} bytes)")
    out.print(stored.url)


async def _chunks(handle: BinaryIO) -> AsyncIterator[bytes]:
    """The file a piece at a time, as an HTTP body arrives: never whole in memory."""
    while chunk := await anyio.to_thread.run_sync(handle.read, WRITE_BYTES):
        yield chunk
