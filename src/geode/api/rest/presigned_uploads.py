"""Presigned uploads: a mass-operation file POSTed with a signed grant instead of a token.

The Core API's `generatePresignedUploadRequest` answers a URL (`PATH` on this
server) and form fields, as a presigned S3 POST would: `key` (which names the
tenant and the file: `<tenant identifier>/mass-operations/<id>/<file name>`),
`Content-Type`, and the grant, `X-Geode-Tenant`, `X-Geode-Expires` (Unix
seconds) and `X-Geode-Signature`, an HMAC-SHA256 of the tenant's id, the key and
the expiry. Whoever holds the fields may upload that one file for that tenant
until the grant expires, without an access token; nothing runs until a caller
with a token turns the key into a task (`createMassOperationBulkTask`).

The secret is made when the process starts and lives only in its memory: a
restarted server refuses the grants it gave before (ask for new ones). Uploaded
files live on this server's disk (under `<data_dir>/uploads/presigned`), so the
server that signs is the server that stores and the one that reads them.

The form is multipart/form-data: the fields first, then `file` (a grant is
checked before a byte of the file is written). The file is streamed to disk up
to GEODE_MAX_UPLOAD_BYTES, the limit of every mass-operation upload, and kept
KEEP_SECONDS for a task to be made of it; each key takes one upload and makes
one task.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio.to_thread
import msgspec
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from geode.api.rest.auth import AppDep
from geode.api.rest.conventions import body_of
from geode.api.rest.errors import error_response
from geode.api.rest.massops import uploads_dir
from geode.api.rest.multipart import FormStream
from geode.api.rest.streamed_files import write_capped
from geode.app import App
from geode.errors import (
    ConflictError,
    GeodeError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
)
from geode.ids import new_id
from geode.leftovers import remove_unlocked
from geode.timestamps import format_timestamp

PATH = "/api/massops/uploads"
FORM = "multipart/form-data"
LIFETIME_SECONDS = 900
"""How long a grant may start an upload (the upload itself may take longer)."""
KEEP_SECONDS = 24 * 3600
"""How long an uploaded file waits for a task to be made of it (and a used key is
remembered as used)."""
PARTIAL_GRACE_SECONDS = 60
MAX_FILENAME = 200

KEY, CONTENT_TYPE = "key", "Content-Type"
TENANT, EXPIRES, SIGNATURE = "X-Geode-Tenant", "X-Geode-Expires", "X-Geode-Signature"
FIELDS = (KEY, CONTENT_TYPE, TENANT, EXPIRES, SIGNATURE)
_SIGNED = (KEY, TENANT, EXPIRES, SIGNATURE)
_VERSION = "geode-presigned-upload-1"
_SECRET = secrets.token_bytes(32)

KEY_RE = re.compile(
    r"^(?P<tenant>[a-z0-9][a-z0-9-]{0,63})/mass-operations/(?P<id>[0-9a-f]{24})/"
    rf"(?P<name>[A-Za-z0-9._-]{{1,{MAX_FILENAME}}})$"
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

router = APIRouter(tags=["mass operations"])


class UploadGrantInvalid(GeodeError):
    """The grant's fields are not ones this server signed (changed, or from before a restart)."""

    code = "upload_grant_invalid"


class UploadGrantExpired(UploadGrantInvalid):
    code = "upload_grant_expired"


@dataclass(frozen=True)
class UploadGrant:
    key: str
    fields: list[tuple[str, str]]
    """(name, value) in the order the form must send them, before `file`."""
    lifetime: int


# -- grants ---------------------------------------------------------------------------


def _signature(tenant_id: str, key: str, expires: int) -> str:
    message = msgspec.json.encode([_VERSION, tenant_id, key, expires])
    return hmac.new(_SECRET, message, hashlib.sha256).hexdigest()


def grant_fields(
    tenant_id: str, key: str, expires: int, content_type: str
) -> list[tuple[str, str]]:
    """The form fields of a grant for `key` valid until `expires` (Unix seconds)."""
    return [
        (KEY, key),
        (CONTENT_TYPE, content_type),
        (TENANT, tenant_id),
        (EXPIRES, str(expires)),
        (SIGNATURE, _signature(tenant_id, key, expires)),
    ]


def file_key(tenant_identifier: str, filename: str) -> str:
    """A new key for `filename` (its last path segment, made URL-safe) of the tenant."""
    name = _UNSAFE.sub("-", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip("-")
    if not name.strip("."):
        raise InvalidInputError(
            f"filename: {filename!r} has no usable name; send the file's name, "
            "e.g. operations.json",
            detail={"path": "filename"},
        )
    return f"{tenant_identifier}/mass-operations/{new_id()}/{name[-MAX_FILENAME:]}"


def issue_grant(
    app: App, tenant_id: str, tenant_identifier: str, filename: str, content_type: str
) -> UploadGrant:
    """A grant to upload one mass-operation file named `filename` for the tenant."""
    if len(content_type) > 255 or any(ord(c) < 32 or ord(c) == 127 for c in content_type):
        raise InvalidInputError(
            "contentType: not a media type; send application/json",
            detail={"path": "contentType"},
        )
    key = file_key(tenant_identifier, filename)
    sweep(tenant_dir(app, tenant_id))
    expires = int(time.time()) + LIFETIME_SECONDS
    return UploadGrant(key, grant_fields(tenant_id, key, expires, content_type), LIFETIME_SECONDS)


def _refused_form(message: str, path: str) -> InvalidInputError:
    return InvalidInputError(f"{path}: {message}", detail={"path": path, "message": message})


def check_grant(fields: dict[str, str], now: float) -> tuple[str, str]:
    """(tenant id, key) of a form whose grant this server signed and is still valid."""
    missing = [name for name in _SIGNED if name not in fields]
    if missing:
        raise _refused_form(
            f"the form lacks {', '.join(missing)}: send every field "
            "generatePresignedUploadRequest answered, exactly as given, before `file`",
            missing[0],
        )
    tenant_id, key, expires_text = fields[TENANT], fields[KEY], fields[EXPIRES]
    digits = expires_text.isascii() and expires_text.isdigit() and len(expires_text) < 16
    expires = int(expires_text) if digits else -1
    expected = _signature(tenant_id, key, expires).encode()
    if expires < 0 or not hmac.compare_digest(expected, fields[SIGNATURE].encode()):
        raise UploadGrantInvalid(
            "the upload grant is not valid: its fields are not the ones this server signed "
            "(one was changed, or the server restarted since); ask "
            "generatePresignedUploadRequest for a new one and send its fields as they are"
        )
    if expires <= now:
        moment = format_timestamp(datetime.fromtimestamp(expires, UTC))
        raise UploadGrantExpired(
            f"the upload grant expired at {moment} ({int(now - expires)} s ago; a grant "
            f"starts uploads for {LIFETIME_SECONDS} s): ask generatePresignedUploadRequest "
            "for a new one",
            detail={"expiredAt": moment},
        )
    if KEY_RE.fullmatch(key) is None:  # signed, so never: a bound on what reaches the disk
        raise UploadGrantInvalid("the upload grant's key is not one this server makes")
    return tenant_id, key


# -- storage --------------------------------------------------------------------------


def tenant_dir(app: App, tenant_id: str) -> Path:
    return uploads_dir(app) / "presigned" / tenant_id


def _stem(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def uploaded_path(app: App, tenant_id: str, key: str) -> Path:
    """Where the file uploaded under `key` waits (named by the key's digest, so no
    name of the client's reaches the file system)."""
    return tenant_dir(app, tenant_id) / f"{_stem(key)}.json"


def _used_marker(path: Path) -> Path:
    return path.with_suffix(".used")


def sweep(directory: Path, now: float | None = None) -> None:
    """Remove what uploads cut short left (a `partial-*` file no request holds, a
    minute after it was last written: one just made is not locked yet), and files
    and marks older than KEEP_SECONDS."""
    now = now if now is not None else time.time()
    for path in directory.glob("*") if directory.is_dir() else ():
        try:
            age = now - path.stat().st_mtime
        except FileNotFoundError:
            continue
        if path.name.startswith("partial-"):
            if age > PARTIAL_GRACE_SECONDS:
                remove_unlocked(directory, path.name)
        elif age > KEEP_SECONDS:
            path.unlink(missing_ok=True)


def _used_by(path: Path) -> str | None:
    """The task made of the key's file ("" when its id is not known), else None."""
    try:
        return _used_marker(path).read_text().strip()
    except FileNotFoundError:
        return None


def _already_used(key: str, task_id: str) -> ConflictError:
    made = f" (task {task_id})" if task_id else ""
    return ConflictError(
        f"key {key!r} was made into a task already{made}; a key makes one task: upload the "
        "file again with a new generatePresignedUploadRequest",
        detail={"path": "key", "taskId": task_id or None},
    )


def parse_key(key: str, tenant_identifier: str) -> None:
    """Refuse a key this server did not make, or one of another tenant."""
    found = KEY_RE.fullmatch(key)
    if found is None:
        raise InvalidInputError(
            f"key: {key!r} is not a key generatePresignedUploadRequest gave "
            "(<tenant>/mass-operations/<id>/<file name>)",
            detail={"path": "key"},
        )
    if found["tenant"] != tenant_identifier:
        raise InvalidInputError(
            f"key: {key!r} is a key of tenant {found['tenant']!r}, not of "
            f"{tenant_identifier!r}: upload the file with this tenant's "
            "generatePresignedUploadRequest",
            detail={"path": "key"},
        )


def take_upload(app: App, tenant_id: str, tenant_identifier: str, key: str) -> Path:
    """The file uploaded under `key`, moved aside so that no other request can take it;
    the caller makes a task of it, then calls `release`."""
    parse_key(key, tenant_identifier)
    path = uploaded_path(app, tenant_id, key)
    taken = path.with_name(f"{path.stem}.taken-{new_id()}")
    try:
        os.rename(path, taken)
    except FileNotFoundError:
        used = _used_by(path)
        if used is not None:
            raise _already_used(key, used) from None
        raise NotFoundError(
            f"key: no file was uploaded under {key!r} (or it waited more than "
            f"{KEEP_SECONDS // 3600} hours for a task): POST it to the url "
            "generatePresignedUploadRequest gave, with its fields",
            detail={"path": "key"},
        ) from None
    os.utime(taken)  # a fresh age: `sweep` leaves it alone while its task is made
    return taken


def release(taken: Path, task_id: str | None) -> None:
    """The key of `taken` is used (by `task_id`, when one was made); its file goes."""
    stem = taken.name.split(".", 1)[0]
    taken.with_name(f"{stem}.used").write_text(task_id or "")
    taken.unlink(missing_ok=True)


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"file: the file is larger than {limit} bytes, the most this server accepts "
        "(GEODE_MAX_UPLOAD_BYTES); split it, or run it with `geode massop run`",
        detail={"path": "file", "maxBytes": limit},
    )


class _FieldsFirst(FormStream):
    """The form, remembering which text fields came before the file: the grant must be
    checked before a byte of the file is written, wherever the network cut the body."""

    before_file: dict[str, str] | None = None

    def _headers_finished(self) -> None:
        super()._headers_finished()
        if self._is_file and self.before_file is None:
            self.before_file = dict(self.fields)


async def _store(form: FormStream, target: Path, key: str, limit: int) -> int:
    """Stream the form's file to `target`, which must not exist yet; its size. A
    refused or cut-short upload leaves nothing (a killed server leaves a locked
    `partial-*` file that `sweep` removes)."""
    directory = target.parent
    await anyio.to_thread.run_sync(lambda: directory.mkdir(parents=True, exist_ok=True))
    await anyio.to_thread.run_sync(sweep, directory)
    used = _used_by(target)
    if used is not None:
        raise _already_used(key, used)
    if target.exists():
        raise _uploaded_already(key)
    handle, name = tempfile.mkstemp(dir=directory, prefix="partial-")
    partial = Path(name)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with os.fdopen(handle, "wb") as out:  # closing it releases the lock
            size = await write_capped(out, form.file_chunks(), limit, _too_large)
            if size == 0:
                raise _refused_form("the file is empty; send the mass-operation file", "file")
            await form.finish()
            try:
                os.link(partial, target)  # never over a file another upload put there
            except FileExistsError:
                raise _uploaded_already(key) from None
    finally:
        partial.unlink(missing_ok=True)
    return size


def _uploaded_already(key: str) -> ConflictError:
    return ConflictError(
        f"key: a file was uploaded under {key!r} already; a grant takes one upload: ask "
        "generatePresignedUploadRequest for a new one",
        detail={"path": "key"},
    )


# -- the endpoint ---------------------------------------------------------------------


class PresignedUpload(BaseModel):
    key: str = Field(
        description="The key the file is stored under: pass it to "
        "`createMassOperationBulkTask(input: {key})`."
    )
    size: int = Field(ge=1, description="Bytes received.")


@router.post(
    PATH,
    status_code=201,
    response_model=PresignedUpload,
    dependencies=[Depends(body_of(FORM))],
    # Not in the REST API's OpenAPI document: like a presigned S3 URL it is reached
    # through the Core API (`generatePresignedUploadRequest` gives it), not on its own.
    include_in_schema=False,
)
async def upload(request: Request, app: AppDep) -> Any:
    """The form `generatePresignedUploadRequest` describes: its fields, then `file`
    (`curl -F key=... -F X-Geode-Tenant=... ... -F file=@operations.json URL`). No
    access token: the signed fields are the permission, for one file, for a while.

    201 `{key, size}`; 403 a grant this server did not sign (`upload_grant_invalid`)
    or one expired (`upload_grant_expired`); 409 a key uploaded or made into a task
    already; 413 a file over GEODE_MAX_UPLOAD_BYTES (nothing of it kept); 415 a body
    that is not multipart/form-data; 422 a field missing or after the file, no
    `file`, an empty file or a malformed form."""
    limit = app.settings.max_upload_bytes
    try:
        form = _FieldsFirst(request, "file", FIELDS, limit)
        await form.open_file()
        tenant_id, key = check_grant(form.before_file or {}, time.time())
        size = await _store(form, uploaded_path(app, tenant_id, key), key, limit)
    except PayloadTooLargeError:
        raise _too_large(limit) from None
    except UploadGrantInvalid as exc:
        return error_response(403, exc.message, exc.code, exc.detail)
    return JSONResponse(PresignedUpload(key=key, size=size).model_dump(), status_code=201)
