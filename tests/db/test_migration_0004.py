"""Migration 0004 gives access tokens a lifecycle; tokens issued before it keep working."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from geode.db.migrate import alembic_config, upgrade
from geode.tenants.service import authenticate, get_token


def test_a_token_issued_before_0004_still_works_and_never_expires(engine: Engine) -> None:
    upgrade(engine, "0003")
    now = "2024-01-01T00:00:00.000000Z"
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO tenants (id, identifier, created_at) VALUES ('t', 'shop', :n)"),
            {"n": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO access_tokens (id, tenant_id, secret_hash, created_at)"
                " VALUES ('k', 't', :h, :n)"
            ),
            {"h": hashlib.sha256(b"s3cret").hexdigest(), "n": now},
        )

    upgrade(engine, "0004")
    with engine.connect() as connection:
        assert authenticate(connection, "k", "s3cret") == "t"
        token = get_token(connection, "k")
    assert (token.status, token.expires_at, token.revoked_at, token.last_used_at) == (
        "active",
        None,
        None,
        None,
    )

    command.downgrade(alembic_config(engine), "0003")
    columns = {c["name"] for c in sa.inspect(engine).get_columns("access_tokens")}
    assert columns == {"id", "tenant_id", "secret_hash", "created_at"}
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT id FROM access_tokens")).scalars().all() == ["k"]
