"""The batch job API (seed 002): POST a list of objects, poll the job, stop it.

The request body is read by hand, not by a pydantic model: a request is
refused as a whole only when its envelope is wrong; an object that fails
its type's schema fails alone, in the job's `response.failed`.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, FastAPI, Path, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.convertors import StringConvertor, register_url_convertor

from geode.api.rest.auth import AppDep, TenantDep
from geode.api.rest.conventions import JSON, body_of, unsupported_media_type
from geode.api.rest.responses import exact_json
from geode.api.rest.schemas import ErrorBody, JobCreated, JobStatus, links
from geode.app import App
from geode.batches.service import MAX_OBJECTS
from geode.errors import InvalidInputError
from geode.json_input import DEFAULT_MAX_DEPTH, JsonInputError, decode_checked
from geode.limits import bad_escape_message
from geode.util import with_article

PREFIX = "/api/v4.0/integrations/batch"

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or wrong access token."},
    404: {"model": ErrorBody, "description": "No such job for this tenant, or no such type."},
    422: {"model": ErrorBody, "description": "The request is not the documented shape."},
    413: {
        "model": ErrorBody,
        "description": "The body is over GEODE_MAX_REQUEST_BYTES (`payload_too_large`).",
    },
}

SUBMIT_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    413: {"model": ErrorBody, "description": "The request body is larger than the server takes."},
    415: unsupported_media_type(JSON),
}

JOB_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    405: {
        "model": ErrorBody,
        "description": "The segment is not a job id but a batch type's path, which takes "
        "only POST (`method_not_allowed`; the `Allow` header lists what it takes).",
    },
}

router = APIRouter(prefix=PREFIX, tags=["batch"])


class _TypeName(StringConvertor):
    """A path segment that is not all digits (those are job ids)."""

    regex = "[^/]*[^/0-9][^/]*"


register_url_convertor("batchtype", _TypeName())


def parse_envelope(raw: bytes, max_depth: int = DEFAULT_MAX_DEPTH) -> list[Any]:
    """`{"body": [object, ...]}` with 1 to 1,000 objects, or an error saying what is off.

    A key repeated anywhere, or values nested past `max_depth`, refuse the whole
    request (422 naming the path): such a body means different things to different
    JSON readers, so no object of it is taken on a guess.
    """
    try:
        data = decode_checked(raw, max_depth)
    except msgspec.DecodeError as exc:
        reason = bad_escape_message(raw) or exc
        raise InvalidInputError(f"the request body is not valid JSON: {reason}") from None
    except JsonInputError as exc:
        raise InvalidInputError(
            f"the request body is not accepted at {exc.path}: {exc.message}",
            detail=[{"path": exc.path, "message": exc.message, "code": exc.code}],
        ) from None
    if not isinstance(data, dict) or "body" not in data:
        raise InvalidInputError('the request body must be a JSON object {"body": [ ... ]}')
    extra = sorted(k for k in data if k != "body")
    if extra:
        raise InvalidInputError(
            f"unknown top-level field(s) {', '.join(map(repr, extra))}; only 'body' is allowed"
        )
    body = data["body"]
    if not isinstance(body, list):
        raise InvalidInputError("'body' must be a list of objects")
    if not 1 <= len(body) <= MAX_OBJECTS:
        raise InvalidInputError(
            f"'body' holds {len(body)} objects; a batch takes 1 to {MAX_OBJECTS}, "
            "so split the list into several requests",
            detail={"count": len(body), "max": MAX_OBJECTS},
        )
    not_objects = [i for i, item in enumerate(body) if not isinstance(item, dict)]
    if not_objects:
        where = ", ".join(f"body[{i}]" for i in not_objects[:10])
        raise InvalidInputError(f"every item of 'body' must be a JSON object; not: {where}")
    return body


def _submit_route(type_: str) -> Any:
    async def submit(request: Request, app: AppDep, tenant: TenantDep) -> JobCreated:
        body = await request.body()
        # Parsing and the insert run on the thread pool: the event loop keeps
        # answering other requests meanwhile.
        job_id = await run_in_threadpool(_submit, app, tenant, type_, body)
        return JobCreated(jobId=job_id)

    return submit


def _submit(app: App, tenant: str, type_: str, body: bytes) -> int:
    return app.batches.submit(tenant, type_, parse_envelope(body, app.settings.max_json_depth))


def _body_schema(name: str) -> dict[str, Any]:
    """The body as the server accepts it: the envelope is strict, each object is
    only required to be an object; its type's schema is checked object by object."""
    return {
        "type": "object",
        "required": ["body"],
        "additionalProperties": False,
        "properties": {
            "body": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_OBJECTS,
                "description": f"The objects, each meant to be a `{name}` "
                f"(#/components/schemas/{name}). Each is checked on its own when the "
                "job runs: one that does not fit is reported in the job's "
                "`response.failed` with the field (`body[i].field`) and why, and the "
                "others are processed.",
                "items": {"type": "object"},
            }
        },
    }


def add_submit_routes(api: FastAPI, app_handlers: dict[str, Any]) -> None:
    """One documented POST per type; its body schema names the type's object."""
    for type_, handler in app_handlers.items():
        name = handler.schema.__name__
        api.add_api_route(
            f"{PREFIX}/{type_}",
            _submit_route(type_),
            methods=["POST"],
            status_code=202,
            response_model=JobCreated,
            responses={
                202: {"links": links(f"{PREFIX}/{{jobId}}", ["GET", "DELETE"], "jobId", "jobId")},
                **SUBMIT_ERRORS,
            },
            dependencies=[Depends(body_of(JSON))],
            tags=["batch"],
            summary=f"Queue {with_article(handler.operation)}",
            description=f"Up to {MAX_OBJECTS} objects of type `{name}`. The request is "
            "refused (422) only when its envelope is wrong; each object is then checked "
            f"against `{name}` on its own. Answers at once with the job id; objects that "
            "fail appear in the job's `response.failed`, the others are processed.",
            operation_id=f"batch_{type_.replace('-', '_')}",
            openapi_extra={
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _body_schema(name)}},
                }
            },
        )

    async def unknown_type(type: str, app: AppDep, tenant: TenantDep) -> None:
        app.batches.handler(type)  # raises UnknownBatchTypeError naming the valid types

    # A digits-only segment is a job id: POST there is a wrong method (405), not a type.
    api.add_api_route(
        f"{PREFIX}/{{type:batchtype}}", unknown_type, methods=["POST"], include_in_schema=False
    )


JobId = Annotated[int, Path(description="The id POST answered with.", ge=1, le=2**62)]


@router.get("/{jobId:int}", response_model=JobStatus, responses=JOB_ERRORS, summary="Job status")
def job_status(jobId: JobId, app: AppDep, tenant: TenantDep) -> Response:
    return exact_json(app.batches.status(tenant, jobId))


@router.delete("/{jobId:int}", response_model=JobStatus, responses=JOB_ERRORS, summary="Stop a job")
def stop_job(jobId: JobId, app: AppDep, tenant: TenantDep) -> Response:
    """A queued job never runs; a running one stops at its next checkpoint (what was done
    stays done); a finished job is left as it is."""
    app.batches.stop(tenant, jobId)
    return exact_json(app.batches.status(tenant, jobId))
