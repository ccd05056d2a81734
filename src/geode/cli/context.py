"""Shared CLI plumbing: the app for this invocation and how errors are shown."""

from __future__ import annotations

import errno
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.markup import escape

from geode.app import App, create_app
from geode.errors import GeodeError
from geode.settings import Settings
from geode.settings_check import load_settings

# No markup by default: messages quote user input (file names, task ids, database
# text) in which "[...]" is not a style.
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
out = Console(highlight=False, soft_wrap=True, markup=False)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_WITH_ERRORS = 3
EXIT_CANCELLED = 130


@contextmanager
def app_context(*, migrate: bool = True) -> Iterator[App]:
    """One app per command. What the user can fix becomes one line and exit status 1:
    a `GeodeError`, a bad GEODE_* setting, a database that cannot be used, a file
    that cannot be read or written. Ctrl-C exits 130. Anything else is a bug,
    reported by `failures.run`. `migrate=False` for commands that never touch the
    database, so they work while it is down."""
    app: App | None = None
    settings: Settings | None = None
    try:
        settings = load_settings()
        try:
            app = create_app(settings, migrate=migrate)
        except OSError as exc:
            raise GeodeError(_data_dir_problem(exc)) from None
        except Exception as exc:
            if "locate revision" not in str(exc):  # alembic: a revision it has no file for
                raise
            raise GeodeError(
                f"the database ({_where(settings)}) was migrated by a newer version of geode "
                f"({exc}); upgrade geode, or set GEODE_DATABASE_URL to another database"
            ) from None
        yield app
    except GeodeError as exc:
        report_error(exc)
        raise typer.Exit(EXIT_FAILED) from None
    except sa.exc.DBAPIError as exc:
        # The database is unreachable, missing, not a database or refused us: the
        # user's setup, not a bug, so a message rather than a traceback.
        if not _setup_problem(exc):
            raise
        print_error(_database_problem(settings, exc))
        raise typer.Exit(EXIT_FAILED) from None
    except KeyboardInterrupt:
        err.print("interrupted (Ctrl-C)")
        raise typer.Exit(EXIT_CANCELLED) from None
    except OSError as exc:
        if exc.filename is None:
            raise
        print_error(file_problem(exc))
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        if app is not None:
            app.close()


def file_problem(exc: OSError, doing: str = "use") -> str:
    """'cannot write /x/y.json: No such file or directory (its folder must exist)'."""
    reason = exc.strerror or type(exc).__name__
    advice = {
        errno.ENOENT: "check the path: its folder must exist",
        errno.EACCES: "check the permissions",
        errno.EPERM: "check the permissions",
        errno.EISDIR: "it is a directory: give a file name",
        errno.ENOTDIR: "a part of the path is a file, not a directory",
        errno.EEXIST: "it exists and is not a directory",
        errno.ENOSPC: "free some disk space",
        errno.EROFS: "choose a writable location",
    }.get(exc.errno or 0)
    return f"cannot {doing} {exc.filename}: {reason}" + (f" ({advice})" if advice else "")


def _data_dir_problem(exc: OSError) -> str:
    """Creating the data directory (or the SQLite file's folder) failed."""
    return (
        f"{file_problem(exc, 'create the data directory')}; set GEODE_DATA_DIR "
        "(or GEODE_DATABASE_URL) to a location you can write"
    )


def _setup_problem(exc: sa.exc.DBAPIError) -> bool:
    """Errors of the database's setup, as opposed to a statement of ours that failed."""
    if isinstance(exc, sa.exc.OperationalError):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    if sqlstate == "42501" or sqlstate[:2] in ("08", "28", "3D"):
        return True  # privilege, connection, authorisation, unknown database
    return "not a database" in str(exc.orig)  # SQLite: the file is something else


def _where(settings: Settings) -> str:
    return sa.make_url(settings.resolved_database_url).render_as_string(hide_password=True)


def _database_problem(settings: Settings | None, exc: sa.exc.DBAPIError) -> str:
    reason = str(exc.orig or exc).strip().splitlines()[0]
    url = settings.resolved_database_url if settings is not None else ""
    if url.startswith("sqlite"):
        path = sa.make_url(url).database
        return (
            f"cannot use the SQLite database {path} ({reason}); check that GEODE_DATA_DIR "
            "(or GEODE_DATABASE_URL) names a location you can write, holding a geode database"
        )
    return (
        f"cannot use the database ({reason}); "
        "check GEODE_DATABASE_URL and that the server is running"
    )


def print_error(message: str) -> None:
    """`error: MESSAGE`; the message is text, never markup (it quotes user input)."""
    err.print(f"[bold red]error[/]: {escape(message)}", markup=True)


def report_error(exc: GeodeError) -> None:
    print_error(exc.message)
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
