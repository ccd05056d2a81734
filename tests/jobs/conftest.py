"""Workers on PostgreSQL: an app wired to Procrastinate, and real worker processes.

Worker processes get small heartbeat, stall and poll intervals, so a killed
worker's job is retried within a few seconds; every process is killed when
its test ends, whatever happened.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from geode.app import App, create_app
from geode.db.engine import reading
from geode.jobs.distributed.dispatch import ProcrastinateDispatcher
from geode.jobs.distributed.schema import ensure_queue_schema
from geode.settings import Settings
from geode.tenants.service import TenantInfo, create_tenant
from tests.jobs.fakes import gated_handlers

GEODE = str(Path(sys.executable).parent / "geode")
ROOT = Path(__file__).resolve().parents[2]
FAST = {
    "GEODE_WORKER_HEARTBEAT_INTERVAL": "0.3",
    "GEODE_WORKER_STALLED_TIMEOUT": "2",
    "GEODE_WORKER_STALLED_CHECK_INTERVAL": "0.3",
    "GEODE_WORKER_POLL_INTERVAL": "0.3",
}


@pytest.fixture
def pg_settings(postgresql_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=postgresql_url,
        data_dir=tmp_path / "data",
        batch_size=100,
        commit_every=200,
        **{k.removeprefix("GEODE_").lower(): float(v) for k, v in FAST.items()},
    )


@pytest.fixture
def pg_app(pg_settings: Settings) -> Iterator[App]:
    """Submits jobs through a ProcrastinateDispatcher, as a server on PostgreSQL does."""
    app = create_app(pg_settings, migrate=False, handlers=gated_handlers())
    ensure_queue_schema(app.engine)
    dispatcher = ProcrastinateDispatcher(app)
    app.dispatcher = dispatcher
    try:
        yield app
    finally:
        dispatcher.close()
        app.close()


@pytest.fixture
def pg_tenant(pg_app: App) -> TenantInfo:
    with pg_app.engine.begin() as connection:
        return create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")


class Workers:
    """`geode worker` processes; their output goes to files (a full pipe would block them)."""

    def __init__(self, settings: Settings, tmp_path: Path) -> None:
        self.env = {
            **os.environ,
            "GEODE_DATABASE_URL": settings.resolved_database_url,
            "GEODE_DATA_DIR": str(tmp_path / "worker-data"),
            "GEODE_BATCH_SIZE": str(settings.batch_size),
            "GEODE_COMMIT_EVERY": str(settings.commit_every),
            **FAST,
        }
        self.tmp_path = tmp_path
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str, fake_types: bool = False) -> subprocess.Popen[bytes]:
        """The real CLI; `fake_types` serves the gated `widgets` batch type instead of
        the seven real ones (see worker_with_fakes.py)."""
        command = [sys.executable, "-m", "tests.jobs.worker_with_fakes"] if fake_types else [GEODE]
        with open(self.tmp_path / f"{name}.log", "wb") as log:
            process = subprocess.Popen(
                [*command, "worker", "--name", name, *args],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")

    def stop(self, name: str, timeout: float = 20) -> int:
        process = self.processes[name]
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout)

    def kill_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(10)


@pytest.fixture
def workers(pg_settings: Settings, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(pg_settings, tmp_path)
    try:
        yield pool
    finally:
        pool.kill_all()


def wait_until(
    check: Callable[[], Any], *, timeout: float = 120, what: str = "the condition"
) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds,
    a bound against hangs far beyond what a loaded machine needs."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


def scalar(app: App, sql: str, **params: Any) -> Any:
    with reading(app.engine) as connection:
        return connection.execute(sa.text(sql), params).scalar()


def row(app: App, sql: str, **params: Any) -> sa.Row[Any]:
    with reading(app.engine) as connection:
        return connection.execute(sa.text(sql), params).one()


def write_customer_upserts(path: Path, count: int, prefix: str) -> Path:
    operations = [
        {"intent": "customer/upsert", "identifier": f"{prefix}-{i}", "firstName": f"F{i}"}
        for i in range(count)
    ]
    path.write_text(json.dumps({"version": "0.0.1", "operations": operations}))
    return path
