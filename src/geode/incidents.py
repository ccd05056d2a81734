"""Unexpected failures: logged once with an error id, told to clients in words.

A task, a job or a request that fails for a reason nobody foresaw must not
show the client the database's own text (SQL, parameters, constraint names,
values): that is noise to a user and a leak to anyone else. The client gets
what failed, in words, and an error id; the server or worker log has the same
id next to the traceback, so an operator finds the cause from the id a user
quotes.

The logged traceback shows every frame but, for database errors, only the
first line of the driver's message: the lines after it (PostgreSQL's DETAIL,
SQLAlchemy's SQL and parameters) carry customer data.
"""

from __future__ import annotations

import logging
import secrets
import traceback
from dataclasses import dataclass

log = logging.getLogger("geode.incidents")


@dataclass(frozen=True, slots=True)
class Incident:
    error_id: str
    message: str
    """What failed, in words, ending with the error id: safe to show a client."""


def new_error_id() -> str:
    """Ten hex digits: short enough to read out, unique enough across a log's lifetime."""
    return secrets.token_hex(5)


def record(what: str, exc: BaseException | None = None, *, frames: bool = True) -> Incident:
    """Log `what` and the traceback of `exc` at ERROR under a new error id.

    `what` is shown to clients: words about the failure, never `str(exc)`.
    `frames=False` logs one line, `exc` summarised: for a row the database
    refused, whose frames are always the same write and whose cause is the
    database's first line (a run refusing many rows would bury its log).
    """
    error_id = new_error_id()
    message = f"{what} (error id {error_id})"
    if exc is None:
        log.error("%s", message)
    elif not frames:
        log.error("%s: %s", message, summary(exc))
    else:
        log.error("%s\n%s", message, safe_traceback(exc))
    return Incident(error_id, message)


def summary(exc: BaseException) -> str:
    """The exception's type and, for a database error, the first line of the
    driver's own message only."""
    original = getattr(exc, "orig", None)  # SQLAlchemy's wrapper of a driver error
    if isinstance(original, BaseException):
        return f"{type(exc).__name__} from {summary(original)}"
    text = str(exc)
    if _is_database_error(exc):
        text = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def safe_traceback(exc: BaseException) -> str:
    """Like `traceback.format_exception`, with `summary` in place of each message."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts: list[str] = []
    for position, link in enumerate(reversed(chain)):
        if position:
            parts.append("\nwhich led to:\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(link.__traceback__))
        parts.append(summary(link) + "\n")
    return "".join(parts).rstrip("\n")


def _is_database_error(exc: BaseException) -> bool:
    module = type(exc).__module__
    return module.startswith(("sqlite3", "psycopg", "sqlalchemy")) or any(
        cls.__name__ in ("BulkRefused", "DatabaseError") for cls in type(exc).__mro__
    )


KEY_LIMIT = 200


def storable(text: str, limit: int = KEY_LIMIT) -> str:
    """A key of a failed item, fit for any text column and any JSON reader: a
    refused item's key may be the very value the database refused (a NUL, an
    unpaired surrogate, a length beyond a column's)."""
    clean = text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    return clean if len(clean) <= limit else clean[: limit - 1] + "\u2026"
