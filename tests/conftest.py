"""Fixtures: a real SQLite file and a real PostgreSQL database per test session.

Storage tests take the `db_url` fixture and run once per database. Each test
works in its own tenant, so tests share a database without seeing each
other's records. PostgreSQL tests are skipped when no server answers, unless
GEODE_REQUIRE_POSTGRES=1 (CI sets it), where that is a failure.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from geode.app import App, create_app
from geode.db import sqlite_writer
from geode.db.engine import create_engine
from geode.db.migrate import upgrade
from geode.settings import Settings
from geode.tenants.service import TenantInfo, create_tenant

ADMIN_URL = os.environ.get(
    "GEODE_TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _postgres_database(worker: str) -> Iterator[str]:
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"geode_test_{worker}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("GEODE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable at {ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {ADMIN_URL}")
    url = sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgresql_url(worker_id: str) -> Iterator[str]:
    yield from _postgres_database(worker_id)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("sqlite") / "geode.db"
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


@dataclass(frozen=True)
class Store:
    url: str
    writer_process: bool  # SQLite: runs of any size write from the writer process

    @property
    def writer_process_min_ops(self) -> int:
        return 0 if self.writer_process else sqlite_writer.MIN_OPERATIONS


@pytest.fixture(params=["sqlite", "sqlite-writer-process", "postgresql"])
def store(request: pytest.FixtureRequest) -> Store:
    """For engine tests: `db_url`'s databases, and SQLite once more with the
    writer process that big runs use (small test files would not start it)."""
    database = str(request.param).split("-")[0]
    url = str(request.getfixturevalue(f"{database}_url"))
    return Store(url, writer_process=request.param.endswith("writer-process"))


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "data", batch_size=50)


@pytest.fixture
def app(settings: Settings) -> Iterator[App]:
    application = create_app(settings, migrate=False)
    yield application
    application.close()


@pytest.fixture
def tenant(app: App) -> TenantInfo:
    with app.engine.begin() as connection:
        return create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")


WriteOps = Callable[..., Path]


@pytest.fixture
def ops_file(tmp_path: Path) -> WriteOps:
    """Write a mass-operation file: ops_file([{...}, ...], name="x.json")."""

    def write(
        operations: list[dict[str, Any]], name: str = "ops.json", version: str = "0.0.1"
    ) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps({"version": version, "operations": operations}))
        return path

    return write
