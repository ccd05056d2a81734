"""Error ids: what a client is told, and what the server log keeps, on both databases."""

from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa

from geode import incidents
from geode.db.engine import create_engine

SECRET = "secret-customer-4711"


def test_an_incident_is_logged_with_its_id_and_told_in_words(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR)
    try:
        raise ValueError("the reason")
    except ValueError as exc:
        first = incidents.record("the import stopped", exc)
    second = incidents.record("the import stopped")
    assert re.fullmatch(r"[0-9a-f]{10}", first.error_id) and first.error_id != second.error_id
    assert first.message == f"the import stopped (error id {first.error_id})"
    (logged, _) = [r.getMessage() for r in caplog.records]
    assert logged.startswith(first.message)
    assert "Traceback" in logged and "ValueError: the reason" in logged


def test_a_database_error_is_logged_without_its_values_or_sql(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL's DETAIL repeats the key, SQLAlchemy's message the statement and
    its parameters: none of it reaches the log, only the driver's first line."""
    caplog.set_level(logging.ERROR)
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text("create temporary table incident_probe (identifier text primary key)")
            )
            insert = sa.text("insert into incident_probe (identifier) values (:i)")
            connection.execute(insert, {"i": SECRET})
            with pytest.raises(sa.exc.IntegrityError) as raised:
                connection.execute(insert, {"i": SECRET})
            incident = incidents.record("storing the probe failed", raised.value)
    finally:
        engine.dispose()
    (logged,) = [r.getMessage() for r in caplog.records]
    assert incident.error_id in logged
    assert "IntegrityError from " in logged
    assert SECRET not in logged and "insert into" not in logged.lower()


def test_a_refused_row_is_one_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    try:
        raise ValueError("first line\nsecond line")
    except ValueError as exc:
        incident = incidents.record("operation 3 was not applied", exc, frames=False)
    (logged,) = [r.getMessage() for r in caplog.records]
    assert logged == f"{incident.message}: ValueError: first line\nsecond line"
