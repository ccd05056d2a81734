"""What the user sees when a command cannot do its work: one line, never a traceback.

Three kinds of failure reach here. A mistake on the command line (an unknown
option, a value out of range, a missing file argument) is told as click words
it, on one line, with where to find help. `GeodeError`s and environment
problems are turned into messages by `context.app_context`. Anything else is a
bug: the user gets one line with an error id, the traceback goes to
`$GEODE_DATA_DIR/logs/errors.log` under that id (or to the temporary directory
when the data directory is not writable), and `--debug` / `GEODE_DEBUG=1` shows
it on stderr instead. Every failure exits 1; Ctrl-C exits 130.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
import uuid
from datetime import UTC, datetime
from pathlib import Path

import typer

from geode.cli.context import EXIT_FAILED, err

try:  # typer vendors click since 0.2x; older releases use click itself
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors  # type: ignore[no-redef]

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


class DebugFlag:
    """Set by `geode --debug`; GEODE_DEBUG in the environment counts too."""

    on = False


def debugging() -> bool:
    return DebugFlag.on or os.environ.get("GEODE_DEBUG", "").strip().lower() in TRUE_WORDS


def run(command: typer.Typer) -> None:
    """Run the CLI and exit with its status; see the module docstring."""
    try:
        status = command(standalone_mode=False)
    except click_errors.NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click_errors.ClickException as exc:
        usage_error(exc)
        sys.exit(EXIT_FAILED)
    except typer.Abort:
        err.print("error: aborted")
        sys.exit(EXIT_FAILED)
    except Exception as exc:
        if debugging():
            raise
        report_bug(exc)
        sys.exit(EXIT_FAILED)
    sys.exit(status if isinstance(status, int) else 0)


def usage_error(exc: click_errors.ClickException) -> None:
    message = " ".join(exc.format_message().split()).replace("Value error, ", "")
    context = getattr(exc, "ctx", None)
    hint = f" (see: {context.command_path} --help)" if context is not None else ""
    err.print(f"error: {message}{hint}", markup=False)


def report_bug(exc: BaseException) -> None:
    error_id = uuid.uuid4().hex[:12]
    where = _write_traceback(error_id, exc)
    # A database error's own text, without the statement and its parameters.
    summary = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
    kind = type(exc).__name__ + (f": {summary}" if summary else "")
    place = f"traceback in {where}" if where else "traceback not saved"
    err.print(
        f"error: unexpected failure ({kind}); this is a bug in geode, not in your input: "
        f"please report it with error id {error_id} ({place}; --debug or GEODE_DEBUG=1 "
        "prints it here)",
        markup=False,
    )


def _write_traceback(error_id: str, exc: BaseException) -> Path | None:
    text = (
        f"--- {datetime.now(UTC).isoformat()} error id {error_id}: "
        f"geode {' '.join(sys.argv[1:])}\n" + "".join(traceback.format_exception(exc))
    )
    data_dir = Path(os.environ.get("GEODE_DATA_DIR") or ".geode")
    for path in (
        data_dir / "logs" / "errors.log",
        Path(tempfile.gettempdir()) / "geode-errors.log",
    ):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(text)
        except OSError:
            continue
        return path
    return None
