"""The schema check every command runs: right, and cheap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from geode.db.engine import create_engine
from geode.db.migrate import HEAD_REVISION, alembic_config, current_revision, ensure_schema


def test_recorded_head_is_the_newest_migration(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert script.get_heads() == [HEAD_REVISION]


def test_first_use_migrates_a_new_database(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert current_revision(engine) is None
    ensure_schema(engine)
    assert current_revision(engine) == HEAD_REVISION
    with engine.connect() as connection:
        tables = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master")}
    assert {"tenants", "customers", "orders", "massop_tasks"} <= tables
    assert "order_lines" not in tables  # carts live in the order document (0003)


def test_an_up_to_date_database_is_checked_without_loading_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'current.db'}"
    ensure_schema(create_engine(url))
    probe = (
        "import sys; from geode.db.engine import create_engine; "
        "from geode.db.migrate import ensure_schema; "
        f"ensure_schema(create_engine({url!r})); print('alembic' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
