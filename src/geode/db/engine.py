"""Engine factory: SQLite (embedded default) or PostgreSQL, tuned for bulk writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from geode.db.redact import redact_statement_error
from geode.db.sqlite_settings import BUSY_TIMEOUT_SECONDS, configure
from geode.db.write_turns import end_turn, turns_path, wait_for_turn

CONNECT_TIMEOUT = 10
"""Seconds to wait for a PostgreSQL server to answer a new connection."""


def create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url)
    else:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        # hide_parameters: an error's text must not carry customer data into the server log.
        # connect_timeout: a host that drops packets is reported instead of hanging the CLI
        # (a `connect_timeout` in the URL's query wins).
        connect_args = {} if "connect_timeout=" in url else {"connect_timeout": CONNECT_TIMEOUT}
        engine = sa.create_engine(
            url, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args
        )
    event.listen(engine, "handle_error", _redact)
    return engine


def _redact(context: sa.engine.ExceptionContext) -> None:
    redact_statement_error(context.sqlalchemy_exception, context.original_exception)


def _sqlite_engine(url: str) -> Engine:
    database = sa.make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # check_same_thread off: the pipelined runner writes from its own thread;
    # a connection is still only ever used by one thread at a time.
    engine = sa.create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        hide_parameters=True,
    )
    turns = turns_path(database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        configure(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # Writers take the lock up front (IMMEDIATE), so two writers queue
        # instead of failing with "database is locked" half-way through.
        # Readers (see `reading`) must not: they would wait behind a long import.
        # Writers also announce themselves, so a running import gives way to
        # them between its transactions (`db.write_turns`).
        if connection.get_execution_options().get(_READONLY):
            connection.exec_driver_sql("BEGIN")
            return
        end_turn(connection.info.pop(_TURN, None))
        connection.info[_TURN] = wait_for_turn(turns)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            end_turn(connection.info.pop(_TURN, None))
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: sa.Connection) -> None:
        end_turn(connection.info.pop(_TURN, None))

    return engine


_TURN = "geode_write_turn"


_READONLY = "geode_readonly"


def reading(engine: Engine) -> sa.Connection:
    """A connection for reads only: on SQLite it never waits for the write lock.

    Use as `with reading(engine) as connection:`.
    """
    return engine.connect().execution_options(**{_READONLY: True})
