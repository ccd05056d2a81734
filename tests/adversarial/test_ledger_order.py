"""Issue 10, point 7: the ledger reads in posting order, whoever posts.

Reproduction: two `geode worker`s at concurrency 4 on PostgreSQL, eight clients
posting balance-adjustment, cashback and redeem jobs for one customer. Ids sort
by second, then by a per-process part, so `GET .../loyalty/entries` listed
entries out of posting order: the running sum broke, and a client paging with
`after=` while jobs ran could skip entries. Entries now carry a per-account
`sequence` numbered under the account's lock, and the ledger is read by it.

Here a pager follows the ledger with `after=` while the jobs run; at the end it
must hold exactly the ledger read afresh, every entry once, numbered 1..N, each
`balanceAfter` the running sum. SQLite runs the same clients against the
server's own worker. Jobs are waited on by polling their status (generous
deadline), never by sleeping.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from geode.app import create_app
from geode.db.engine import create_engine
from geode.db.migrate import upgrade
from geode.jobs.runtime import server_queue, server_worker
from geode.settings import Settings
from geode.tenants.service import create_tenant, create_token
from tests.api.rest.conftest import LiveServer, serve
from tests.conftest import _postgres_database
from tests.jobs.conftest import FAST, Workers

pytestmark = pytest.mark.integration

API = "/api/v4.0/integrations"
CUSTOMER = "shared-customer"
CLIENTS = 8
JOBS_PER_CLIENT = 6
OBJECTS_PER_JOB = 30  # 1,440 objects: the size of the ledger the issue saw misordered
KINDS = ("balance-adjustment", "cashback", "redeem")
DEADLINE = 300  # seconds for all jobs, on a loaded two-core machine


@dataclass
class Stack:
    server: LiveServer
    token: dict[str, str]


@pytest.fixture(params=["postgresql", "sqlite"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    """PostgreSQL: a database of its own (no other test's queued jobs), a server that only
    queues, and two worker processes at concurrency 4. SQLite: the server's own worker."""
    if request.param == "postgresql":
        urls: Iterator[str] = _postgres_database(f"ledger_{uuid.uuid4().hex[:6]}")
    else:
        url = f"sqlite:///{tmp_path / 'ledger.db'}"
        engine = create_engine(url)
        upgrade(engine)
        engine.dispose()
        urls = iter([url])
    for url in urls:
        settings = Settings(
            database_url=url,
            data_dir=tmp_path / "data",
            batch_size=10,  # three slices a job: jobs interleave within one another
            commit_every=10,
            **{k.removeprefix("GEODE_").lower(): float(v) for k, v in FAST.items()},
        )
        app = create_app(settings, migrate=False)
        workers = Workers(settings, tmp_path)
        try:
            if request.param == "postgresql":
                lifecycle = server_queue
                for name in ("ledger-w1", "ledger-w2"):
                    workers.start(name, "--concurrency", "4")
            else:
                lifecycle = server_worker
            with app.engine.begin() as connection:
                tenant = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
            for server in serve(app, lifecycle):
                with app.engine.begin() as connection:
                    token = create_token(connection, tenant.id)
                yield Stack(
                    server,
                    {
                        "X-Crystallize-Access-Token-Id": token.id,
                        "X-Crystallize-Access-Token-Secret": token.secret,
                    },
                )
        finally:
            workers.kill_all()
            app.close()


def _client(stack: Stack) -> httpx.Client:
    return httpx.Client(base_url=stack.server.url, headers=stack.token, timeout=60)


def _objects(kind: str, client: int, job: int) -> list[dict[str, Any]]:
    def one(i: int) -> dict[str, Any]:
        txn = f"{kind}-{client}-{job}-{i}"
        if kind == "balance-adjustment":
            return {"customerId": CUSTOMER, "amount": 7, "reason": txn, "transactionId": txn}
        base = {
            "customerId": CUSTOMER,
            "transactionId": txn,
            "transactionTime": "2025-03-14T10:00:00Z",
        }
        return base | ({"amount": 12.5} if kind == "cashback" else {"points": 9})

    return [one(i) for i in range(OBJECTS_PER_JOB)]


def _finished(client: httpx.Client, job_id: int, deadline: float) -> dict[str, Any]:
    while True:
        body: dict[str, Any] = client.get(f"{API}/batch/{job_id}").json()
        if body.get("status") in ("completed", "failed"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"batch job {job_id} stayed {body.get('status')!r}")
        time.sleep(0.1)


def _post_jobs(stack: Stack, number: int, start: threading.Barrier, deadline: float) -> int:
    """One client: post its jobs, then wait for them; the entries they recorded."""
    with _client(stack) as client:
        start.wait()
        job_ids = []
        for job in range(JOBS_PER_CLIENT):
            kind = KINDS[(number + job) % len(KINDS)]
            response = client.post(
                f"{API}/batch/{kind}", json={"body": _objects(kind, number, job)}
            )
            assert response.status_code == 202, response.text
            job_ids.append(response.json()["jobId"])
        recorded = 0
        for job_id in job_ids:
            status = _finished(client, job_id, deadline)
            assert status["status"] == "completed", status
            failed = status["response"]["failed"]
            # only a redeem may be refused, and only for want of points
            assert all("insufficient points" in item["error"] for item in failed), failed
            recorded += status["finishedCount"]
        return recorded


def _page(client: httpx.Client, after: str | None, limit: int) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": limit}
    if after is not None:
        params["after"] = after
    response = client.get(f"{API}/customers/{CUSTOMER}/loyalty/entries", params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _drain(client: httpx.Client, seen: list[dict[str, Any]], limit: int) -> None:
    """Page from the last entry seen to the current end, following `next`."""
    after = seen[-1]["id"] if seen else None
    while True:
        page = _page(client, after, limit)
        seen += page["entries"]
        if page["next"] is None:
            return
        after = page["next"]


def test_concurrent_posting_keeps_the_ledger_in_posting_order_for_readers(
    stack: Stack,
) -> None:
    with _client(stack) as client:
        created = client.post(f"{API}/batch/customers", json={"body": [{"customerId": CUSTOMER}]})
        assert created.status_code == 202, created.text
        deadline = time.monotonic() + DEADLINE
        assert _finished(client, created.json()["jobId"], deadline)["finishedCount"] == 1

    followed: list[dict[str, Any]] = []
    posting_done = threading.Event()

    def follow() -> None:
        """A client reading the ledger while it grows, as a sync job would."""
        with _client(stack) as reader:
            while not posting_done.is_set():
                _drain(reader, followed, 37)
                posting_done.wait(0.05)
            _drain(reader, followed, 37)

    start = threading.Barrier(CLIENTS)
    with ThreadPoolExecutor(CLIENTS + 1) as pool:
        follower = pool.submit(follow)
        posters = [
            pool.submit(_post_jobs, stack, number, start, deadline) for number in range(CLIENTS)
        ]
        try:
            recorded = sum(poster.result() for poster in posters)
        finally:
            posting_done.set()
        follower.result()

    with _client(stack) as client:
        fresh: list[dict[str, Any]] = []
        _drain(client, fresh, 100)
        balance = client.get(f"{API}/customers/{CUSTOMER}/loyalty").json()["pointsBalance"]

    assert recorded > CLIENTS * JOBS_PER_CLIENT * OBJECTS_PER_JOB // 2  # most objects posted
    assert len(fresh) == recorded, "every recorded object is one entry, listed once"
    assert len({entry["id"] for entry in fresh}) == recorded
    assert [entry["sequence"] for entry in fresh] == list(range(1, recorded + 1))
    running = 0
    for entry in fresh:
        running += entry["points"]
        assert entry["balanceAfter"] == running, entry
    assert running == balance
    assert followed == fresh, "paging while jobs ran skipped or repeated entries"
