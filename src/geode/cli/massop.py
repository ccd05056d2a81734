"""`geode massop ...`: validate, run, resume and inspect mass-operation tasks."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from geode.cli.context import (
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_WITH_ERRORS,
    app_context,
    err,
    format_problem,
    out,
    print_json,
)
from geode.cli.validation_bar import ValidationBar
from geode.db.engine import reading
from geode.errors import InvalidInputError
from geode.massops.lifecycle import needs_validation
from geode.massops.repository import TaskInfo
from geode.massops.runner import TaskCancelled
from geode.massops.service import invalid_file
from geode.massops.views import log_view, task_view
from geode.tenants.service import get_tenant, list_tenants

massop_app = typer.Typer(
    help="Mass operations: import a declarative JSON file.", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]
OUTCOMES = ("created", "updated", "unchanged", "deleted", "failed", "skipped")


def _outcomes(counts: dict[str, dict[str, int]]) -> tuple[str, ...]:
    """The outcome columns to show: `deleted` only for a task that deleted something."""
    if any("deleted" in by_outcome for by_outcome in counts.values()):
        return OUTCOMES
    return tuple(o for o in OUTCOMES if o != "deleted")


STATUS_PROBLEMS = 200
EXIT_BY_STATUS = {
    "complete": EXIT_OK,
    "completeWithErrors": EXIT_WITH_ERRORS,
    "cancelled": EXIT_CANCELLED,
}


@massop_app.command("validate")
def validate(file: FileArgument, as_json: JsonOption = False) -> None:
    """Report every problem in FILE at once; exit 1 when it is invalid."""
    with app_context(migrate=False) as app:  # the store plays no part
        report = app.massops.validate(file)
    problems = [p.as_dict() for p in report.problems]
    if as_json:
        print_json(
            {
                "valid": report.ok,
                "operations": report.total,
                "intents": dict(report.intents),
                "problems": problems,
                "omittedProblems": report.omitted_problems,
            }
        )
    elif report.ok:
        out.print(f"valid: {report.total} operations ({_intent_list(report.intents)})")
    else:
        err.print(invalid_file(report).message)
        for problem in problems:
            err.print(f"  - {format_problem(problem)}", markup=False)
        if report.omitted_problems:
            err.print(f"  ... and {report.omitted_problems} more")
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)


@massop_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the file format (for editors and CI)."""
    from geode.assembly.intents import intent_registry

    print(json.dumps(intent_registry.json_schema(), indent=2))


@massop_app.command("run")
def run(
    file: FileArgument,
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant identifier.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and resolve; write nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Validate FILE, then apply it as a task with a progress bar."""
    with app_context() as app:
        with reading(app.engine) as connection:
            tenant_id = get_tenant(connection, tenant).id
        started = time.perf_counter()
        if dry_run:
            with _progress(as_json) as progress:
                task = app.massops.dry_run(tenant_id, file, on_progress=progress)
            _summary(task, time.perf_counter() - started, as_json, dry_run=True)
            return
        with ValidationBar(file, as_json) as bar:
            task = app.massops.submit(tenant_id, file, on_validation_progress=bar)
        if not as_json:
            err.print(f"task {task.id}: {task.total} operations validated")
        _execute(app, task, started, as_json)


@massop_app.command("submit")
def submit(
    file: FileArgument,
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant identifier.")],
    as_json: JsonOption = False,
) -> None:
    """Validate FILE and queue it for `geode worker` processes (PostgreSQL).

    A file bigger than GEODE_MASSOP_CHUNK_SIZE operations is split into chunks that
    several workers run at once. Follow it with `geode massop status TASK`.
    """
    with app_context() as app:
        if app.engine.dialect.name != "postgresql":
            raise InvalidInputError(
                "`massop submit` queues work for `geode worker` processes, which need "
                "PostgreSQL (set GEODE_DATABASE_URL); on SQLite use `geode massop run`"
            )
        from geode.jobs.runtime import attach_queue

        with reading(app.engine) as connection:
            tenant_id = get_tenant(connection, tenant).id
        dispatcher = attach_queue(app)
        try:
            with ValidationBar(file, as_json) as bar:
                task = app.massops.queue(tenant_id, file, on_validation_progress=bar)
        finally:
            dispatcher.close()
    if as_json:
        print_json(task_view(task))
    else:
        split = " in chunks for several workers" if task.chunked else ""
        out.print(f"task {task.id}: {task.total} operations queued{split}")


@massop_app.command("resume")
def resume(task_id: str, as_json: JsonOption = False) -> None:
    """Finish a task that was killed, cancelled or failed, from its checkpoint.

    A task killed while it validated its file validates it again first, if the
    file is still the one it read."""
    with app_context() as app:
        task = app.massops.get(task_id)
        if needs_validation(task):
            if not as_json:
                err.print(f"task {task.id}: validating {task.source_path} again")
            path = Path(task.source_path) if task.source_path else None
            with ValidationBar(path, as_json) as bar:
                task = app.massops.revalidate(task_id, on_validation_progress=bar)
        # Also after a cancel request (say over HTTP): resuming is the user's say-so.
        task = app.massops.reopen(task_id, by_worker=False)
        if not as_json:
            err.print(f"resuming task {task.id} at operation {task.processed} of {task.total}")
        _execute(app, task, time.perf_counter(), as_json)


@massop_app.command("retry")
def retry(task_id: str, as_json: JsonOption = False) -> None:
    """Run the failed and skipped operations of a finished task again, as a new task.

    References to operations that succeeded are filled in from TASK's logs. The
    summary and exit status are those of `run`; nothing to retry exits 0."""
    with app_context() as app:
        started = time.perf_counter()
        with ValidationBar(None, as_json) as bar:
            retried = app.massops.retry(task_id, on_validation_progress=bar)
        if retried.new is None:
            message = f"task {task_id} has nothing to retry: every operation succeeded"
            if as_json:
                print_json({"taskId": None, "retryOf": task_id, "message": message})
            else:
                out.print(message)
            raise typer.Exit(EXIT_OK)
        task = retried.new
        if not as_json:
            err.print(f"task {task.id}: retrying {task.total} operations of task {task_id}")
        _execute(app, task, started, as_json)


def _execute(app: Any, task: TaskInfo, started: float, as_json: bool) -> None:
    try:
        with _progress(as_json, task.processed) as progress, _stop_on_ctrl_c() as stop:
            task = app.massops.run(task.id, on_progress=progress, stop_requested=stop.is_set)
    except (KeyboardInterrupt, TaskCancelled):
        task = app.massops.get(task.id)
        err.print(
            f"cancelled at operation {task.processed}; continue with: geode massop resume {task.id}"
        )
    except Exception:
        task = app.massops.get(task.id)
        if task.status != "failed":
            raise
    _summary(task, time.perf_counter() - started, as_json)


@contextmanager
def _stop_on_ctrl_c() -> Iterator[threading.Event]:
    """The first Ctrl-C asks the run to stop at its next batch, between two
    commits; interrupting a database call instead could leave its connection
    mid-query. A second Ctrl-C interrupts at once."""
    stop = threading.Event()

    def on_sigint(_signum: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        err.print("stopping after the current batch (Ctrl-C again to stop at once)")

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


class _progress:
    """A rich progress bar on stderr (stdout stays clean for --json)."""

    def __init__(self, quiet: bool, start: int = 0) -> None:
        self.bar = Progress(
            TextColumn("[bold]importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]:>10} ops/s"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=err,
            disable=quiet or not err.is_terminal,
            transient=False,
        )
        self.start = start
        self.task: Any = None
        self.began = time.perf_counter()

    def __enter__(self) -> _progress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)

    def __call__(self, done: int, total: int) -> None:
        if self.task is None:
            self.task = self.bar.add_task("import", total=total, completed=self.start, rate="")
        elapsed = max(time.perf_counter() - self.began, 1e-6)
        rate = f"{(done - self.start) / elapsed:,.0f}"
        self.bar.update(self.task, completed=done, rate=rate)


def _summary(task: TaskInfo, seconds: float, as_json: bool, *, dry_run: bool = False) -> None:
    if as_json:
        print_json(
            {
                "taskId": None if dry_run else task.id,
                "retryOf": task.retry_of,
                "status": task.status,
                "dryRun": dry_run,
                "total": task.total,
                "processed": task.processed,
                "counts": task.counts,
                "error": task.error_message,
                "seconds": round(seconds, 3),
            }
        )
    else:
        table = Table(title="dry run: nothing was written" if dry_run else None)
        table.add_column("intent")
        outcomes = _outcomes(task.counts)
        for outcome in outcomes:
            table.add_column(outcome, justify="right")
        for intent, counts in sorted(task.counts.items()):
            table.add_row(intent, *(str(counts.get(o, 0)) for o in outcomes))
        out.print(table)
        rate = task.total / seconds if seconds > 0 else 0.0
        label = "dry run" if dry_run else f"task {task.id}"
        out.print(
            f"{label}: {task.status}, {task.processed}/{task.total} operations "
            f"in {seconds:.1f}s ({rate:,.0f} ops/s)"
        )
        if task.error_message:
            err.print(f"error: {task.error_message}")
        if task.status == "completeWithErrors" and not dry_run:
            out.print(f"see what failed: geode massop logs {task.id} --status failure")
    raise typer.Exit(EXIT_BY_STATUS.get(task.status, EXIT_FAILED))


@massop_app.command("status")
def status(task_id: str, as_json: JsonOption = False) -> None:
    """Show a task's status and counts."""
    with app_context() as app:
        task = app.massops.get(task_id)
    if as_json:
        print_json(task_view(task))
        return
    out.print(
        f"task {task.id}: {task.status}  {_done(task)}  source={task.source_name}",
        markup=False,
        highlight=False,
    )
    if task.retry_of:
        out.print(f"  retry of task {task.retry_of}")
    if task.status == "validating":
        out.print(f"  validating: {_validation_progress(task)}")
    outcomes = _outcomes(task.counts)
    for intent, counts in sorted(task.counts.items()):
        out.print(f"  {intent}: " + ", ".join(f"{o} {counts.get(o, 0)}" for o in outcomes))
    if task.error_message:
        out.print(f"  error: {task.error_message}", markup=False, highlight=False)
    for problem in (task.problems or [])[:STATUS_PROBLEMS]:
        out.print(f"  - {format_problem(problem)}", markup=False, highlight=False)
    if task.problems and len(task.problems) > STATUS_PROBLEMS:
        out.print(f"  ... and {len(task.problems) - STATUS_PROBLEMS} more (use --json to see all)")


def _done(task: TaskInfo) -> str:
    """done/total; while validating the total is not known yet: operations read so far."""
    if task.status == "validating":
        return f"{task.operations_read or 0}/?"
    return f"{task.processed}/{task.total}"


def _validation_progress(task: TaskInfo) -> str:
    read = f"{task.bytes_read or 0:,}"
    size = f" of {task.source_size:,}" if task.source_size is not None else ""
    return f"{read}{size} bytes, {task.operations_read or 0:,} operations read"


@massop_app.command("list")
def list_(
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="Only this tenant's tasks.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 100,
    as_json: JsonOption = False,
) -> None:
    """List tasks, newest first, with the tenant each belongs to."""
    with app_context() as app:
        with reading(app.engine) as connection:
            tenant_id = get_tenant(connection, tenant).id if tenant is not None else None
            names = {t.id: t.identifier for t in list_tenants(connection)}
        tasks = app.massops.list(tenant_id, limit)
    rows = [(task, names.get(task.tenant_id, task.tenant_id)) for task in tasks]
    if as_json:
        for task, name in rows:
            print_json({**task_view(task), "tenant": name})
        return
    width = max([len("tenant"), *(len(name) for _, name in rows)])
    header = f"{'task':<24}  {'tenant':<{width}}  {'status':<18} {'done/total':>19}"
    lines = [f"{header}  {'created':<27}  source"]
    for task, name in rows:
        done = _done(task)
        lines.append(
            f"{task.id:<24}  {name:<{width}}  {task.status:<18} {done:>19}  "
            f"{task.created_at}  {task.source_name}"
        )
    if rows:
        for line in lines:
            out.print(line, markup=False, highlight=False)


class LogStatus(StrEnum):
    """The statuses a log entry can have (what `--status` filters on)."""

    success = "success"
    failure = "failure"
    skipped = "skipped"


@massop_app.command("logs")
def logs(
    task_id: str,
    status: Annotated[
        LogStatus | None, typer.Option("--status", help="Only entries with this status.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """One entry per operation: status, resource, key, error."""
    with app_context() as app:
        for entry in app.massops.logs(task_id, status=status.value if status else None):
            if as_json:
                print_json(log_view(entry))
            else:
                line = (
                    f"#{entry['idx']:<7} {entry['intent']:<22} {entry['status']:<8} "
                    f"{entry['outcome'] or '':<9} key={entry['key']}"
                )
                if entry["message"]:
                    line += f"  [{entry['error_code']}] {entry['message']}"
                out.print(line, markup=False, highlight=False)


def _intent_list(intents: Any) -> str:
    return ", ".join(f"{n} {i}" for i, n in sorted(intents.items()))
