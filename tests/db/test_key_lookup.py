"""A batch's keys looked up in one statement, on each database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from geode.db.key_lookup import KeyLookup


@pytest.fixture
def table(db_url: str) -> Iterator[tuple[sa.Engine, sa.Table]]:
    engine = sa.create_engine(db_url)
    table = sa.Table(
        f"key_lookup_{uuid.uuid4().hex[:8]}",
        sa.MetaData(),
        sa.Column("owner", sa.String(8), primary_key=True),
        sa.Column("key", sa.String(24), primary_key=True),
        sa.Column("number", sa.Integer, nullable=False),
    )
    table.create(engine)
    rows = [{"owner": o, "key": f"k{i}", "number": i} for o in ("a", "b") for i in range(50)]
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)
    yield engine, table
    table.drop(engine)
    engine.dispose()


def test_finds_exactly_the_rows_whose_key_is_given(table: tuple[sa.Engine, sa.Table]) -> None:
    engine, t = table
    by_key = KeyLookup.of(sa.select(t.c.key).where(t.c.owner == sa.bindparam("owner")), t.c.key)
    with engine.connect() as connection:
        found = by_key.execute(connection, {"owner": "a", "keys": ["k1", "k7", "nope", "k49"]})
        assert sorted(key for (key,) in found) == ["k1", "k49", "k7"]
        assert by_key.execute(connection, {"owner": "a", "keys": []}).all() == []


def test_takes_integer_keys_under_another_name(table: tuple[sa.Engine, sa.Table]) -> None:
    engine, t = table
    by_number = KeyLookup.of(
        sa.select(t.c.owner, t.c.number).where(t.c.owner == "b"), t.c.number, "numbers"
    )
    with engine.connect() as connection:
        found = by_number.execute(connection, {"numbers": list(range(45, 60))}).all()
    assert sorted(tuple(row) for row in found) == [("b", n) for n in range(45, 50)]
