"""Shapes of the mass-operation API's answers: the same names `geode massop ... --json` prints.

`MassOpTask` is the CLI's `status --json` object plus `progress` and
`cancelRequested`; `MassOpLogEntry` is one line of `logs --json`;
`MassOpDryRun` is the summary `run --dry-run --json` prints.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from geode.massops.intents import IntentRegistry
from geode.massops.repository import TaskInfo
from geode.massops.views import log_view, task_view

TaskStatusValue = Literal[
    "validating",
    "invalid",
    "pending",
    "running",
    "complete",
    "completeWithErrors",
    "cancelled",
    "failed",
]
LogStatusValue = Literal["success", "failure", "skipped"]
Counts = dict[str, dict[str, int]]

_COUNTS = (
    "Operations so far per intent and outcome (`created`, `updated`, `unchanged`, "
    '`failed`, `skipped`), e.g. `{"customer/upsert": {"created": 2}}`.'
)


class MassOpValidation(BaseModel):
    bytesRead: int = Field(description="Bytes of the file read so far.")
    bytesTotal: int | None = Field(description="The file's size.")
    operationsRead: int | None = Field(description="Operations read so far.")


class MassOpProblem(BaseModel):
    """One reason a file was refused."""

    index: int | None = Field(description="The operation's position in the file, from 0.")
    intent: str | None
    path: str = Field(description="Where, as a JSON path, e.g. `$.operations[2].email`.")
    code: str
    message: str


class MassOpTask(BaseModel):
    """A mass-operation task: what `geode massop status TASK --json` prints, and more."""

    taskId: str = Field(description="24 lowercase hex characters.")
    tenantId: str
    status: TaskStatusValue = Field(
        description="`validating` (the file is being read and checked: see `validation`), "
        "`invalid` (the file was refused: see `problems`; nothing was written), "
        "`pending` (queued), `running`, `complete`, `completeWithErrors` "
        "(some operations failed or were skipped: read the logs with `status=failure`, "
        "re-run them with POST .../retry), "
        "`cancelled` or `failed` (resume either with POST .../resume)."
    )
    total: int = Field(description="Operations in the file (0 while `validating`: not known yet).")
    processed: int = Field(description="Operations applied and logged (the checkpoint).")
    progress: float = Field(ge=0, le=1, description="processed / total.")
    counts: Counts = Field(description=_COUNTS)
    source: str = Field(description="The `name` given at upload, else `upload`.")
    error: str | None = Field(description="Why the task failed, when it did.")
    cancelRequested: bool = Field(
        description="A cancel was asked for; a running task stops at its next batch."
    )
    createdAt: str = Field(description="When the file was accepted (UTC, ISO-8601).")
    startedAt: str | None = Field(description="When a run first started (UTC).")
    finishedAt: str | None = Field(description="When the task last ended (UTC).")
    validation: MassOpValidation | None = Field(
        default=None,
        description="How far the validation of the file got (updated about once a second "
        "while `validating`); null for tasks from before Geode recorded it.",
    )
    problems: list[MassOpProblem] | None = Field(
        default=None,
        description="An `invalid` task's problems, as the upload's 422 listed them; else null.",
    )
    retryOf: str | None = Field(
        default=None,
        description="The task whose failed and skipped operations this task re-runs.",
    )

    @classmethod
    def of(cls, task: TaskInfo) -> MassOpTask:
        progress = min(task.processed / task.total, 1.0) if task.total else 0.0
        return cls.model_validate(
            {**task_view(task), "progress": progress, "cancelRequested": task.cancel_requested}
        )


class MassOpTaskList(BaseModel):
    tasks: list[MassOpTask] = Field(description="Newest first.")


class MassOpLogEntry(BaseModel):
    """One operation's result: a line of `geode massop logs TASK --json`."""

    taskId: str
    index: int = Field(description="The operation's position in the file, from 0.")
    intent: str
    ref: str | None = Field(alias="_ref", description="The operation's `_ref`, if named.")
    status: LogStatusValue
    outcome: str | None = Field(
        description="What a success did: `created`, `updated` or `unchanged`; else null."
    )
    resourceId: str | None = Field(description="The record written, when one was.")
    key: str | None = Field(description="The natural key the operation addressed.")
    errorCode: str | None
    message: str | None = Field(description="Why it failed or was skipped.")
    output: dict[str, Any] | None = Field(
        description="The fields later operations read through `{{ ref.field }}`."
    )

    @classmethod
    def of(cls, row: dict[str, Any]) -> MassOpLogEntry:
        return cls.model_validate(log_view(row))


class MassOpLogPage(BaseModel):
    logs: list[MassOpLogEntry] = Field(description="In operation order.")
    next: int | None = Field(
        description="Pass as `after` for the next page; null when this is the last one."
    )


class MassOpDryRun(BaseModel):
    """What `geode massop run FILE --dry-run --json` prints: nothing was written."""

    taskId: None = Field(default=None, description="Always null: no task is kept.")
    status: TaskStatusValue
    dryRun: Literal[True] = True
    total: int
    processed: int
    counts: Counts = Field(description=_COUNTS)
    error: str | None
    seconds: float = Field(description="How long the dry run took.")


_DECIMAL_TEXT = {"type": "string", "format": "decimal"}


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """The file format's JSON Schema with its `$defs` inlined, to sit in OpenAPI
    (whose `#/` is the whole document).

    Component definitions are recursive (a chunk or a choice holds definitions):
    a definition met again inside itself is described as an object there, which
    the file's validation, not this document, checks in full.
    """
    defs: dict[str, Any] = schema.get("$defs", {})

    def walk(node: Any, expanding: frozenset[str]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name in expanding:
                    return {"type": "object", "description": f"A {name}, as above."}
                return walk(defs[name], expanding | {name})
            if node == _DECIMAL_TEXT:  # money is read from JSON numbers, exactly
                return {"anyOf": [{"type": "number"}, node]}
            # The discriminator's mapping names `$defs` entries that are now inlined.
            return {
                k: walk(v, expanding)
                for k, v in node.items()
                if k not in ("$defs", "discriminator")
            }
        if isinstance(node, list):
            return [walk(v, expanding) for v in node]
        return node

    inlined: dict[str, Any] = walk(schema, frozenset())
    inlined["properties"]["operations"]["minItems"] = 1  # a file without any is refused
    # The reader streams `version` and `operations` and passes over any other key.
    inlined.pop("additionalProperties", None)
    return inlined


def file_schema(intents: IntentRegistry) -> dict[str, Any]:
    """The upload's request body schema: the file format of the app's intents."""
    return _inlined(intents.json_schema())
