"""A file uploaded to Geode: received into the store, recorded as an image key.

Two steps, so that a front door reads the bytes outside any transaction and
commits itself (services never commit):

    received = await store.receive(chunks, declared_type)          # streamed, checked
    with engine.begin() as connection:
        stored = record(connection, store, tenant, filename, received, public_url=...)

`receive` refuses what is too big, empty or not an allowed image or video;
`record` writes the `images` row (key, stored_path, content_type, size) and
moves the file into the store before the caller commits, so a crash leaves at
worst a stored file no row names (re-uploading it reuses it), never a row
without its file. The same bytes uploaded again by a tenant answer the key of
the first upload (`created` false), whatever the file name.

Key: `<tenant identifier>/<first 2 hex of sha256>/<sha256>/<safe file name>`;
the file name keeps letters, digits, `.`, `_` and `-` of the client's name
(at most 100 characters) and ends with the extension of the type found.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from geode.catalogue.models import Image
from geode.errors import InvalidInputError, NotFoundError
from geode.limits import KEY_MAX_LENGTH, key_problem
from geode.media.sniff import FileType
from geode.media.store import MediaStore, Received
from geode.tenants.models import Tenant
from geode.tenants.service import TenantInfo
from geode.tenants.settings import languages
from geode.timestamps import stored_timestamp, utcnow

_images: sa.Table = Image.__table__  # type: ignore[assignment]
_tenants: sa.Table = Tenant.__table__  # type: ignore[assignment]

NAME_MAX_LENGTH = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class StoredFile:
    key: str
    url: str
    content_type: str
    size: int
    sha256: str
    created: bool  # False: these bytes were already stored for this tenant

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "url": self.url,
            "contentType": self.content_type,
            "size": self.size,
            "created": self.created,
        }


@dataclass(frozen=True)
class ServedFile:
    """What `GET /media/{key}` needs to answer."""

    key: str
    stored_path: str
    content_type: str
    size: int

    @property
    def sha256(self) -> str:
        return self.stored_path.rsplit("/", 1)[-1]


def safe_filename(filename: str | None, kind: FileType) -> str:
    """`Été 2024 (1).JPEG` -> `Ete-2024-1.jpg`: safe in a URL and on any disk, with
    the extension of what the bytes are."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE.sub("-", ascii_stem).strip(".-_")
    room = NAME_MAX_LENGTH - len(kind.extension) - 1
    cleaned = cleaned[:room].rstrip(".-_") or "file"
    return f"{cleaned}.{kind.extension}"


def media_key(tenant_identifier: str, sha256: str, name: str) -> str:
    return f"{tenant_identifier}/{sha256[:2]}/{sha256}/{name}"


def media_url(public_url: str, key: str) -> str:
    return f"{public_url.rstrip('/')}/media/{quote(key)}"


def tenant_by_id(connection: sa.Connection, tenant_id: str) -> TenantInfo:
    row = connection.execute(sa.select(_tenants).where(_tenants.c.id == tenant_id)).first()
    if row is None:
        raise NotFoundError(f"no tenant with id {tenant_id!r}")
    return TenantInfo(row.id, row.identifier, stored_timestamp(row.created_at))


def record(
    connection: sa.Connection,
    store: MediaStore,
    tenant: TenantInfo,
    filename: str | None,
    received: Received,
    *,
    public_url: str,
    language: str | None = None,
    resource_identifier: str | None = None,
) -> StoredFile:
    """Record a received file under its key and move it into the store (see the
    module's docstring). `language` and `resourceIdentifier`, when given, replace
    the stored ones, as `image/register` does. On a refusal the file is discarded."""
    try:
        _check_fields(connection, tenant.id, language, resource_identifier)
        stored_path = f"{tenant.id}/{received.stored_path}"
        key, created = _write_row(
            connection, tenant, filename, received, stored_path, language, resource_identifier
        )
        store.keep(received, tenant.id)
    except BaseException:
        store.discard(received)
        raise
    return StoredFile(
        key=key,
        url=media_url(public_url, key),
        content_type=received.type.content_type,
        size=received.size,
        sha256=received.sha256,
        created=created,
    )


def _write_row(
    connection: sa.Connection,
    tenant: TenantInfo,
    filename: str | None,
    received: Received,
    stored_path: str,
    language: str | None,
    resource_identifier: str | None,
) -> tuple[str, bool]:
    """The key and whether this upload created it."""
    changes: dict[str, Any] = {}
    if language is not None:
        changes["language"] = language
    if resource_identifier is not None:
        changes["resource_identifier"] = resource_identifier
    # No index on stored_path: this reads the tenant's image rows (its key prefix of
    # the primary key), once per upload.
    existing = connection.execute(
        sa.select(_images.c.key)
        .where(_images.c.tenant_id == tenant.id, _images.c.stored_path == stored_path)
        .order_by(_images.c.key)
        .limit(1)
    ).scalar()
    if existing is not None:
        _update(connection, tenant.id, existing, changes)
        return str(existing), False
    key = media_key(tenant.identifier, received.sha256, safe_filename(filename, received.type))
    file_columns = {
        "stored_path": stored_path,
        "content_type": received.type.content_type,
        "size": received.size,
    }
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    inserted = connection.execute(
        insert(_images)
        .values(
            tenant_id=tenant.id,
            key=key,
            language=language,
            resource_identifier=resource_identifier,
            created_at=utcnow(),
            **file_columns,
        )
        .on_conflict_do_nothing()
        .returning(_images.c.key)  # rowcount is -1 on PostgreSQL (psycopg) here
    ).first()
    if inserted is not None:
        return key, True
    # The key was registered by `image/register` (or by an upload at this moment):
    # it now names this file.
    _update(connection, tenant.id, key, {**file_columns, **changes})
    return key, False


def _update(connection: sa.Connection, tenant_id: str, key: str, values: dict[str, Any]) -> None:
    if values:
        connection.execute(
            _images.update()
            .where(_images.c.tenant_id == tenant_id, _images.c.key == key)
            .values(**values)
        )


def _check_fields(
    connection: sa.Connection,
    tenant_id: str,
    language: str | None,
    resource_identifier: str | None,
) -> None:
    if language is not None:
        codes = languages(connection, tenant_id)
        if language not in codes:
            raise InvalidInputError(
                f"language: {language!r} is not a language of this tenant "
                f"({', '.join(codes)}); add it with `geode tenant configure`",
                detail={"path": "language", "code": "unknown_language"},
            )
    if resource_identifier is not None:
        problem = key_problem(resource_identifier)
        if problem is None and not 1 <= len(resource_identifier) <= KEY_MAX_LENGTH:
            problem = f"must be 1 to {KEY_MAX_LENGTH} characters"
        if problem is not None:
            raise InvalidInputError(
                f"resourceIdentifier: {problem}",
                detail={"path": "resourceIdentifier", "message": problem},
            )


def find(connection: sa.Connection, key: str) -> ServedFile:
    """The stored file of `key`, whose first segment is its tenant's identifier. A key
    registered without a file (`image/register` of an external image) is not found."""
    identifier = key.split("/", 1)[0]
    row = connection.execute(
        sa.select(_images.c.stored_path, _images.c.content_type, _images.c.size)
        .select_from(_images.join(_tenants, _tenants.c.id == _images.c.tenant_id))
        .where(
            _tenants.c.identifier == identifier,
            _images.c.key == key,
            _images.c.stored_path.is_not(None),
        )
    ).first()
    if row is None:
        raise NotFoundError(
            f"no file is stored at {key!r}",
            detail={"path": "key", "key": key},
        )
    return ServedFile(key, row.stored_path, row.content_type, int(row.size))
