"""A tenant's loyalty program row: read with defaults, written as an upsert."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from geode.loyalty.models import LoyaltyProgram
from geode.loyalty.rules import DEFAULT_PROGRAM, Program, check_program
from geode.money import money_text, to_money
from geode.timestamps import utcnow

_programs: sa.Table = LoyaltyProgram.__table__  # type: ignore[assignment]


def get_program(connection: sa.Connection, tenant_id: str) -> Program:
    """The tenant's stored program, or `rules.DEFAULT_PROGRAM` when none is stored."""
    row = connection.execute(
        sa.select(_programs.c.earn_rate, _programs.c.point_value, _programs.c.currency).where(
            _programs.c.tenant_id == tenant_id
        )
    ).first()
    if row is None:
        return DEFAULT_PROGRAM
    return Program(to_money(row.earn_rate), to_money(row.point_value), row.currency)


def set_program(
    connection: sa.Connection,
    tenant_id: str,
    *,
    earn_rate: Decimal | int | str,
    point_value: Decimal | int | str,
    currency: str,
) -> Program:
    """Store the tenant's program (replacing any), after `rules.check_program`.

    Takes effect for requests applied afterwards; recorded entries keep the
    points they were given.
    """
    program = check_program(Program(to_money(earn_rate), to_money(point_value), currency))
    values = {
        "tenant_id": tenant_id,
        "earn_rate": money_text(program.earn_rate),
        "point_value": money_text(program.point_value),
        "currency": program.currency,
        "updated_at": utcnow(),
    }
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(_programs).values(values)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[_programs.c.tenant_id],
            set_={name: statement.excluded[name] for name in values if name != "tenant_id"},
        )
    )
    return program
