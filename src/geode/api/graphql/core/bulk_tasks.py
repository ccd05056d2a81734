"""Mass operations the way Crystallize's Core API runs them, over `MassOperationService`.

1. `generatePresignedUploadRequest(filename, contentType, type: MASS_OPERATIONS)`:
   where and how to upload the file (see `rest.presigned_uploads`: a URL of this
   server and signed form fields; no token needed for the upload itself).
2. The client POSTs the fields, then `file`; the key is the `key` field.
3. `createMassOperationBulkTask(input: {key, autoStart})`: the whole file is
   validated and becomes a task (`pending`); `autoStart: true` queues it at once.
   A key makes one task; a key of another tenant, one never uploaded (or waiting
   over a day) or one used already is a BasicError, as is a file refused
   (`code: invalid_file`, every problem in `detail`).
4. `startMassOperationBulkTask(id)`: queue it for the worker (a cancelled or
   failed task resumes from its checkpoint; a running or finished one is left
   as it is).
5. `bulkTask(id)`: poll until `complete` (or `error`).
6. `operationLogs(first, after, filter: {operationId})`: one entry per operation,
   in file order, at most 100 a page.

Statuses. A task's `status` is Crystallize's; Geode's own is `geodeStatus`:
`validating` and `pending` are `pending`; `running` is `started`; `complete` and
`completeWithErrors` are `complete` (a task that ran to its end is complete; its
failed operations are in the logs, as `failure`); `invalid` (file refused),
`failed` (stopped by an error; start it again to resume) and `cancelled` are
`error`.

A log entry's `status`/`statusCode`: `success`/200; `failure`/500; Geode's
`skipped` (not run because an operation it refers to failed) is `failure`/500
too, its `geodeStatus` says `skipped` and its message names the failed one.
`partial`/206 is never answered: a Geode operation applies whole or not at all.
`input` is the operation as the file had it for failed and skipped operations
(kept for retries); null for successes, whose input is not kept. `output` is
what later operations read through `{{ ref.field }}` (a customer's fields, say):
the engine keeps it for operations named with a `_ref`; for the others it is
null, and `key` (the natural key addressed) and `resourceId` say what was written.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, TypeVar, cast

import msgspec
import strawberry
from strawberry.scalars import JSON

from geode.api.graphql.context import context_of
from geode.api.graphql.errors import BasicError, basic_error
from geode.api.rest import presigned_uploads as uploads
from geode.errors import GeodeError, InvalidInputError
from geode.massops.repository import TaskInfo

T = TypeVar("T")

MAX_PAGE = 100
_CURSOR_PREFIX = "operation-log:"


@strawberry.enum(description="What an upload is for; only MASS_OPERATIONS is taken here.")
class FileUploadType(Enum):
    MEDIA = "MEDIA"
    STATIC = "STATIC"
    MASS_OPERATIONS = "MASS_OPERATIONS"


@strawberry.type(description="A form field to send, as given, before the file.")
class PresignedUploadField:
    name: str
    value: str


@strawberry.type(
    description="Where and how to upload one file: POST multipart/form-data to `url` with "
    "every field of `fields`, in order, then the file as `file`; HTTP 201 answers a "
    "stored file. The `key` field names it afterwards."
)
class PresignedUploadRequest:
    url: str = strawberry.field(description="This server's upload endpoint (absolute).")
    fields: list[PresignedUploadField]
    maxSize: float = strawberry.field(
        description="Bytes at most (GEODE_MAX_UPLOAD_BYTES); a Float, as it may be past "
        "GraphQL's 32-bit Int."
    )
    lifetime: int = strawberry.field(
        description="Seconds the fields may start an upload, from now."
    )


@strawberry.enum(description="Crystallize's task statuses (Geode's own: `geodeStatus`).")
class BulkTaskStatus(Enum):
    pending = "pending"
    started = "started"
    complete = "complete"
    error = "error"


@strawberry.enum
class BulkTaskType(Enum):
    massOperation = "massOperation"


TASK_STATUSES: dict[str, BulkTaskStatus] = {
    "validating": BulkTaskStatus.pending,
    "pending": BulkTaskStatus.pending,
    "running": BulkTaskStatus.started,
    "complete": BulkTaskStatus.complete,
    "completeWithErrors": BulkTaskStatus.complete,
    "invalid": BulkTaskStatus.error,
    "failed": BulkTaskStatus.error,
    "cancelled": BulkTaskStatus.error,
}
"""Geode's task status -> Crystallize's (see the module)."""


@strawberry.type(description="A mass-operation task: one file's operations, run in order.")
class BulkTaskMassOperation:
    id: strawberry.ID
    type: BulkTaskType
    status: BulkTaskStatus
    key: str | None = strawberry.field(
        description="The uploaded file's key; null for a task not made from an upload key."
    )
    geodeStatus: str = strawberry.field(
        description="Geode's status: validating, invalid, pending, running, complete, "
        "completeWithErrors, cancelled or failed."
    )
    total: int = strawberry.field(description="Operations in the file.")
    processed: int = strawberry.field(description="Operations applied and logged so far.")
    counts: JSON = strawberry.field(
        description='Operations per intent and outcome, e.g. {"customer/create": {"created": 2}}.'
    )
    errorMessage: str | None = strawberry.field(description="Why the task failed, if it did.")
    createdAt: str
    startedAt: str | None
    finishedAt: str | None


@strawberry.input
class CreateMassOperationBulkTaskInput:
    key: str = strawberry.field(description="The `key` field of the upload.")
    autoStart: bool | None = strawberry.field(
        default=False, description="Queue the task at once (else: startMassOperationBulkTask)."
    )


@strawberry.input
class OperationLogFilter:
    operationId: strawberry.ID = strawberry.field(description="The task's id.")


@strawberry.enum
class OperationLogStatus(Enum):
    success = "success"
    partial = "partial"
    failure = "failure"


LOG_STATUSES: dict[str, tuple[OperationLogStatus, int]] = {
    "success": (OperationLogStatus.success, 200),
    "failure": (OperationLogStatus.failure, 500),
    "skipped": (OperationLogStatus.failure, 500),
}
"""Geode's log status -> Crystallize's `status` and `statusCode` (see the module)."""


@strawberry.type(description="One operation's result.")
class OperationLog:
    id: strawberry.ID = strawberry.field(description="`<task id>:<index>`.")
    input: JSON | None = strawberry.field(
        description="The operation as the file had it (failed and skipped operations only)."
    )
    output: JSON | None = strawberry.field(
        description="What later operations may read of it (a customer's fields); kept for "
        "operations with a `_ref` (else null)."
    )
    message: str | None
    status: OperationLogStatus
    statusCode: int = strawberry.field(description="200 success, 500 failure.")
    index: int = strawberry.field(description="The operation's position in the file, from 0.")
    intent: str
    outcome: str | None = strawberry.field(
        description="What a success did: created, updated, unchanged or deleted."
    )
    key: str | None = strawberry.field(description="The natural key the operation addressed.")
    resourceId: str | None = strawberry.field(description="The record written, when one was.")
    errorCode: str | None
    geodeStatus: str = strawberry.field(description="success, failure or skipped.")


@strawberry.type
class OperationLogEdge:
    cursor: str
    node: OperationLog


@strawberry.type
class OperationLogPageInfo:
    hasNextPage: bool = strawberry.field(
        description="More entries exist now (a running task adds more later)."
    )
    hasPreviousPage: bool
    startCursor: str | None
    endCursor: str | None = strawberry.field(
        description="Pass as `after` for the next page; null for an empty page."
    )


@strawberry.type
class OperationLogConnection:
    pageInfo: OperationLogPageInfo
    edges: list[OperationLogEdge]


PresignedUploadResult = Annotated[
    PresignedUploadRequest | BasicError, strawberry.union("PresignedUploadResult")
]
BulkTaskResult = Annotated[BulkTaskMassOperation | BasicError, strawberry.union("BulkTaskResult")]
OperationLogsResult = Annotated[
    OperationLogConnection | BasicError, strawberry.union("OperationLogsResult")
]


def _answer(action: Callable[[], T]) -> T | BasicError:
    try:
        return action()
    except GeodeError as exc:
        return basic_error(exc)


def as_bulk_task(task: TaskInfo) -> BulkTaskMassOperation:
    key = task.source_name if uploads.KEY_RE.fullmatch(task.source_name) else None
    return BulkTaskMassOperation(
        id=strawberry.ID(task.id),
        type=BulkTaskType.massOperation,
        status=TASK_STATUSES.get(task.status, BulkTaskStatus.error),
        key=key,
        geodeStatus=task.status,
        total=task.total,
        processed=task.processed,
        counts=cast(JSON, task.counts),
        errorMessage=task.error_message,
        createdAt=task.created_at,
        startedAt=task.started_at,
        finishedAt=task.finished_at,
    )


def operation_log(row: dict[str, Any]) -> OperationLog:
    status, code = LOG_STATUSES.get(row["status"], (OperationLogStatus.failure, 500))
    message = row["message"] or f"{row['intent']}: {row['outcome'] or row['status']}"
    return OperationLog(
        id=strawberry.ID(f"{row['task_id']}:{row['idx']}"),
        input=msgspec.json.decode(row["input"]) if row.get("input") else None,
        output=msgspec.json.decode(row["output"]) if row["output"] else None,
        message=message,
        status=status,
        statusCode=code,
        index=row["idx"],
        intent=row["intent"],
        outcome=row["outcome"],
        key=row["key"],
        resourceId=row["resource_id"],
        errorCode=row["error_code"],
        geodeStatus=row["status"],
    )


def cursor_of(index: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{index}".encode()).decode()


def index_of(cursor: str | None) -> int:
    """The operation index a cursor stands for; -1 (before the first) for none or ""."""
    if not cursor:
        return -1
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not number.isdigit() or len(number) > 10:
        raise InvalidInputError(
            f"after: {cursor!r} is not a cursor of operationLogs; pass a page's "
            "`pageInfo.endCursor`, or leave it out for the first page",
            detail={"path": "after"},
        )
    return int(number)


@strawberry.type
class BulkTaskMutation:
    @strawberry.mutation(
        description="Where to upload a mass-operation file and the signed fields to send with "
        "it (no access token needed for the upload). Then createMassOperationBulkTask "
        "with its key."
    )
    def generate_presigned_upload_request(
        self,
        info: strawberry.Info,
        filename: str,
        content_type: str,
        type_: Annotated[FileUploadType, strawberry.argument(name="type")],
    ) -> PresignedUploadResult:
        context = context_of(info)

        def action() -> PresignedUploadRequest:
            if type_ is not FileUploadType.MASS_OPERATIONS:
                raise InvalidInputError(
                    f"type: only MASS_OPERATIONS uploads are taken here, not {type_.value}; "
                    "upload images and videos with POST /api/media",
                    detail={"path": "type"},
                )
            grant = uploads.issue_grant(
                context.app, context.tenant_id, context.tenant_identifier, filename, content_type
            )
            base = context.base_url or context.app.settings.public_url
            return PresignedUploadRequest(
                url=base.rstrip("/") + uploads.PATH,
                fields=[PresignedUploadField(name=n, value=v) for n, v in grant.fields],
                maxSize=float(context.app.settings.max_upload_bytes),
                lifetime=grant.lifetime,
            )

        return _answer(action)

    @strawberry.mutation(
        description="Validate the uploaded file and make it a task (`pending`); with "
        "`autoStart: true` it is queued at once. A key makes one task. A refused file is a "
        "BasicError with code `invalid_file` and every problem in `detail`."
    )
    def create_mass_operation_bulk_task(
        self, info: strawberry.Info, input: CreateMassOperationBulkTaskInput
    ) -> BulkTaskResult:
        context = context_of(info)
        app = context.app

        def action() -> BulkTaskMassOperation:
            taken = uploads.take_upload(
                app, context.tenant_id, context.tenant_identifier, input.key
            )
            made: str | None = None
            try:
                if input.autoStart:
                    task = app.massops.queue(context.tenant_id, taken, source_name=input.key)
                else:
                    task = app.massops.submit(context.tenant_id, taken, source_name=input.key)
                made = task.id
            finally:
                uploads.release(taken, made)
            return as_bulk_task(task)

        return _answer(action)

    @strawberry.mutation(
        description="Queue the task for the worker. A cancelled or failed task resumes from "
        "its checkpoint (nothing is applied twice); a running or finished one is answered "
        "as it is."
    )
    def start_mass_operation_bulk_task(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> BulkTaskResult:
        context = context_of(info)
        service = context.app.massops

        def action() -> BulkTaskMassOperation:
            task = service.get(str(id), context.tenant_id)
            if task.status != "running":
                task = service.requeue(task.id, context.tenant_id)
            return as_bulk_task(task)

        return _answer(action)


@strawberry.type
class BulkTaskQuery:
    @strawberry.field(description="A task of this tenant (another tenant's is not found).")
    def bulk_task(self, info: strawberry.Info, id: strawberry.ID) -> BulkTaskResult:
        context = context_of(info)
        return _answer(lambda: as_bulk_task(context.app.massops.get(str(id), context.tenant_id)))

    @strawberry.field(
        description="A task's operation logs in file order, `first` (1-100, default 100) "
        "a page after the cursor `after`. Entries appear as the task runs."
    )
    def operation_logs(
        self,
        info: strawberry.Info,
        filter: OperationLogFilter,
        first: int | None = MAX_PAGE,
        after: str | None = None,
    ) -> OperationLogsResult:
        context = context_of(info)
        size = MAX_PAGE if first is None else first

        def action() -> OperationLogConnection:
            if not 1 <= size <= MAX_PAGE:
                raise InvalidInputError(
                    f"first: {size} is not between 1 and {MAX_PAGE}; page with `after`",
                    detail={"path": "first"},
                )
            start = index_of(after)
            rows = list(
                context.app.massops.logs(
                    str(filter.operationId), None, start, size + 1, tenant_id=context.tenant_id
                )
            )
            edges = [
                OperationLogEdge(cursor=cursor_of(row["idx"]), node=operation_log(row))
                for row in rows[:size]
            ]
            return OperationLogConnection(
                pageInfo=OperationLogPageInfo(
                    hasNextPage=len(rows) > size,
                    hasPreviousPage=start >= 0,
                    startCursor=edges[0].cursor if edges else None,
                    endCursor=edges[-1].cursor if edges else None,
                ),
                edges=edges,
            )

        return _answer(action)
