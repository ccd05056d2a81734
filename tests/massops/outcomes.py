"""What a task did, as tests compare it between runs: one tuple per operation log."""

from __future__ import annotations

from typing import Any

from geode.app import App


def outcome(app: App, task_id: str) -> list[tuple[Any, ...]]:
    return [
        (
            log["idx"],
            log["intent"],
            log["status"],
            log["outcome"],
            log["error_code"],
            log["message"],
        )
        for log in app.massops.logs(task_id)
    ]
