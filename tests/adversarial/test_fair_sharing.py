"""Issue 10, item 10: on SQLite, batch jobs are not starved by a running mass operation.

A real `geode serve` on SQLite runs a mass-operation task big enough to take
a while; batch jobs submitted while it runs must complete while it is still
running (they take turns at SQLite's single write lock), and the task must
still finish with every operation applied once. No timing is asserted: the
test polls both and only fails on a generous deadline if something hangs.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration

GEODE = str(Path(sys.executable).parent / "geode")
TASKS = "/api/massops/tasks"
BATCH = "/api/v4.0/integrations/batch"
OPERATIONS = 80_000
JOBS = 3
OBJECTS = 300  # two slices each
DEADLINE = 300.0  # seconds: only a bound against hangs, far beyond a loaded machine's run


def wait_until(check: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)
    return value


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    client: httpx.Client
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["writer-process", "writer-thread"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """`geode serve` on a fresh SQLite store, and a client with a tenant's token. Runs
    of this size write from SQLite's writer process; the second case forces the
    writer thread that smaller runs use."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEODE_")}
    env["GEODE_DATA_DIR"] = str(tmp_path / "data")
    if request.param == "writer-thread":
        env["GEODE_SQLITE_WRITER_PROCESS_MIN_OPS"] = str(10 * OPERATIONS)

    def geode(*args: str) -> str:
        done = subprocess.run(
            [GEODE, *args], env=env, capture_output=True, text=True, timeout=DEADLINE
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    geode("tenant", "create", "fair")
    token = json.loads(geode("token", "create", "--tenant", "fair", "--json"))
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [GEODE, "serve", "--port", str(port)], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        headers={
            "X-Crystallize-Access-Token-Id": token["id"],
            "X-Crystallize-Access-Token-Secret": token["secret"],
        },
        timeout=DEADLINE,
    )

    def answers() -> bool:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            return client.get("/openapi.json").status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(answers, "the server to answer")
        yield Server(process, client, log)
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def upserts(count: int) -> bytes:
    operations = [
        {"intent": "customer/upsert", "identifier": f"m{i}", "firstName": "M"} for i in range(count)
    ]
    return json.dumps({"version": "0.0.1", "operations": operations}).encode()


def test_batch_jobs_complete_while_a_mass_operation_runs(server: Server) -> None:
    client = server.client
    response = client.post(TASKS, content=upserts(OPERATIONS))
    assert response.status_code == 202, response.text
    task = f"{TASKS}/{response.json()['taskId']}"
    started = wait_until(
        lambda: (body := client.get(task).json())["processed"] > 0 and body, "the task to start"
    )
    assert started["status"] == "running"

    jobs = []
    for n in range(JOBS):
        body = [{"customerId": f"b{n}-{i}", "name": f"Batch {n}"} for i in range(OBJECTS)]
        submitted = client.post(f"{BATCH}/customers", json={"body": body})
        assert submitted.status_code == 202, submitted.text
        jobs.append(f"{BATCH}/{submitted.json()['jobId']}")

    def jobs_done_or_task_finished() -> tuple[list[str], dict[str, Any]] | None:
        statuses = [client.get(job).json()["status"] for job in jobs]
        progress = client.get(task).json()
        if all(s == "completed" for s in statuses) or progress["status"] != "running":
            return statuses, progress
        return None

    statuses, progress = wait_until(jobs_done_or_task_finished, "the batch jobs or the task")
    assert statuses == ["completed"] * JOBS, "the batch jobs waited for the whole task"
    assert progress["status"] == "running" and progress["processed"] < OPERATIONS
    for job in jobs:
        status = client.get(job).json()
        assert (status["finishedCount"], status["errorCount"]) == (OBJECTS, 0)

    done = wait_until(
        lambda: (body := client.get(task).json())["status"] != "running" and body, "the task"
    )
    assert done["status"] == "complete", done
    assert done["processed"] == OPERATIONS
    assert done["counts"] == {"customer/upsert": {"created": OPERATIONS}}
