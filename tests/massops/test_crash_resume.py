"""SIGKILL a real `geode massop run` at several moments, resume it, and compare
the store with an uninterrupted run of the same file: on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from geode.db.engine import create_engine, reading
from tests.conftest import Store

pytestmark = pytest.mark.integration
GEODE = str(Path(sys.executable).parent / "geode")


def operations(count: int) -> list[dict[str, Any]]:
    ops: list[dict[str, Any]] = []
    for i in range(count):
        if i % 5 == 0:
            ops.append(
                {"_ref": f"c{i}", "intent": "customer/upsert", "identifier": f"cust-{i}",
                 "firstName": f"F{i}", "addresses": [{"type": "billing", "city": "Oslo"}]}
            )  # fmt: skip
        else:
            ref = f"c{i - i % 5}"
            ops.append(
                {"intent": "order/upsert", "id": f"{i:024x}", "customer": {"identifier": f"{{{{ {ref}.identifier }}}}"},
                 "cart": [{"sku": f"sku-{i}", "name": "x", "quantity": 1, "price": {"gross": 9.95, "currency": "EUR"}}],
                 "total": {"gross": 9.95, "currency": "EUR"}, "createdAt": "2024-01-01T00:00:00Z"}
            )  # fmt: skip
    return ops


@pytest.fixture
def db_url(store: Store) -> str:
    return store.url


def environment(store: Store, data_dir: Path) -> dict[str, str]:
    """Small batches and transactions, so a run has many checkpoints to kill between."""
    return {
        **os.environ,
        "GEODE_DATABASE_URL": store.url,
        "GEODE_DATA_DIR": str(data_dir),
        "GEODE_BATCH_SIZE": "10",
        "GEODE_COMMIT_EVERY": "30",
        "GEODE_SQLITE_WRITER_PROCESS_MIN_OPS": str(store.writer_process_min_ops),
    }


def geode(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([GEODE, *args], env=env, capture_output=True, text=True, timeout=300)
    if check and result.returncode not in (0, 3):
        raise AssertionError(f"geode {args} exited {result.returncode}: {result.stderr}")
    return result


def snapshot(url: str, tenant: str) -> dict[str, Any]:
    engine = create_engine(url)
    with engine.connect() as connection:
        tenant_id = connection.execute(
            sa.text("select id from tenants where identifier = :t"), {"t": tenant}
        ).scalar_one()
        customers = connection.execute(
            sa.text(
                "select identifier, first_name, addresses from customers where tenant_id = :t order by identifier"
            ),
            {"t": tenant_id},
        ).all()
        orders = connection.execute(
            sa.text(
                "select id, content_hash, customer_identifier from orders where tenant_id = :t order by id"
            ),
            {"t": tenant_id},
        ).all()
        carts = connection.execute(
            sa.text("select id, cart from orders where tenant_id = :t order by id"),
            {"t": tenant_id},
        ).all()
        logs = connection.execute(
            sa.text(
                "select count(*), count(distinct l.idx) from massop_logs l join massop_tasks t on t.id = l.task_id "
                "where t.tenant_id = :t"
            ),
            {"t": tenant_id},
        ).one()
    engine.dispose()
    return {"customers": customers, "orders": orders, "carts": carts, "logs": tuple(logs)}


def task_of(url: str, tenant: str) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        task_id = connection.execute(
            sa.text(
                "select t.id from massop_tasks t join tenants n on n.id = t.tenant_id where n.identifier = :t"
            ),
            {"t": tenant},
        ).scalar_one()
    engine.dispose()
    return str(task_id)


def wait_for_progress(url: str, tenant: str, at_least: int, process: subprocess.Popen[str]) -> None:
    engine = create_engine(url)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            with reading(engine) as connection:
                done = connection.execute(
                    sa.text(
                        "select coalesce(max(processed), -1) from massop_tasks t join tenants n on n.id = t.tenant_id "
                        "where n.identifier = :t and t.status != 'validating'"  # see test_lifecycle
                    ),
                    {"t": tenant},
                ).scalar_one()
            if done >= at_least:
                return
            time.sleep(0.005)
    finally:
        engine.dispose()


@pytest.mark.parametrize("kill_points", [[0], [300, 1200, 2100]])
def test_killed_run_resumes_to_the_same_store(
    store: Store, db_url: str, tmp_path: Path, kill_points: list[int]
) -> None:
    env = environment(store, tmp_path)
    file = tmp_path / "ops.json"
    total = 3000
    file.write_text(json.dumps({"version": "0.0.1", "operations": operations(total)}))
    suffix = uuid.uuid4().hex[:8]
    reference, crashed = f"ref-{suffix}", f"crash-{suffix}"
    geode(env, "tenant", "create", reference)
    geode(env, "tenant", "create", crashed)
    clean = json.loads(
        geode(env, "massop", "run", str(file), "--tenant", reference, "--json").stdout
    )
    assert clean["status"] == "complete"

    process = subprocess.Popen(
        [GEODE, "massop", "run", str(file), "--tenant", crashed, "--json"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    task_id = None
    for number, point in enumerate(kill_points):
        wait_for_progress(db_url, crashed, point, process)
        if number > 0 and process.poll() is not None:
            break  # a resumed run outran a later kill point: nothing left to interrupt
        assert process.poll() is None, "the run finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
        task_id = task_of(db_url, crashed)
        status = json.loads(geode(env, "massop", "status", task_id, "--json").stdout)["status"]
        if number == 0:
            # At point 0 the kill may land while the file is still validated: resume
            # validates it again (tests/massops/test_lifecycle.py kills there on purpose).
            assert status in ("validating", "pending", "running"), (
                "the first kill must land mid-run"
            )
        process = subprocess.Popen(
            [GEODE, "massop", "resume", task_id, "--json"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    resumed = json.loads(stdout)
    assert resumed["taskId"] == task_id
    assert resumed["status"] == "complete"
    assert resumed["counts"] == clean["counts"]

    expected, actual = snapshot(db_url, reference), snapshot(db_url, crashed)
    assert actual == expected
    assert actual["logs"] == (total, total)
    assert len(actual["orders"]) == total - total // 5


def test_ctrl_c_cancels_cleanly_and_resume_finishes(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    env = environment(store, tmp_path)
    file = tmp_path / "ops.json"
    file.write_text(json.dumps({"version": "0.0.1", "operations": operations(3000)}))
    tenant = f"sigint-{uuid.uuid4().hex[:8]}"
    geode(env, "tenant", "create", tenant)
    process = subprocess.Popen(
        [GEODE, "massop", "run", str(file), "--tenant", tenant, "--json"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    wait_for_progress(db_url, tenant, 300, process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, (stdout, stderr)
    cancelled = json.loads(stdout)
    assert cancelled["status"] == "cancelled"
    assert "geode massop resume" in stderr
    # What was done stays done, and exactly matches the checkpoint.
    snap = snapshot(db_url, tenant)
    assert snap["logs"] == (cancelled["processed"], cancelled["processed"])

    resumed = json.loads(geode(env, "massop", "resume", cancelled["taskId"], "--json").stdout)
    assert resumed["status"] == "complete"
    assert snapshot(db_url, tenant)["logs"] == (3000, 3000)
