"""The progress bar of a file being validated: bytes read of the file's size,
operations read, and operations per second (the run's bar counts applied ones)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from geode.cli.context import err


class ValidationBar:
    """Call it with (bytes read, operations read); shown on stderr when it is a
    terminal and the output is not --json, like the run's bar."""

    def __init__(self, path: Path | None, quiet: bool) -> None:
        self.size = path.stat().st_size if path is not None and path.is_file() else None
        self.bar = Progress(
            TextColumn("[bold]validating"),
            BarColumn(),
            DownloadColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[operations]:>12} ops"),
            TextColumn("{task.fields[rate]:>10} ops/s"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=err,
            disable=quiet or not err.is_terminal,
            transient=False,
        )
        self.task: Any = None
        self.began = time.perf_counter()

    def __enter__(self) -> ValidationBar:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)

    def __call__(self, bytes_read: int, operations: int) -> None:
        if self.task is None:
            self.task = self.bar.add_task("validate", total=self.size, operations="", rate="")
        elapsed = max(time.perf_counter() - self.began, 1e-6)
        self.bar.update(
            self.task,
            completed=bytes_read,
            operations=f"{operations:,}",
            rate=f"{operations / elapsed:,.0f}",
        )
