"""Scale-out benchmark: one mass-operation file on PostgreSQL, 1 vs N `geode worker`s.

    python -m bench.workers --ops 1000000 --seed 42 --workers 1,2

For each worker count: a fresh database, `geode massop submit` (validation,
planning into chunks, chunks stored; timed on its own), then N `geode worker`
processes started together; the run is timed from their start until the task
is `complete`. Peak RSS is sampled per worker process. The speed-up is the
1-worker run time over the N-worker run time, on the same file and machine.
Results go to bench/results/workers-<stamp>.{json,md}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil  # type: ignore[import-untyped]
import psycopg
from psycopg import sql

from bench.generate import generate
from bench.processes import stop_all

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
GEODE = str(Path(sys.executable).with_name("geode"))
ADMIN = os.environ.get(
    "GEODE_BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Result:
    workers: int
    ops: int
    chunks: int
    submit_seconds: float
    run_seconds: float
    ops_per_s: int
    peak_worker_rss_mb: float
    status: str


def run_once(path: Path, ops: int, workers: int, chunk_size: int) -> Result:
    name = f"geode_workers_bench_{os.getpid()}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = f"{ADMIN.rsplit('/', 1)[0]}/{name}"
    env = {
        **os.environ,
        "GEODE_DATABASE_URL": url.replace("postgresql://", "postgresql+psycopg://"),
        "GEODE_DATA_DIR": tempfile.mkdtemp(prefix="geode-workers-bench-"),
        "GEODE_MASSOP_CHUNK_SIZE": str(chunk_size),
        "GEODE_WORKER_POLL_INTERVAL": "0.5",
    }
    try:
        subprocess.run(
            [GEODE, "tenant", "create", "bench"], env=env, check=True, capture_output=True
        )
        started = time.perf_counter()
        submitted = subprocess.run(
            [GEODE, "massop", "submit", str(path), "--tenant", "bench", "--json"],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        submit_seconds = time.perf_counter() - started
        task_id = json.loads(submitted.stdout)["taskId"]
        with psycopg.connect(url, autocommit=True) as connection:
            chunks = connection.execute(
                "SELECT count(*) FROM massop_chunks WHERE task_id = %s", (task_id,)
            ).fetchone()[0]  # type: ignore[index]
            started = time.perf_counter()
            procs = [
                subprocess.Popen([GEODE, "worker", "--name", f"bench-{i}"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for i in range(workers)
            ]  # fmt: skip
            peak = 0.0
            status = "running"
            try:
                while status not in ("complete", "completeWithErrors", "failed", "cancelled"):
                    time.sleep(0.25)
                    for proc in procs:
                        with contextlib.suppress(psutil.NoSuchProcess):
                            peak = max(peak, psutil.Process(proc.pid).memory_info().rss / 2**20)
                    status = connection.execute(
                        "SELECT status FROM massop_tasks WHERE id = %s", (task_id,)
                    ).fetchone()[0]  # type: ignore[index]
                run_seconds = time.perf_counter() - started
            finally:
                stop_all(procs, signal.SIGTERM)
        return Result(
            workers, ops, chunks, round(submit_seconds, 2), round(run_seconds, 2),
            round(ops / run_seconds), round(peak, 1), status,
        )  # fmt: skip
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--chunk-size", type=int, default=25_000)
    args = parser.parse_args()
    path = DATA / f"ops-{args.ops}-{args.seed}.json"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        generate(path, args.ops, args.seed)
    results = []
    for workers in [int(w) for w in args.workers.split(",")]:
        result = run_once(path, args.ops, workers, args.chunk_size)
        print(json.dumps(asdict(result)), flush=True)
        results.append(result)
    base = results[0].run_seconds
    lines = [
        "| workers | ops | chunks | submit s | run s | ops/s | speed-up "
        "| peak RSS per worker MB | status |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *(
            f"| {r.workers} | {r.ops:,} | {r.chunks} | {r.submit_seconds} | {r.run_seconds} "
            f"| {r.ops_per_s:,} | {base / r.run_seconds:.2f} | {r.peak_worker_rss_mb} "
            f"| {r.status} |"
            for r in results
        ),
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"workers-{stamp}.json").write_text(
        json.dumps([asdict(r) for r in results], indent=2)
    )
    (RESULTS / f"workers-{stamp}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
