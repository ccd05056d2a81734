"""Database errors without the customer data PostgreSQL puts in them.

A refused row comes back with its values: `DETAIL: Key (identifier)=(jane)
already exists`, `CONTEXT: COPY customers, line 3, column name: "Jane Roe"`,
`invalid input syntax for type numeric: "12,5"`. Logged with a traceback, or
passed on as a task's message, that is customer data in the server log. The
driver's exception is rewritten in place, once, where it is raised: to its
first line with quoted values replaced. Schema names (tables, columns,
constraints) stay, so the message still says what failed. Code that needs
the details reads them from `exc.diag`, which is untouched.

SQLite's messages name columns, never values; SQLAlchemy's copy of the
parameters is hidden by the engine (`hide_parameters`).
"""

from __future__ import annotations

import re

import sqlalchemy as sa

HIDDEN = "[value hidden]"
# `...: "value"` ends a data error; `value "..." is out of range for type integer`.
_QUOTED_VALUE = re.compile(r'(:\s*|\bvalue\s+)"(?:[^"]|"")*"')
_REDACTED = "geode_redacted"


def redact_driver_error(exc: BaseException) -> None:
    """Strip values from a PostgreSQL error raised by the server (idempotent)."""
    if not type(exc).__module__.startswith("psycopg") or getattr(exc, _REDACTED, False):
        return  # checked by name: SQLite-only processes never import psycopg
    import psycopg

    if not isinstance(exc, psycopg.Error):
        return
    if exc.pgresult is None and exc.diag.sqlstate is None:
        return  # raised by the client (connecting, adapting): its text holds no row values
    text = str(exc)
    first = text.splitlines()[0] if text else ""
    exc.args = (_QUOTED_VALUE.sub(lambda m: f"{m[1]}{HIDDEN}", first),)
    setattr(exc, _REDACTED, True)


def redact_statement_error(error: sa.exc.StatementError | None, orig: BaseException) -> None:
    """Redact `orig` and SQLAlchemy's wrapper, whose message copied the driver's text."""
    before = str(orig)
    redact_driver_error(orig)
    after = str(orig)
    if error is None or before == after or not error.args:
        return
    message = str(error.args[0])
    error.args = (message.replace(before, after), *error.args[1:])
