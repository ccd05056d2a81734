"""HTTP batch API benchmark: acknowledgement latency under load, and drain rate.

    python -m bench.http --databases sqlite,postgresql --jobs 60 --probes 200

For each database: a fresh store, `geode serve` (with its in-process worker)
and, on PostgreSQL, `--workers N` extra `geode worker` processes. This
process is the load: it first queues `--jobs` customer batches of 1,000
objects so the workers are busy, then times `--probes` more POSTs of 1,000
customers each, one at a time, from a pool of `--clients` threads (latency
is measured per request, send to answer). The drain rate is every queued
object divided by the time from the first POST to the last job `completed`.
Results go to bench/results/http-<stamp>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

from bench.processes import stop_all

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
GEODE = str(Path(sys.executable).with_name("geode"))
PATH = "/api/v4.0/integrations/batch"
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def customers(rng: random.Random, start: int, count: int) -> list[dict[str, Any]]:
    """Objects shaped like the seed's example, with distinct customerIds."""
    return [
        {
            "customerId": f"c{start + i}",
            "email": f"user{start + i}@example.com",
            "name": f"Name{start + i} Surname{rng.randrange(1000)}",
            "gender": rng.choice("MF"),
            "dateOfBirth": f"19{rng.randrange(50, 99)}-0{rng.randrange(1, 9)}-1{rng.randrange(9)}",
            "joinDate": "2022-01-01",
            "tags": rng.sample(["vip", "newsletter_subscriber", "premium_member", "b2b"], 2),
            "custom": {"favorite_color": rng.choice(["blue", "green"]), "points": start + i},
        }
        for i in range(count)
    ]


@dataclass
class Result:
    database: str
    server_worker: bool
    workers: int
    queued_jobs: int
    probes: int
    clients: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    drained_objects: int
    drain_seconds: float
    drain_objects_per_s: float


@contextmanager
def store(database: str) -> Iterator[dict[str, str]]:
    data = Path(tempfile.mkdtemp(prefix="geode-http-bench-"))
    env = {**os.environ, "GEODE_DATA_DIR": str(data)}
    name = None
    if database == "postgresql":
        admin = os.environ.get("GEODE_BENCH_POSTGRES_ADMIN_URL", DEFAULT_PG_ADMIN)
        name = f"geode_http_bench_{os.getpid()}"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        base = admin.rsplit("/", 1)[0]
        env["GEODE_DATABASE_URL"] = f"{base}/{name}".replace(
            "postgresql://", "postgresql+psycopg://"
        )
    try:
        yield env
    finally:
        shutil.rmtree(data, ignore_errors=True)
        if name is not None:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def geode(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [GEODE, *args], env=env, check=True, capture_output=True, text=True
    ).stdout


@contextmanager
def processes(env: dict[str, str], port: int, workers: int, server_worker: bool) -> Iterator[None]:
    serve = [GEODE, "serve", "--port", str(port), *([] if server_worker else ["--no-worker"])]
    started = [
        subprocess.Popen(serve, env=env),
        *(subprocess.Popen([GEODE, "worker"], env=env) for _ in range(workers)),
    ]
    try:
        yield
    finally:
        stop_all(started, signal.SIGINT)


def wait_until_up(client: httpx.Client) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            client.get("/openapi.json")
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("geode serve did not come up")


def measure(
    database: str,
    workers: int,
    jobs: int,
    probes: int,
    clients: int,
    port: int,
    server_worker: bool = True,
) -> Result:
    rng = random.Random(42)
    with store(database) as env:
        geode(env, "tenant", "create", "bench")
        token = json.loads(geode(env, "token", "create", "--tenant", "bench", "--json"))
        headers = {
            "X-Crystallize-Access-Token-Id": token["id"],
            "X-Crystallize-Access-Token-Secret": token["secret"],
        }
        bodies = [
            json.dumps({"body": customers(rng, n * 1000, 1000)}).encode()
            for n in range(jobs + probes)
        ]
        with (
            processes(env, port, workers, server_worker),
            httpx.Client(
                base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60
            ) as client,
        ):
            wait_until_up(client)
            send_headers = {"content-type": "application/json"}
            start = time.perf_counter()
            job_ids = [
                client.post(f"{PATH}/customers", content=b, headers=send_headers).json()["jobId"]
                for b in bodies[:jobs]
            ]

            def probe(body: bytes) -> tuple[float, int]:
                t0 = time.perf_counter()
                response = client.post(f"{PATH}/customers", content=body, headers=send_headers)
                elapsed = (time.perf_counter() - t0) * 1000
                response.raise_for_status()
                return elapsed, int(response.json()["jobId"])

            with ThreadPoolExecutor(clients) as pool:
                timed = list(pool.map(probe, bodies[jobs:]))
            job_ids += [job_id for _, job_id in timed]
            for job_id in job_ids:
                while True:
                    status = client.get(f"{PATH}/{job_id}").json()
                    if status["status"] in ("completed", "failed", "stopped"):
                        if status["status"] != "completed" or status["errorCount"]:
                            raise RuntimeError(
                                f"job {job_id}: {status['status']} {status['errorCount']}"
                            )
                        break
                    time.sleep(0.2)
            drain = time.perf_counter() - start
    latencies = sorted(t for t, _ in timed)
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    objects = (jobs + probes) * 1000
    return Result(
        database, server_worker, workers, jobs, probes, clients,
        round(quantiles[49], 1), round(quantiles[94], 1), round(quantiles[98], 1),
        round(latencies[-1], 1), objects, round(drain, 2), round(objects / drain),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--jobs", type=int, default=60, help="batches queued first, to keep workers busy"
    )
    parser.add_argument("--probes", type=int, default=200, help="timed POSTs of 1,000 customers")
    parser.add_argument("--clients", type=int, default=4, help="concurrent probe clients")
    parser.add_argument(
        "--workers", default="0", help="extra `geode worker` processes on PostgreSQL, e.g. 0,1"
    )
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument(
        "--no-server-worker",
        action="store_true",
        help="PostgreSQL: `serve --no-worker`, so only the `geode worker`s run jobs",
    )
    args = parser.parse_args()
    results = []
    for database in args.databases.split(","):
        for workers in (
            [int(w) for w in args.workers.split(",")] if database == "postgresql" else [0]
        ):
            server_worker = not (args.no_server_worker and database == "postgresql")
            result = measure(
                database, workers, args.jobs, args.probes, args.clients, args.port, server_worker
            )
            print(json.dumps(asdict(result)), flush=True)
            results.append(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"http-{stamp}.json").write_text(json.dumps([asdict(r) for r in results], indent=2))
    lines = [
        "| database | worker in server | `geode worker`s | queued jobs | probes x clients "
        "| p50 ms | p95 ms | p99 ms | max ms | drain objects/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {r.database} | {'yes' if r.server_worker else 'no'} | {r.workers} "
            f"| {r.queued_jobs} | {r.probes} x {r.clients} | {r.p50_ms} | {r.p95_ms} "
            f"| {r.p99_ms} | {r.max_ms} | {r.drain_objects_per_s:,} |"
            for r in results
        ),
    ]
    (RESULTS / f"http-{stamp}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
