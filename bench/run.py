"""Benchmark orchestrator: raw floor vs. Geode's mass-operation engine, per database.

    python -m bench.run --ops 1000000 --seed 42 --databases sqlite,postgresql

Every measured step runs in its own subprocess, timed with `perf_counter` from spawn to
exit; its peak RSS (the process and its children) is sampled every 50 ms and checked
against the kernel's own figure from `wait4`. Results go to `bench/results/<stamp>.{json,md}`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import psycopg
from psycopg import sql

from bench.generate import generate

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
POLL_SECONDS = 0.05
ENGINE_STEPS = ("first run", "re-run")
DEFAULT_PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass
class Step:
    name: str
    command: list[str]
    returncode: int = 0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    output: Any = None  # parsed JSON stdout, when there is any
    stderr_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class DatabaseRun:
    database: str
    url: str
    steps: list[Step] = field(default_factory=list)
    error: str | None = None


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for proc in (process, *process.children(recursive=True)):
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += proc.memory_info().rss
    return total


def measure(name: str, command: list[str], env: dict[str, str]) -> Step:
    """Run `command`, returning its wall time, peak RSS, exit code and parsed stdout."""
    step = Step(name, command)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err)
        peak = 0
        watched = psutil.Process(child.pid)
        while True:
            # Reap with wait4 ourselves: it also reports the child's own maximum RSS.
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            with contextlib.suppress(psutil.NoSuchProcess):
                peak = max(peak, _tree_rss(watched))
            time.sleep(POLL_SECONDS)
        step.seconds = time.perf_counter() - started
        child.returncode = step.returncode = os.waitstatus_to_exitcode(status)
        peak = max(peak, usage.ru_maxrss * 1024)  # ru_maxrss is in KiB on Linux
        step.peak_rss_mb = peak / 1e6
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace").strip()
        step.stderr_tail = err.read().decode("utf-8", "replace")[-2000:]
    try:
        step.output = json.loads(stdout.splitlines()[-1]) if stdout else None
    except json.JSONDecodeError:
        step.output = stdout[-2000:]
    status_text = "ok" if step.ok else f"FAILED (exit {step.returncode})"
    print(f"  {name}: {status_text} in {step.seconds:.2f} s, peak RSS {step.peak_rss_mb:.0f} MB")
    if not step.ok:
        print("    " + step.stderr_tail.strip().replace("\n", "\n    ")[-1200:])
    return step


def default_geode() -> str:
    local = ROOT / ".venv" / "bin" / "geode"
    return str(local if local.exists() else Path(sys.executable).parent / "geode")


def run_database(
    database: str, url: str, ops_file: Path, env: dict[str, str], geode: str, floor_batch: int
) -> DatabaseRun:
    run = DatabaseRun(database, url)
    with tempfile.TemporaryDirectory(prefix="geode-bench-") as data_dir:
        env = {**env, "GEODE_DATABASE_URL": url, "GEODE_DATA_DIR": data_dir}
        setup = [
            ("db upgrade", [geode, "db", "upgrade"]),
            ("tenant create floor", [geode, "tenant", "create", "floor"]),
            ("tenant create bench", [geode, "tenant", "create", "bench"]),
            ("tenant show floor", [geode, "tenant", "show", "floor", "--json"]),
        ]
        for name, command in setup:
            run.steps.append(measure(name, command, env))
            if not run.steps[-1].ok:
                run.error = f"setup step `{name}` failed"
                return run
        shown = run.steps[-1].output
        if not isinstance(shown, dict) or "id" not in shown:
            run.error = f"`tenant show floor --json` printed {shown!r}, not {{'id': ...}}"
            return run
        floor = [sys.executable, "-m", "bench.floor", str(ops_file), "--database-url", url]
        floor += ["--tenant-id", str(shown["id"]), "--batch-ops", str(floor_batch)]
        run.steps.append(measure("raw floor", floor, env))
        plain = [sys.executable, "-m", "bench.plain_floor", str(ops_file), "--database-url", url]
        plain += ["--tenant-id", str(shown["id"]), "--batch-ops", str(floor_batch)]
        run.steps.append(measure("plain floor", plain, env))
        measure_engine(run, ops_file, env, geode)
    return run


def measure_engine(run: DatabaseRun, ops_file: Path, env: dict[str, str], geode: str) -> None:
    """`geode massop run` of the file into tenant `bench`, then again (a re-run),
    stopping at the first that fails."""
    massop = [geode, "massop", "run", str(ops_file), "--tenant", "bench", "--json"]
    for name in ("first run", "re-run"):
        run.steps.append(measure(name, massop, env))
        if not run.steps[-1].ok:
            run.error = f"`{name}` failed"
            break


def _pg_conninfo(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def _pg_admin(admin_url: str, statement: str, name: str) -> None:
    query = sql.SQL(statement).format(sql.Identifier(name))
    with psycopg.connect(_pg_conninfo(admin_url), autocommit=True) as connection:
        connection.execute(query)


@contextmanager
def fresh_database(database: str, stamp: str, admin_url: str, keep: bool) -> Iterator[str]:
    """A new, empty database URL; dropped afterwards unless `keep`."""
    if database == "sqlite":
        path = DATA / f"bench-{stamp}-{secrets.token_hex(3)}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            if not keep:
                for suffix in ("", "-wal", "-shm", "-journal", "-turns"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = f"geode_bench_{secrets.token_hex(4)}"
    _pg_admin(admin_url, "CREATE DATABASE {}", name)
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        if not keep:
            _pg_admin(admin_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def environment_info(admin_url: str, databases: list[str]) -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "sqlite": sqlite3.sqlite_version,
    }
    if "postgresql" in databases:
        with psycopg.connect(_pg_conninfo(admin_url)) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            info["postgresql"] = row[0] if row else None
    return info


def _fmt(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def report(runs: list[DatabaseRun], ops: int) -> str:
    lines = [
        "| database | step | ops | seconds | ops/s | ratio to floor | ratio to plain floor "
        "| peak RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    notes: list[str] = []
    for run in runs:
        measured = [s for s in run.steps if s.name in ("raw floor", "plain floor", *ENGINE_STEPS)]
        rates = {s.name: ops / s.seconds if s.ok and s.seconds > 0 else None for s in measured}
        for step in measured:
            rate = rates[step.name]
            ratios = [
                rate / floor if rate is not None and (floor := rates.get(name)) else None
                for name in ("raw floor", "plain floor")
            ]
            seconds = _fmt(step.seconds, 2) if step.ok else "failed"
            lines.append(
                f"| {run.database} | {step.name} | {ops:,} | {seconds} | {_fmt(rate)} "
                f"| {_fmt(ratios[0], 2)} | {_fmt(ratios[1], 2)} | {_fmt(step.peak_rss_mb)} |"
            )
            if step.name in ENGINE_STEPS and isinstance(step.output, dict):
                counts = json.dumps(step.output.get("counts"), sort_keys=True)
                notes.append(f"- {run.database} {step.name}: {step.output.get('status')} {counts}")
            elif isinstance(step.output, dict) and step.output.get("parse_seconds") is not None:
                notes.append(
                    f"- {run.database} {step.name}: json.load took {step.output['parse_seconds']} s"
                )
        if run.error:
            notes.append(f"- {run.database}: {run.error}")
    return "\n".join(lines + (["", *notes] if notes else [])) + "\n"


def ensure_file(path: Path, make: Callable[[], object]) -> float | None:
    """Make the benchmark's data file unless it exists; the seconds it took, if made."""
    if path.exists():
        return None
    print(f"generating {path} ...")
    started = time.perf_counter()
    make()
    seconds = time.perf_counter() - started
    print(f"  generated in {seconds:.1f} s")
    return seconds


def bench_env(batch_size: int | None) -> dict[str, str]:
    """The environment of the geode processes: each run names its own database."""
    env = dict(os.environ)
    env.pop("GEODE_DATABASE_URL", None)
    if batch_size:
        env["GEODE_BATCH_SIZE"] = str(batch_size)
    return env


def bench_arguments(description: str) -> argparse.ArgumentParser:
    """The arguments every benchmark runner takes (seed, databases, batch sizes, ...)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--batch-size", type=int, help="GEODE_BATCH_SIZE for the engine (default: its own)"
    )
    parser.add_argument("--floor-batch-ops", type=int, default=10_000)
    parser.add_argument("--postgres-admin-url", default=DEFAULT_PG_ADMIN)
    parser.add_argument("--geode", default=default_geode(), help="the geode executable")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    return parser


def chosen_databases(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[str]:
    """`--databases` as a list; an unknown one ends the run with a usage error."""
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown databases: {', '.join(sorted(unknown))}")
    return databases


def main(argv: list[str] | None = None) -> int:
    parser = bench_arguments("Raw floor vs. Geode mass-operation import.")
    parser.add_argument("--ops", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    databases = chosen_databases(parser, args)

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    ops_file = DATA / f"ops-{args.ops}-{args.seed}.json"
    generation = ensure_file(ops_file, lambda: generate(ops_file, args.ops, args.seed))
    base_env = bench_env(args.batch_size)

    runs: list[DatabaseRun] = []
    for database in databases:
        print(f"{database}:")
        with fresh_database(database, stamp, args.postgres_admin_url, args.keep) as url:
            runs.append(
                run_database(database, url, ops_file, base_env, args.geode, args.floor_batch_ops)
            )

    table = report(runs, args.ops)
    print()
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    header = f"# Geode import benchmark {stamp}\n\n{args.ops:,} operations, seed {args.seed}\n\n"
    (RESULTS / f"{stamp}.md").write_text(header + table, encoding="utf-8")
    raw = {
        "timestamp": stamp,
        "ops": args.ops,
        "seed": args.seed,
        "file": {"path": str(ops_file), "bytes": ops_file.stat().st_size},
        "generation_seconds": generation,
        "geode_batch_size": args.batch_size,
        "floor_batch_ops": args.floor_batch_ops,
        "environment": environment_info(args.postgres_admin_url, databases),
        "runs": [asdict(run) for run in runs],
    }
    (RESULTS / f"{stamp}.json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    print(f"results: {RESULTS / f'{stamp}.md'} and .json")
    failed = any(run.error or not all(step.ok for step in run.steps) for run in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
