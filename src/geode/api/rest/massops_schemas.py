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
        description="What a success did: `created`, `updated`, `unchanged` or `deleted`; else null."
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
    order: list[int] | None = Field(
        default=None,
        description="The operations' indexes in the order they run, when it is not the "
        "file's: an operation runs after what it depends on. Null: the file's order.",
    )


_DECIMAL_TEXT = {"type": "string", "format": "decimal"}


COMPONENT_PREFIX = "file."
"""Names the file format's definitions in the OpenAPI components (`file.OrderUpsert`)."""


def file_schema(intents: IntentRegistry) -> tuple[dict[str, Any], dict[str, Any]]:
    """The upload's request body schema and the definitions it refers to, for
    OpenAPI's `components/schemas`: the file format of the app's intents.

    Referenced, not inlined: component definitions are recursive (a chunk or a
    choice holds definitions) and shared by many intents, so inlining them made
    the document 20 times larger and slow for every client that reads it.
    """
    schema = intents.json_schema()
    prefix = f"#/components/schemas/{COMPONENT_PREFIX}"

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return {"$ref": prefix + ref.removeprefix("#/$defs/")}
            if node == _DECIMAL_TEXT:  # money is read from JSON numbers, exactly
                return {"anyOf": [{"type": "number"}, node]}
            # The discriminator's mapping names `$defs` entries: `intent`'s enum says it.
            return {k: walk(v) for k, v in node.items() if k not in ("$defs", "discriminator")}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    defs: dict[str, Any] = dict(schema.get("$defs", {}))
    top = schema.get("$ref", "")
    # msgspec names the envelope itself as a definition: it is the body here.
    envelope = defs.pop(top.removeprefix("#/$defs/")) if top.startswith("#/$defs/") else schema
    definitions = {COMPONENT_PREFIX + name: walk(node) for name, node in defs.items()}
    body: dict[str, Any] = walk(envelope)
    body["properties"]["operations"]["minItems"] = 1  # a file without any is refused
    # The reader streams `version` and `operations` and passes over any other key.
    body.pop("additionalProperties", None)
    return body, definitions
