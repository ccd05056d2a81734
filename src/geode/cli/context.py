"""Shared CLI plumbing: the app for this invocation and how errors are shown."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
import typer
from rich.console import Console

from geode.app import App, create_app
from geode.errors import GeodeError

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_WITH_ERRORS = 3
EXIT_CANCELLED = 130


@contextmanager
def app_context() -> Iterator[App]:
    """One app per command; GeodeError becomes a message and exit status 1."""
    app: App | None = None
    try:
        app = create_app()
        yield app
    except GeodeError as exc:
        report_error(exc)
        raise typer.Exit(EXIT_FAILED) from None
    except sa.exc.OperationalError as exc:
        # The database is unreachable, missing or refused us: the user's setup,
        # not a bug, so a message rather than a traceback.
        reason = str(exc.orig or exc).strip().splitlines()[0]
        err.print(
            f"[bold red]error[/]: cannot use the database ({reason}); "
            "check GEODE_DATABASE_URL and that the server is running",
            markup=True,
        )
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        if app is not None:
            app.close()


def report_error(exc: GeodeError) -> None:
    err.print(f"[bold red]error[/]: {exc.message}", markup=True)
    if isinstance(exc.detail, list):
        for problem in exc.detail[:200]:
            err.print(f"  - {format_problem(problem)}", markup=False)
        if len(exc.detail) > 200:
            err.print(f"  ... and {len(exc.detail) - 200} more (use --json to see all)")


def format_problem(problem: dict[str, Any]) -> str:
    where = problem["path"]
    if problem.get("index") is not None:
        intent = f" ({problem['intent']})" if problem.get("intent") else ""
        where = f"operation {problem['index']}{intent} at {problem['path']}"
    return f"{where}: {problem['message']} [{problem['code']}]"


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=str) + "\n")
