"""Turns at SQLite's write lock: a long writer gives way to writers that wait, boundedly."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from geode.db import write_turns
from geode.db.engine import create_engine, reading
from geode.db.write_turns import give_way, turns_path, wait_for_turn


def test_nobody_waiting_costs_no_wait(tmp_path: Path) -> None:
    assert give_way(turns_path(str(tmp_path / "x.db"))) == 0.0
    assert give_way(None) == 0.0
    assert turns_path(":memory:") is None


def test_a_long_writer_goes_on_once_the_waiting_writer_is_done(tmp_path: Path) -> None:
    path = turns_path(str(tmp_path / "x.db"))
    turn = wait_for_turn(path)
    assert turn is not None
    turn.end()
    assert give_way(path) == 0.0


def test_a_writer_that_never_ends_delays_a_long_writer_only_so_long(tmp_path: Path) -> None:
    path = turns_path(str(tmp_path / "x.db"))
    turn = wait_for_turn(path)
    try:
        assert give_way(path) >= write_turns.MAX_GIVE_WAY_SECONDS
    finally:
        assert turn is not None
        turn.end()


def test_an_engine_write_transaction_holds_a_turn_until_it_ends(tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    engine = create_engine(f"sqlite:///{database}")
    path = turns_path(str(database))
    try:
        with reading(engine) as connection:
            connection.execute(sa.text("select 1"))
            assert give_way(path) == 0.0, "readers take no turn"
        with engine.begin() as connection:
            connection.execute(sa.text("create table t (x integer)"))
            assert give_way(path) > 0
        assert give_way(path) == 0.0, "the commit ended the turn"
        try:
            with engine.begin() as connection:
                connection.execute(sa.text("insert into t values (1)"))
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert give_way(path) == 0.0, "the rollback ended the turn"
    finally:
        engine.dispose()
