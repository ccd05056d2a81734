"""A task exists from its first moment: `validating` while its file is read, with
progress in its row; a kill during validation leaves a task that `resume` finishes
with the store of an uninterrupted run (a real SIGKILL, on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from geode.app import App
from geode.db.engine import create_engine, reading
from geode.errors import ConflictError
from geode.ids import new_id
from geode.massops import lifecycle
from geode.tenants.service import TenantInfo
from tests.massops.test_crash_resume import GEODE, geode

pytestmark = pytest.mark.integration


def customers(count: int) -> list[dict[str, Any]]:
    """Wide enough that validating ~15 MB lasts a few seconds, under the 16 MB
    from which the parallel pass takes over."""
    return [
        {"intent": "customer/upsert", "identifier": f"cust-{i}", "firstName": f"F{i}",
         "addresses": [{"type": "billing", "street": "x" * 200, "city": "Oslo"}]}
        for i in range(count)
    ]  # fmt: skip


def store_of(url: str, tenant: str) -> list[Any]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "select c.identifier, c.first_name, c.addresses from customers c "
                "join tenants t on t.id = c.tenant_id where t.identifier = :t order by c.identifier"
            ),
            {"t": tenant},
        ).all()
    engine.dispose()
    return rows


def validating_row(url: str, tenant: str, process: subprocess.Popen[str]) -> Any:
    """The task row once validation has recorded progress, while it is still validating."""
    engine = create_engine(url)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            with reading(engine) as connection:
                row = connection.execute(
                    sa.text(
                        "select k.* from massop_tasks k join tenants t on t.id = k.tenant_id "
                        "where t.identifier = :t"
                    ),
                    {"t": tenant},
                ).one_or_none()
            if row is not None and row.status == "validating" and row.operations_read:
                return row
            time.sleep(0.02)
    finally:
        engine.dispose()
    raise AssertionError("validation ended before it could be seen under way")


def test_killed_while_validating_resumes_to_the_same_store(db_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "GEODE_DATABASE_URL": db_url, "GEODE_DATA_DIR": str(tmp_path)}
    file = tmp_path / "ops.json"
    total = 45_000
    file.write_text(json.dumps({"version": "0.0.1", "operations": customers(total)}))
    assert file.stat().st_size < 16 << 20
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
    row = validating_row(db_url, crashed, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert row.total == 0 and 0 < row.operations_read < total
    assert 0 < row.bytes_read <= row.source_size == file.stat().st_size
    assert row.source_path == str(file.resolve())

    # A killed validation stays visible, with what it had read.
    status = json.loads(geode(env, "massop", "status", row.id, "--json").stdout)
    assert status["status"] == "validating" and status["total"] == 0
    assert status["validation"]["operationsRead"] >= row.operations_read
    assert status["validation"]["bytesTotal"] == file.stat().st_size
    shown = geode(env, "massop", "status", row.id).stdout
    assert "validating" in shown and "operations read" in shown
    listed = geode(env, "massop", "list", "--tenant", crashed).stdout
    assert row.id in listed and "validating" in listed and "/?" in listed
    assert store_of(db_url, crashed) == []

    resumed = geode(env, "massop", "resume", row.id, "--json")
    summary = json.loads(resumed.stdout)
    assert (resumed.returncode, summary["taskId"], summary["status"]) == (0, row.id, "complete")
    assert summary["counts"] == clean["counts"]
    assert store_of(db_url, crashed) == store_of(db_url, reference)
    final = json.loads(geode(env, "massop", "status", row.id, "--json").stdout)
    assert final["validation"] == {
        "bytesRead": file.stat().st_size, "bytesTotal": file.stat().st_size,
        "operationsRead": total,
    }  # fmt: skip
    assert not list(tmp_path.rglob(f"{row.id}*"))  # spool, refs and lock: all gone


def killed_validation(app: App, tenant: TenantInfo, path: Path) -> str:
    """A task as a kill during validation leaves it: `validating`, a partial spool."""
    task_id = new_id()
    spool = app.settings.spool_dir / f"{task_id}.spool"
    lifecycle.create_task(app.engine, task_id, tenant.id, path, spool, str(path))
    spool.parent.mkdir(parents=True, exist_ok=True)
    spool.write_bytes(b"\x00\x00")
    return task_id


def test_resume_validates_again_only_the_same_file(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file(customers(3))
    changed = killed_validation(app, tenant, path)
    gone = killed_validation(app, tenant, ops_file(customers(2), name="gone.json"))
    (path.parent / "gone.json").unlink()
    same = killed_validation(app, tenant, ops_file(customers(3), name="same.json"))
    stat = path.stat()
    path.write_text(json.dumps({"version": "0.0.1", "operations": customers(4)}))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with pytest.raises(ConflictError, match="changed since the task started"):
        app.massops.revalidate(changed)
    with pytest.raises(ConflictError, match="is gone"):
        app.massops.revalidate(gone)
    with pytest.raises(ConflictError, match="validates the file again"):
        app.massops.run(same)  # not before it is validated

    seen: list[tuple[int, int]] = []
    task = app.massops.revalidate(same, on_validation_progress=lambda b, o: seen.append((b, o)))
    assert (task.status, task.total, len(task.source_sha256)) == ("pending", 3, 64)
    assert seen and seen[0][1] == 1
    assert app.massops.run(same).status == "complete"
    assert app.massops.revalidate(same).status == "complete"  # nothing to do


def test_a_lost_spool_is_rebuilt_only_from_a_file_with_the_same_sha256(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file(customers(3))
    task = app.massops.submit(tenant.id, path)
    Path(task.spool_path).unlink()
    assert lifecycle.needs_validation(app.massops.get(task.id))
    rebuilt = app.massops.revalidate(task.id)
    assert rebuilt.status == "pending" and Path(rebuilt.spool_path).exists()

    Path(task.spool_path).unlink()
    path.write_text(json.dumps({"version": "0.0.1", "operations": customers(4)}))
    with pytest.raises(ConflictError, match="changed since it was validated"):
        app.massops.revalidate(task.id)
    assert not Path(task.spool_path).exists()
    assert app.massops.get(task.id).status == "pending"


def test_a_validation_under_way_elsewhere_is_not_started_twice(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    task_id = killed_validation(app, tenant, ops_file(customers(2)))
    spool = Path(app.massops.get(task_id).spool_path)
    with (
        lifecycle.validation_lock(spool, task_id),
        pytest.raises(ConflictError, match="being validated by another process"),
    ):
        app.massops.revalidate(task_id)
    assert app.massops.revalidate(task_id).status == "pending"
    assert not spool.with_suffix(".validating").exists()


def test_progress_reaches_the_task_row_at_most_every_interval(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    task_id = killed_validation(app, tenant, ops_file(customers(2)))
    shown: list[tuple[int, int]] = []
    recorder = lifecycle.ProgressRecorder(
        app.engine, task_id, lambda b, o: shown.append((b, o)), interval=3600
    )
    recorder(10, 1)
    assert app.massops.get(task_id).operations_read == 0  # within the interval
    recorder.interval = 0
    recorder(20, 2)
    task = app.massops.get(task_id)
    assert (task.bytes_read, task.operations_read) == (20, 2)
    assert shown == [(10, 1), (20, 2)]
