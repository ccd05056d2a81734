"""Mass operations over HTTP: the CLI's engine (`app.massops`) behind a token.

POST the file itself as the request body: it is streamed to a temporary file
(never whole in memory, up to GEODE_MAX_UPLOAD_BYTES), validated whole by the service, and the
task is queued for the worker. Read its status, page through its logs, cancel
it, resume it. Every task is looked up with the caller's tenant, so another
tenant's task is "not found" exactly like a missing one.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from geode.api.rest.auth import AppDep, TenantDep
from geode.api.rest.conventions import JSON, body_of, unsupported_media_type
from geode.api.rest.massops_schemas import (
    LogStatusValue,
    MassOpDryRun,
    MassOpLogEntry,
    MassOpLogPage,
    MassOpTask,
    MassOpTaskList,
)
from geode.api.rest.schemas import ErrorBody, links
from geode.api.rest.streamed_files import write_capped
from geode.app import App
from geode.errors import PayloadTooLargeError
from geode.ids import ID_PATTERN
from geode.leftovers import remove_unlocked
from geode.massops.repository import TaskInfo
from geode.massops.service import FINISHED

PREFIX = "/api/massops/tasks"

router = APIRouter(prefix=PREFIX, tags=["mass operations"])

_UNAUTHENTICATED: dict[str, Any] = {
    "model": ErrorBody,
    "description": "Missing or wrong access token.",
}
_NOT_FOUND: dict[str, Any] = {
    "model": ErrorBody,
    "description": "No such task for this tenant.",
}
_INVALID: dict[str, Any] = {
    "model": ErrorBody,
    "description": "A parameter is not the documented shape (`invalid_input`).",
}

TaskId = Annotated[
    str,
    PathParam(
        description="The `taskId` the upload answered with (24 lowercase hex characters).",
        pattern=ID_PATTERN,
    ),
]


def _task(task: TaskInfo) -> MassOpTask:
    return MassOpTask.of(task)


def uploads_dir(app: App) -> Path:
    return app.settings.data_dir / "uploads"


def clean_uploads(directory: Path) -> list[Path]:
    """Remove what uploads cut short left behind (see `geode.leftovers`)."""
    return remove_unlocked(directory, "upload-*.json")


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"the file is larger than {limit} bytes, the most this server accepts "
        "(GEODE_MAX_UPLOAD_BYTES); split it, or run it with `geode massop run`",
        detail={"maxBytes": limit},
    )


async def _receive(request: Request, directory: Path, limit: int) -> tuple[Path, int]:
    """Stream the request body to a new file in `directory`, piece by piece, up to
    `limit` bytes. Returns the file and a descriptor holding its lock: the caller
    removes the file, then closes the descriptor. On any failure (too large, the
    client gone) nothing is left behind."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    directory.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=directory, prefix="upload-", suffix=".json")
    path = Path(name)
    fcntl.flock(handle, fcntl.LOCK_EX)
    lock = os.dup(handle)  # the lock lives with the open file, beyond `out` below
    try:
        with os.fdopen(handle, "wb") as out:
            await write_capped(out, request.stream(), limit, _too_large)
    except BaseException:
        path.unlink(missing_ok=True)
        os.close(lock)
        raise
    return path, lock


def _submit(app: App, tenant: str, path: Path, source_name: str) -> MassOpTask:
    return _task(app.massops.queue(tenant, path, source_name=source_name))


def _dry_run(app: App, tenant: str, path: Path) -> MassOpDryRun:
    started = time.perf_counter()
    order: list[list[int]] = []
    task = app.massops.dry_run(tenant, path, on_order=order.append)
    return MassOpDryRun(
        order=order[0] if order else None,
        status=task.status,  # type: ignore[arg-type]
        total=task.total,
        processed=task.processed,
        counts=task.counts,
        error=task.error_message,
        seconds=round(time.perf_counter() - started, 3),
    )


@router.post(
    "",
    status_code=202,
    response_model=MassOpTask,
    summary="Upload a mass-operation file",
    responses={
        200: {"model": MassOpDryRun, "description": "With `dryRun=true`: what a run would do."},
        202: {
            "links": {
                **links(f"{PREFIX}/{{taskId}}", ["GET"], "taskId", "taskId"),
                **links(f"{PREFIX}/{{taskId}}/logs", ["GET"], "taskId", "taskId"),
                **links(f"{PREFIX}/{{taskId}}/cancel", ["POST"], "taskId", "taskId"),
                **links(f"{PREFIX}/{{taskId}}/resume", ["POST"], "taskId", "taskId"),
                **links(f"{PREFIX}/{{taskId}}/retry", ["POST"], "taskId", "taskId"),
            }
        },
        401: _UNAUTHENTICATED,
        413: {
            "model": ErrorBody,
            "description": "The file is over GEODE_MAX_UPLOAD_BYTES (`payload_too_large`); "
            "nothing of it is kept.",
        },
        415: unsupported_media_type(JSON),
        422: {
            "model": ErrorBody,
            "description": "The file was refused (`invalid_file`): `detail` lists every "
            "problem as `{index, intent, path, code, message}`; nothing was written to the "
            "store, and the task is kept as `invalid` with those `problems`. Or a "
            "parameter is not the documented shape (`invalid_input`).",
        },
    },
    dependencies=[Depends(body_of(JSON))],
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The mass-operation file itself, as `geode massop run` reads it "
            "(`geode massop schema` prints its JSON Schema), in UTF-8. Streamed to disk, up "
            "to the server's GEODE_MAX_UPLOAD_BYTES (default 4 GiB; 413 beyond). "
            "Send it as `application/json` (`curl -H 'Content-Type: application/json' "
            "--data-binary @file.json`); a body without a Content-Type is read as JSON too.",
            # The schema of the app's intents is put here by `app.create_api`.
            "content": {"application/json": {}},
        }
    },
)
async def upload(
    request: Request,
    app: AppDep,
    tenant: TenantDep,
    name: Annotated[
        str | None,
        Query(
            description="A name to remember the file by (shown as `source`).",
            min_length=1,
            max_length=255,
            pattern=r"^[^\x00-\x1f\x7f]+$",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        Query(
            alias="dryRun",
            description="Validate and run inside a transaction that is rolled back: "
            "answers 200 with the counts a run would have; nothing is stored or queued. "
            "It runs while the request waits, holding its transaction (on SQLite, other "
            "writes wait for it), so keep it to files of a modest size.",
        ),
    ] = False,
) -> Any:
    """The task exists from the start (`validating`, listed by GET .../tasks with its
    validation progress); the whole file is validated first, and a valid one becomes a
    `pending` task that the worker runs (202). Poll GET .../tasks/{taskId} for its
    progress. A refused file leaves the task `invalid`."""
    path, lock = await _receive(request, uploads_dir(app), app.settings.max_upload_bytes)
    try:
        if dry_run:
            summary = await run_in_threadpool(_dry_run, app, tenant, path)
            return JSONResponse(summary.model_dump(mode="json"), status_code=200)
        return await run_in_threadpool(_submit, app, tenant, path, name or "upload")
    finally:
        path.unlink(missing_ok=True)  # the task's spool holds what the run needs
        os.close(lock)


@router.get(
    "",
    response_model=MassOpTaskList,
    summary="List tasks",
    responses={401: _UNAUTHENTICATED, 422: _INVALID},
)
def list_tasks(
    app: AppDep,
    tenant: TenantDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many.")] = 100,
) -> Any:
    """This tenant's tasks, newest first."""
    return MassOpTaskList(tasks=[_task(t) for t in app.massops.list(tenant, limit)])


@router.get(
    "/{taskId}",
    response_model=MassOpTask,
    summary="Task status",
    responses={401: _UNAUTHENTICATED, 404: _NOT_FOUND, 422: _INVALID},
)
def task_status(taskId: TaskId, app: AppDep, tenant: TenantDep) -> Any:
    return _task(app.massops.get(taskId, tenant))


@router.get(
    "/{taskId}/logs",
    response_model=MassOpLogPage,
    summary="Task logs, one entry per operation",
    responses={401: _UNAUTHENTICATED, 404: _NOT_FOUND, 422: _INVALID},
)
def task_logs(
    taskId: TaskId,
    app: AppDep,
    tenant: TenantDep,
    status: Annotated[
        LogStatusValue | None,
        Query(description="Only entries with this status (`failure` lists what went wrong)."),
    ] = None,
    after: Annotated[
        int,
        Query(
            ge=-1,
            le=2**31 - 1,
            description="Only operations after this index: the previous page's `next`.",
        ),
    ] = -1,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many entries.")] = 100,
) -> Any:
    """Entries in operation order, a page at a time: follow `next` until it is null."""
    rows = list(app.massops.logs(taskId, status, after, limit + 1, tenant_id=tenant))
    page = [MassOpLogEntry.of(row) for row in rows[:limit]]
    return MassOpLogPage(logs=page, next=page[-1].index if len(rows) > limit else None)


@router.post(
    "/{taskId}/cancel",
    status_code=202,
    response_model=MassOpTask,
    summary="Cancel a task",
    responses={401: _UNAUTHENTICATED, 404: _NOT_FOUND, 422: _INVALID},
)
def cancel_task(taskId: TaskId, app: AppDep, tenant: TenantDep) -> Any:
    """A queued task is cancelled at once; a running one stops at its next batch (what
    was done stays done; `cancelRequested` is true until then); a finished one is left
    as it is. Answers with the status after the request."""
    return _task(app.massops.request_cancel(taskId, tenant))


@router.post(
    "/{taskId}/resume",
    status_code=202,
    response_model=MassOpTask,
    summary="Resume a task",
    responses={
        200: {"model": MassOpTask, "description": "The task had finished; nothing changed."},
        401: _UNAUTHENTICATED,
        404: _NOT_FOUND,
        409: {
            "model": ErrorBody,
            "description": "The task cannot resume (`conflict`): its spool is gone.",
        },
        422: _INVALID,
    },
)
def resume_task(taskId: TaskId, app: AppDep, tenant: TenantDep) -> Any:
    """Queue a cancelled, failed or stalled task for the worker; it carries on from its
    checkpoint, so nothing is applied twice (202). A finished task answers 200 as it is."""
    task = app.massops.requeue(taskId, tenant)
    if task.status in FINISHED:
        return JSONResponse(_task(task).model_dump(mode="json"), status_code=200)
    return _task(task)


@router.post(
    "/{taskId}/retry",
    status_code=202,
    response_model=MassOpTask,
    summary="Re-run the operations that failed",
    responses={
        200: {
            "model": MassOpTask,
            "description": "Nothing of the task failed or was skipped: the task is answered "
            "as it is and no task is started.",
        },
        202: {
            "description": "A new task (`retryOf` names this one) of the failed and skipped "
            "operations, queued for the worker.",
            "links": {
                **links(f"{PREFIX}/{{taskId}}", ["GET"], "taskId", "taskId"),
                **links(f"{PREFIX}/{{taskId}}/logs", ["GET"], "taskId", "taskId"),
            },
        },
        401: _UNAUTHENTICATED,
        404: _NOT_FOUND,
        409: {
            "model": ErrorBody,
            "description": "The task has not finished (`conflict`): resume it first.",
        },
        422: _INVALID,
    },
)
def retry_task(taskId: TaskId, app: AppDep, tenant: TenantDep) -> Any:
    """Start a new task with the failed and skipped operations of a finished task, in
    file order. Their `{{ ref.field }}` references to operations that succeeded are
    filled in from this task's logs; references among the retried operations stay
    references. Correct what made them fail first (a missing record, say)."""
    retried = app.massops.retry(taskId, tenant, by_worker=True)
    if retried.new is None:
        return JSONResponse(_task(retried.task).model_dump(mode="json"), status_code=200)
    return _task(retried.new)
