"""The SQLite writer process: jobs commit whole, in order; a failure or a dead
caller commits nothing half-done."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest

from geode.db.sqlite_writer import Ack, Close, Job, SqliteWriter, WriterFailed
from geode.db.write_plan import BulkConflict, BulkRefused, Insert, Update
from geode.errors import ConflictError
from geode.pipes import read_message, write_message


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = tmp_path / "w.db"
    with sqlite3.connect(path) as connection:
        connection.execute("create table items (id integer primary key, name text not null)")
        connection.execute("create table marks (id text primary key, at integer not null)")
        connection.execute("insert into marks values ('task', 0)")
    return str(path)


def items(database: str) -> list[tuple[int, str]]:
    with sqlite3.connect(database) as connection:
        return list(connection.execute("select id, name from items order by id"))


def mark(database: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("select at from marks").fetchone()[0])


def batch(number: int, ids: range) -> list[Insert | Update]:
    """A job like the engine's: rows, then a compare-and-set of the checkpoint."""
    return [
        Insert("items", ("id", "name"), [(i, f"item {i}") for i in ids]),
        Update(
            "marks", ("at",), ("id", "at"), [(number, "task", number - 1)],
            conflict=f"the mark moved before batch {number}",
        ),
    ]  # fmt: skip


def wait_until(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.parametrize("finish", ["close", "abort"])
def test_every_job_handed_over_is_written_in_order_and_committed(
    database: str, finish: str
) -> None:
    """`abort` too: a cancelled run keeps every batch it reported done."""
    writer = SqliteWriter(database, commit_ops=1_000_000, commit_seconds=60)
    for number in range(1, 6):
        writer.submit(number, 10, batch(number, range(number * 10, number * 10 + 10)))
    getattr(writer, finish)()
    assert [i for i, _ in items(database)] == list(range(10, 60))
    assert mark(database) == 5
    assert writer.committed_batch == 5


def test_a_full_window_commits_while_the_caller_goes_on(database: str) -> None:
    writer = SqliteWriter(database, commit_ops=20, commit_seconds=60)
    writer.submit(1, 10, batch(1, range(0, 10)))
    writer.submit(2, 10, batch(2, range(10, 20)))  # 20 operations: commit
    wait_until(lambda: writer.committed_batch == 2)
    assert len(items(database)) == 20  # visible to other connections
    writer.submit(3, 10, batch(3, range(20, 30)))
    writer.close()
    assert mark(database) == 3


def test_an_old_transaction_commits_without_more_jobs(database: str) -> None:
    writer = SqliteWriter(database, commit_ops=1_000_000, commit_seconds=0.2)
    writer.submit(1, 10, batch(1, range(0, 10)))
    wait_until(lambda: writer.committed_batch == 1)
    assert mark(database) == 1
    writer.close()


def test_a_constraint_rolls_back_the_whole_transaction_and_is_reported(database: str) -> None:
    writer = SqliteWriter(database, commit_ops=20, commit_seconds=60)
    writer.submit(1, 10, batch(1, range(0, 10)))
    writer.submit(2, 10, batch(2, range(10, 20)))
    wait_until(lambda: writer.committed_batch == 2)
    writer.submit(3, 10, batch(3, range(20, 30)))
    writer.submit(4, 10, batch(4, range(25, 35)))  # 25..29 exist (uncommitted, same transaction)
    with pytest.raises(BulkConflict, match=r"UNIQUE constraint failed: items\.id"):
        writer.close()
    # Batch 3 shared batch 4's transaction: neither is half-written.
    assert [i for i, _ in items(database)] == list(range(20))
    assert mark(database) == 2
    assert writer.committed_batch == 2


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (None, r"NOT NULL constraint failed"),
        (2**70, r"can't serialize ints"),
        ("\ud800", r"surrogates"),
    ],
    ids=["null", "integer-out-of-range", "unpaired-surrogate"],
)
def test_a_refused_value_is_reported_as_a_refusal_not_a_conflict(
    database: str, name: object, reason: str
) -> None:
    """So that the runner isolates the row that holds it (a refusal is no
    concurrent writer's doing, and a retry would not help). A value that even the
    pipe to the process cannot carry is refused on this side."""
    writer = SqliteWriter(database, commit_ops=1_000_000, commit_seconds=60)
    rows = [(1, "fine"), (2, name)]
    with pytest.raises(BulkRefused, match=reason) as raised:
        try:
            writer.submit(1, 2, [Insert("items", ("id", "name"), rows), *batch(1, range(0))])
        except BulkRefused:
            writer.abort()
            raise
        writer.close()
    assert not isinstance(raised.value, BulkConflict)
    assert items(database) == [] and mark(database) == 0


def test_a_moved_checkpoint_stops_the_writer(database: str) -> None:
    writer = SqliteWriter(database, commit_ops=1_000_000, commit_seconds=60)
    writer.submit(7, 10, batch(7, range(0, 10)))  # expects the mark at 6; it is at 0
    with pytest.raises(ConflictError, match="the mark moved before batch 7"):
        writer.close()
    assert items(database) == []


def test_later_jobs_are_refused_once_one_failed(database: str) -> None:
    writer = SqliteWriter(database, commit_ops=1_000_000, commit_seconds=60, max_ahead=1)
    writer.submit(1, 10, batch(1, range(0, 10)))
    writer.submit(2, 10, batch(2, range(0, 10)))  # duplicates
    with pytest.raises(BulkConflict):
        for number in range(3, 100):
            writer.submit(number, 10, batch(number, range(number * 10, number * 10 + 10)))
    writer.abort()
    assert items(database) == []


def test_a_dead_writer_is_reported(database: str) -> None:
    writer = SqliteWriter(database, commit_ops=1_000_000, commit_seconds=60)
    writer.submit(1, 10, batch(1, range(0, 10)))
    writer._process.kill()
    with pytest.raises(WriterFailed, match="exited with status -9"):
        for number in range(2, 1000):
            writer.submit(number, 10, batch(number, range(number * 10, number * 10 + 10)))
    with pytest.raises(WriterFailed):
        writer.close()
    assert items(database) == []


def process_with_one_job(database: str) -> subprocess.Popen[bytes]:
    """The writer process driven by hand through its pipes, batch 1 handed over."""
    process = subprocess.Popen(
        [sys.executable, "-m", "geode.db.sqlite_writer", database, "1000000", "60"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    write_message(process.stdin, msgspec.msgpack.encode(Job.of(1, 10, batch(1, range(10)))))
    return process


def test_end_of_input_without_close_rolls_back(database: str) -> None:
    """The caller died (SIGKILL): whatever it sent stays uncommitted."""
    process = process_with_one_job(database)
    assert process.stdin is not None and process.stdout is not None
    ack = msgspec.msgpack.decode(read_message(process.stdout) or b"", type=Ack)
    assert (ack.kind, ack.batch) == ("written", 1)
    process.stdin.close()
    assert process.wait(timeout=60) == 0
    assert items(database) == []
    assert mark(database) == 0


def test_close_is_a_message_not_the_end_of_input(database: str) -> None:
    process = process_with_one_job(database)
    assert process.stdin is not None and process.stdout is not None
    write_message(process.stdin, msgspec.msgpack.encode(Close()))
    process.stdin.close()
    assert process.wait(timeout=60) == 0
    acks = []
    while (payload := read_message(process.stdout)) is not None:
        acks.append(msgspec.msgpack.decode(payload, type=Ack))
    assert [(a.kind, a.batch) for a in acks] == [("written", 1), ("committed", 1)]
    assert len(items(database)) == 10
