"""A refused row's values never reach an error's text: through SQLAlchemy or the raw
bulk path, on SQLite and PostgreSQL. The traceback a log would print is checked whole."""

from __future__ import annotations

import traceback

import psycopg
import pytest
import sqlalchemy as sa

from geode.app import App
from geode.db import bulk
from geode.db.redact import HIDDEN
from geode.ids import new_id
from geode.tenants.service import TenantInfo
from geode.timestamps import utcnow

SECRET = "jane-roe-4471"
NAME = "Jane Roe-Quinterra"


def printed(exc: BaseException) -> str:
    """What `log.exception` would write: the whole chain, driver error included."""
    return "".join(traceback.format_exception(exc))


def _customer(tenant_id: str, identifier: str, name: str) -> dict[str, str]:
    now = utcnow()
    return {
        "tenant_id": tenant_id,
        "id": new_id(),
        "identifier": identifier,
        "type": "individual",
        "first_name": name,
        "created_at": now,
        "updated_at": now,
    }


_INSERT = sa.text(
    "INSERT INTO customers (tenant_id, id, identifier, type, first_name, created_at,"
    " updated_at) VALUES (:tenant_id, :id, :identifier, :type, :first_name, :created_at,"
    " :updated_at)"
)


def test_a_unique_violation_names_the_constraint_not_the_key(app: App, tenant: TenantInfo) -> None:
    with app.engine.connect() as connection:
        connection.execute(_INSERT, _customer(tenant.id, SECRET, NAME))
        with pytest.raises(sa.exc.IntegrityError) as caught:
            connection.execute(_INSERT, _customer(tenant.id, SECRET, NAME))
        connection.rollback()
    text = printed(caught.value)
    assert SECRET not in text
    assert NAME not in text
    assert "unique" in text.lower()  # still says what failed
    assert "customers" in text or "uq_customers" in text
    assert "parameters hidden" in text


@pytest.mark.parametrize(
    ("sql_type", "value", "message"),
    [
        ("integer", SECRET, f"invalid input syntax for type integer: {HIDDEN}"),
        ("smallint", "4471999", f"value {HIDDEN} is out of range for type smallint"),
        ("date", "2024-13-47", f"date/time field value out of range: {HIDDEN}"),
    ],
)
def test_a_value_the_database_refuses_is_not_echoed(
    app: App, sql_type: str, value: str, message: str
) -> None:
    if app.engine.dialect.name != "postgresql":
        pytest.skip("SQLite converts what it can and stores the rest as given")
    with app.engine.connect() as connection, pytest.raises(sa.exc.DataError) as caught:
        connection.execute(sa.text(f"SELECT CAST(:v AS {sql_type})"), {"v": value})
    text = printed(caught.value)
    assert value not in text
    assert message in text
    # Whoever needs the value (a bug report, a retry) still has it on the driver error.
    orig = caught.value.orig
    assert isinstance(orig, psycopg.Error)
    assert str(orig.diag.sqlstate).startswith("22")


def test_the_raw_copy_path_hides_the_row_it_refused(app: App, tenant: TenantInfo) -> None:
    """`tenants.identifier` is varchar(64): COPY names the column and, unredacted, the value."""
    too_long = SECRET * 10
    with app.engine.connect() as connection:
        try:
            bulk.insert_rows(
                connection, "tenants", ["id", "identifier", "created_at"],
                [(new_id(), too_long, utcnow())],
            )  # fmt: skip
        except Exception as exc:
            text = printed(exc)
            assert SECRET not in text
            assert "value too long" in text
        else:
            assert app.engine.dialect.name == "sqlite"  # stores any length
        finally:
            connection.rollback()


def test_a_conflict_on_the_raw_path_keeps_its_first_line_without_the_key(
    app: App, tenant: TenantInfo
) -> None:
    row = tuple(_customer(tenant.id, SECRET, NAME).values())
    columns = list(_customer(tenant.id, SECRET, NAME))
    with app.engine.connect() as connection:
        bulk.insert_rows(connection, "customers", columns, [row])
        with pytest.raises(bulk.BulkConflict) as caught:
            bulk.insert_rows(connection, "customers", columns, [(tenant.id, new_id(), *row[2:])])
        connection.rollback()
    assert "UNIQUE" in str(caught.value).upper()
    assert SECRET not in printed(caught.value)


def test_a_connection_failure_keeps_its_whole_message(app: App) -> None:
    if app.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    from geode.db.engine import create_engine

    url = app.engine.url.set(database="geode_no_such_database")
    engine = create_engine(url.render_as_string(hide_password=False))
    try:
        with pytest.raises(sa.exc.OperationalError) as caught, engine.connect():
            pass
    finally:
        engine.dispose()
    assert 'database "geode_no_such_database" does not exist' in str(caught.value)
