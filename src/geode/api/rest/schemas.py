"""Shapes of the REST API's own answers (request objects live with their domains)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    """Every 4xx answer: what went wrong, a stable code, and details to act on."""

    error: str = Field(description="What went wrong, in words a user can act on.")
    code: str = Field(description="Stable machine-readable code, e.g. `unauthenticated`.")
    detail: Any = Field(default=None, description="Where and why, when there is more to say.")


class JobCreated(BaseModel):
    jobId: int = Field(description="Poll GET /api/v4.0/integrations/batch/{jobId} with it.")


class BatchResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"additionalProperties": False})

    successful: list[dict[str, Any]] = Field(
        description="One item per object that succeeded, in request order: its keys "
        "(`customerId`, `orderId`, ...) and a `message` (balance-inquiry items carry "
        "`pointsBalance`, `pointsValue` and `currency` instead)."
    )
    failed: list[dict[str, Any]] = Field(
        description="One item per object that failed, in request order: its keys and an "
        "`error` saying which field (`body[i].field`) and why."
    )


JobStatusValue = Literal["queued", "running", "completed", "stopped", "failed"]


class JobStatus(BaseModel):
    operation: str = Field(description='What the job does, e.g. "Customer Creation Batch Job".')
    errorCount: int = Field(description="Objects that failed so far.")
    totalCount: int = Field(description="Objects processed so far (succeeded + failed).")
    finishedCount: int = Field(description="Objects that succeeded so far.")
    startedAt: str | None = Field(description="When a worker first took the job (UTC).")
    createdAt: str = Field(description="When the job was accepted (UTC).")
    status: JobStatusValue
    response: BatchResponse | None = Field(
        description="Results so far; null until the first object is processed."
    )
    error: str | None = Field(
        default=None,
        description="Why a `failed` job stopped, in words, with an error id that the "
        "server log has next to the details; present only when `status` is `failed`. A job "
        "fails only on an unexpected error: an object the database refuses fails alone, "
        "in `response.failed`, and the job goes on.",
    )


def links(path: str, methods: list[str], parameter: str, source: str) -> dict[str, Any]:
    """OpenAPI links from an answer to the operations at `path` that take its id,
    so clients (and schemathesis's stateful tests) follow ids the way users do."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    last = path.rsplit("/", 1)[-1].strip("{}")
    return {
        f"{method.lower()}{last[:1].upper()}{last[1:]}": {
            "operationRef": f"#/paths/{pointer}/{method.lower()}",
            "parameters": {parameter: f"$response.body#/{source}"},
        }
        for method in methods
    }
