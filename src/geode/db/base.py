"""Declarative base and the column types every domain shares.

Money and timestamps are real NUMERIC / timestamptz columns on PostgreSQL and
canonical TEXT on SQLite (which has neither); JSON documents are TEXT written by
msgspec so Decimals survive exactly on both.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def Id() -> sa.String:
    return sa.String(24)


MONEY = sa.Numeric().with_variant(sa.Text(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")
JSON_TEXT = sa.Text()


def table_of(model: type[Base]) -> sa.Table:
    """The model's table, typed as one (`__table__` is typed as a FromClause)."""
    table = model.__table__
    assert isinstance(table, sa.Table)
    return table
