"""A SQLite writer in a process of its own: `python -m geode.db.sqlite_writer`.

Why a process: on SQLite the driver binds every row of an `executemany` while
holding Python's GIL, so a writer *thread* and the thread preparing the next
batch take turns instead of running at once. A process has a GIL of its own:
the caller prepares batch N+1 on one core while this process writes batch N
on the other (a 200,000-operation `geode massop run`: 32.8 s with a thread,
22.3 s with a process; docs/benchmarks.md has the 1M figures).

The caller (`SqliteWriter`) sends jobs: a batch number, its operation count and
its statements, the batch's checkpoint among them. The writer groups
consecutive jobs into one transaction (`CommitWindow`) and answers `written`
after each job's statements and `committed` after each commit, so the caller
knows which rows other connections can see. `close` writes and commits every
job handed over, then ends (a cancelled run keeps the batches it reported as
done). End of input without `close` means the caller died: the open
transaction is rolled back. After a failure the writer rolls back, reports it
once and ignores every later job. Messages are msgpack, length-prefixed
(`geode.pipes`); this module imports neither SQLAlchemy nor the domains, so
the process stays small.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import traceback
from typing import IO, Any

import msgspec

from geode.db.commit_window import CommitWindow
from geode.db.sqlite_settings import BUSY_TIMEOUT_SECONDS, configure
from geode.db.write_plan import (
    BulkConflict,
    BulkRefused,
    WriteStep,
    conflict_of,
    first_line,
    run_sqlite,
    sql_text,
)
from geode.db.write_turns import give_way, turns_path
from geode.errors import ConflictError
from geode.pipes import read_message, write_message

MIN_OPERATIONS = 20_000
"""Runs with fewer operations to go write from a thread instead: starting the
process costs more than it saves (`massops.runner` decides)."""
PIPE_BYTES = 1 << 20
"""About one batch's statements: handing a batch over seldom waits for the process."""
_encoder = msgspec.msgpack.Encoder()


class Statement(msgspec.Struct, array_like=True):
    sql: str
    rows: list[Any]
    conflict: str | None = None

    @classmethod
    def of(cls, step: WriteStep) -> Statement:
        return cls(sql_text(step), list(step.rows), conflict_of(step))


class Job(msgspec.Struct, tag="job", array_like=True):
    batch: int
    operations: int
    statements: msgspec.Raw
    """msgpack of a list of `Statement`, decoded only when the job is written, so
    that jobs wait in the queue as compact bytes (the process stays small)."""

    @classmethod
    def of(cls, batch: int, operations: int, steps: list[WriteStep]) -> Job:
        statements = _encoder.encode([Statement.of(step) for step in steps])
        return cls(batch, operations, msgspec.Raw(statements))


class Close(msgspec.Struct, tag="close", array_like=True):
    pass


_statements = msgspec.msgpack.Decoder(list[Statement])


class Ack(msgspec.Struct, array_like=True):
    kind: str  # written | committed | failed
    batch: int = 0
    error: str = ""  # when failed: conflict | refused | checkpoint | error
    message: str = ""


class WriterFailed(Exception):
    """The writer process failed on something other than a constraint, or died."""


class SqliteWriter:
    """The caller's side: starts the process, hands it jobs, follows its answers.

    At most `max_ahead` jobs wait unwritten, which bounds memory when the
    caller prepares faster than the disk writes.
    """

    def __init__(
        self, database: str, *, commit_ops: int, commit_seconds: float, max_ahead: int = 2
    ) -> None:
        self.max_ahead = max_ahead
        self.committed_batch = 0
        """The last batch whose transaction committed (0: none yet)."""
        self._process = subprocess.Popen(
            [sys.executable, "-m", "geode.db.sqlite_writer", database, str(commit_ops),
             repr(commit_seconds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        assert self._process.stdin is not None and self._process.stdout is not None
        self._stdin: IO[bytes] = self._process.stdin
        self._stdout: IO[bytes] = self._process.stdout
        with contextlib.suppress(OSError, AttributeError):
            fcntl.fcntl(self._stdin.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self._state = threading.Condition()
        self._sent = 0
        self._written = 0
        self._error: BaseException | None = None
        self._exited = False
        self._closing = False
        self._acks = threading.Thread(target=self._receive, name="geode-writer-acks", daemon=True)
        self._acks.start()

    def submit(self, batch: int, operations: int, steps: list[WriteStep]) -> None:
        """Hand a batch over; wait first while `max_ahead` jobs are unwritten."""
        with self._state:
            self._state.wait_for(
                lambda: (
                    self._error is not None
                    or self._exited
                    or self._sent - self._written < self.max_ahead
                )
            )
        self.raise_if_failed()
        try:
            job = Job.of(batch, operations, steps)
        except (UnicodeError, OverflowError) as exc:  # a value the pipe cannot carry
            raise BulkRefused(first_line(exc)) from None
        try:
            write_message(self._stdin, _encoder.encode(job))
        except OSError:
            self._acks.join()  # the process is gone: its answers say why
            self.raise_if_failed()
            raise
        self._sent += 1

    def raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Write and commit every job handed over, and stop; raise if one failed."""
        self.abort()
        self.raise_if_failed()

    def abort(self) -> None:
        """`close`, on the way out of an error: raises nothing."""
        self._closing = True
        with contextlib.suppress(OSError):
            write_message(self._stdin, _encoder.encode(Close()))
        with contextlib.suppress(OSError):
            self._stdin.close()
        self._acks.join()

    def _receive(self) -> None:
        decoder = msgspec.msgpack.Decoder(Ack)
        while (payload := read_message(self._stdout)) is not None:
            ack = decoder.decode(payload)
            with self._state:
                if ack.kind == "written":
                    self._written += 1
                elif ack.kind == "committed":
                    self.committed_batch = ack.batch
                elif self._error is None:
                    self._error = _exception(ack)
                self._state.notify_all()
        status = self._process.wait()
        with self._state:
            self._exited = True
            if self._error is None and not (self._closing and status == 0):
                self._error = WriterFailed(f"the SQLite writer process exited with status {status}")
            self._state.notify_all()


def _exception(ack: Ack) -> BaseException:
    if ack.error == "conflict":
        return BulkConflict(ack.message)
    if ack.error == "refused":
        return BulkRefused(ack.message)
    if ack.error == "checkpoint":
        return ConflictError(ack.message)
    return WriterFailed(ack.message)


# -- the process -----------------------------------------------------------------

_LATER = object()  # no job came within the commit window


class _Session:
    def __init__(
        self,
        connection: sqlite3.Connection,
        sink: IO[bytes],
        commit_ops: int,
        commit_seconds: float,
    ) -> None:
        self.connection = connection
        self.sink = sink
        self.commit_ops = commit_ops
        self.commit_seconds = commit_seconds
        self.inbox: queue.SimpleQueue[Job | Close | None] = queue.SimpleQueue()
        self.failed = False
        self.turns: str | None = None
        """The database's turns file: other writers go between our transactions."""

    def receive(self, source: IO[bytes]) -> None:
        """The reading thread: reads ahead, so the caller's hand-over returns at once."""
        decoder = msgspec.msgpack.Decoder(Job | Close)
        while (payload := read_message(source)) is not None:
            message = decoder.decode(payload)
            self.inbox.put(message)
            if isinstance(message, Close):
                return
        self.inbox.put(None)

    def run(self) -> None:
        message = self.inbox.get()
        while isinstance(message, Job):
            if self.failed:
                message = self.inbox.get()
                continue
            job = message
            try:
                message = self._transaction(job)
            except Exception as exc:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                self._send(Ack("failed", job.batch, *_describe(exc)))
                self.failed = True
                message = self.inbox.get()

    def _transaction(self, job: Job) -> Job | Close | None:
        """Write jobs in one transaction until the window closes; return the
        message that follows."""
        window = CommitWindow(self.commit_ops, self.commit_seconds)
        self.connection.execute("BEGIN IMMEDIATE")
        current = job
        following: Job | Close | object | None
        while True:
            for statement in _statements.decode(current.statements):
                run_sqlite(self.connection, statement.sql, statement.rows, statement.conflict)
            self._send(Ack("written", current.batch))
            wait = window.add(current.operations)
            try:
                following = _LATER if wait is None else self.inbox.get(timeout=wait)
            except queue.Empty:
                following = _LATER
            if not isinstance(following, Job):
                break
            current = following
        if following is None:  # the caller is gone: it cannot learn of a commit
            self.connection.execute("ROLLBACK")
            return None
        self.connection.execute("COMMIT")
        self._send(Ack("committed", current.batch))
        give_way(self.turns)
        if isinstance(following, Job | Close):
            return following
        return self.inbox.get()

    def _send(self, ack: Ack) -> None:
        write_message(self.sink, msgspec.msgpack.encode(ack))


def _describe(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, BulkConflict):
        return "conflict", str(exc)
    if isinstance(exc, BulkRefused):
        return "refused", str(exc)
    if isinstance(exc, ConflictError):
        return "checkpoint", exc.message
    return "error", "".join(traceback.format_exception_only(exc)).strip()


def serve(
    database: str, commit_ops: int, commit_seconds: float, source: IO[bytes], sink: IO[bytes]
) -> None:
    connection = sqlite3.connect(database, timeout=BUSY_TIMEOUT_SECONDS)
    configure(connection)
    session = _Session(connection, sink, commit_ops, commit_seconds)
    session.turns = turns_path(database)
    threading.Thread(target=session.receive, args=(source,), daemon=True).start()
    try:
        session.run()
    finally:
        connection.close()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    gc.disable()  # no reference cycles here; the collector would only scan rows
    database, commit_ops, commit_seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    serve(database, commit_ops, commit_seconds, sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
