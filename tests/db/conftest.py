"""An empty database of each kind, for tests that walk migrations from an older revision."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geode.db.engine import create_engine
from tests.conftest import _postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """No tables at all: each test upgrades it to the revision it starts from."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('m') / 'm.db'}")
        yield engine
        engine.dispose()
        return
    # a database of its own, left at an older revision
    for url in _postgres_database(f"mig_{uuid.uuid4().hex[:6]}"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        yield engine
        engine.dispose()
