"""Turns at SQLite's single write lock, so a long import and short writers share it.

Why: a mass-operation run keeps a write transaction open for up to a second
(`CommitWindow`) and begins the next one as soon as it commits. SQLite's busy
handler retries a waiting `BEGIN IMMEDIATE` only every 100 ms or so and
almost never lands in that gap, so without turns a batch job (or any request
that writes) waits until the whole run ends, or fails at the busy timeout.

How: a file beside the database (`<database>-turns`), locked with flock(2),
which works across threads and processes alike (the server, SQLite's writer
process, a `geode massop run` in a terminal):
- every write transaction of the engine holds a shared lock on it from before
  its `BEGIN IMMEDIATE` until its commit or rollback (`db.engine`): "I am
  waiting for, or hold, the write lock";
- a long writer (a run's batch writer) calls `give_way` after each commit: if
  anyone holds a shared lock, it waits before beginning again, until no one
  has for `QUIET_SECONDS` (a batch job's consecutive slices all get in), or
  for `MAX_GIVE_WAY_SECONDS` at most, so the run always progresses too.
When nobody waits, `give_way` costs two `flock` calls per commit.
Standard library only: SQLite's writer process imports it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time

MAX_GIVE_WAY_SECONDS = 1.0
"""At most this long a run waits per commit while others write: with the
one-second commit window, a run and a stream of batch jobs get about half of
the write lock each."""
QUIET_SECONDS = 0.02
"""How long no one must wait before the run begins again: longer than the gap
between two transactions of one batch job."""
_POLL_SECONDS = 0.002
SUFFIX = "-turns"


def turns_path(database: str | None) -> str | None:
    """The turns file of a SQLite database file; None for an in-memory one."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database + SUFFIX


class Turn:
    """A writer's shared lock on the turns file, held until `end` (or until the
    object is dropped, should a connection be discarded without a rollback)."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def end(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)  # closing drops the lock

    def __del__(self) -> None:
        self.end()


def wait_for_turn(path: str | None) -> Turn | None:
    """Announce a write transaction: a shared lock, until the `Turn` ends.

    None where there is no turns file (it cannot be created): the writer then
    just queues on SQLite's lock, as without turns."""
    if path is None:
        return None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        return None
    try:
        # Blocks only while a long writer checks for waiters (microseconds).
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError:
        os.close(fd)
        return None
    return Turn(fd)


def end_turn(turn: Turn | None) -> None:
    if turn is not None:
        turn.end()


def give_way(path: str | None) -> float:
    """After a long writer's commit: let waiting writers in before it begins again.

    Returns the seconds spent waiting (0.0 when nobody waited)."""
    if path is None:
        return 0.0
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        return 0.0
    try:
        if _nobody_waits(fd):
            return 0.0
        began = time.monotonic()
        deadline = began + MAX_GIVE_WAY_SECONDS
        quiet_since: float | None = None
        while (now := time.monotonic()) < deadline:
            if not _nobody_waits(fd):
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= QUIET_SECONDS:
                break
            time.sleep(_POLL_SECONDS)
        return time.monotonic() - began
    finally:
        os.close(fd)


def _nobody_waits(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return True  # no locking here: behave as if there were no turns
    fcntl.flock(fd, fcntl.LOCK_UN)
    return True
