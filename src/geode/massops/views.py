"""A task and a log row as users read them: one shape for every front door.

`geode massop ... --json` prints these; the HTTP API validates them into its
response models, so the CLI and the API can never name a field differently.
"""

from __future__ import annotations

from typing import Any

import msgspec

from geode.massops.lifecycle import validation_view
from geode.massops.repository import TaskInfo


def task_view(task: TaskInfo) -> dict[str, Any]:
    return {
        "taskId": task.id,
        "tenantId": task.tenant_id,
        "status": task.status,
        "total": task.total,
        "processed": task.processed,
        "counts": task.counts,
        "source": task.source_name,
        "error": task.error_message,
        "createdAt": task.created_at,
        "startedAt": task.started_at,
        "finishedAt": task.finished_at,
        "validation": validation_view(task),
        "problems": task.problems,
        "retryOf": task.retry_of,
    }


def log_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "taskId": row["task_id"],
        "index": row["idx"],
        "intent": row["intent"],
        "_ref": row["ref"],
        "status": row["status"],
        "outcome": row["outcome"],
        "resourceId": row["resource_id"],
        "key": row["key"],
        "errorCode": row["error_code"],
        "message": row["message"],
        "output": msgspec.json.decode(row["output"]) if row["output"] else None,
    }
