"""Catalogue benchmark: raw floor vs. Geode's mass-operation engine, per database.

    python -m bench.catalogue.run --scale 1 --seed 42 --databases sqlite,postgresql

Per database: a fresh database, `geode db upgrade`, tenants `floor` and `bench`
configured with the benchmark's settings file (`geode tenant configure`), then
the raw floor into `floor`, and `geode massop run` of the same file into `bench`
twice (the re-run must report every operation `unchanged`). Each step is its own
subprocess, timed and RSS-sampled by `bench.run.measure`. Results go to
`bench/results/catalogue-<stamp>.{json,md}`.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.catalogue.generate import Counts, generate, write_settings
from bench.run import (
    DATA,
    RESULTS,
    DatabaseRun,
    _fmt,
    bench_arguments,
    bench_env,
    chosen_databases,
    ensure_file,
    environment_info,
    fresh_database,
    measure,
    measure_engine,
)

MEASURED = ("raw floor", "first run", "re-run")


def _scale_text(scale: float) -> str:
    return f"{scale:g}"


def _setup(run: DatabaseRun, tenant: str, settings: Path, env: dict[str, str], geode: str) -> bool:
    for name, command in (
        (f"db upgrade ({tenant})", [geode, "db", "upgrade"]),
        (f"tenant create {tenant}", [geode, "tenant", "create", tenant]),
        (f"tenant configure {tenant}", [geode, "tenant", "configure", tenant, str(settings)]),
        (f"tenant show {tenant}", [geode, "tenant", "show", tenant, "--json"]),
    ):
        run.steps.append(measure(name, command, env))
        if not run.steps[-1].ok:
            run.error = f"setup step `{name}` failed"
            return False
    return True


def run_database(
    database: str,
    urls: tuple[str, str],
    files: tuple[Path, Path],
    env: dict[str, str],
    geode: str,
    floor_batch: int,
    floor_only: bool = False,
) -> DatabaseRun:
    """The floor and Geode each in a database of their own, so that neither run
    measures against the other's rows."""
    ops_file, settings_file = files
    floor_url, geode_url = urls
    run = DatabaseRun(database, geode_url)
    with tempfile.TemporaryDirectory(prefix="geode-catbench-") as data_dir:
        env = {**env, "GEODE_DATA_DIR": data_dir}
        floor_env = {**env, "GEODE_DATABASE_URL": floor_url}
        if not _setup(run, "floor", settings_file, floor_env, geode):
            return run
        shown = run.steps[-1].output
        if not isinstance(shown, dict) or "rootItemId" not in shown:
            run.error = f"`tenant show floor --json` printed {shown!r}, without rootItemId"
            return run
        floor = [sys.executable, "-m", "bench.catalogue.floor", str(ops_file), "--database-url"]
        floor += [floor_url, "--tenant-id", str(shown["id"])]
        floor += ["--root-item-id", str(shown["rootItemId"]), "--batch-ops", str(floor_batch)]
        run.steps.append(measure("raw floor", floor, floor_env))
        if floor_only:
            return run
        geode_env = {**env, "GEODE_DATABASE_URL": geode_url}
        if not _setup(run, "bench", settings_file, geode_env, geode):
            return run
        measure_engine(run, ops_file, geode_env, geode)
        rerun = run.steps[-1]
        if rerun.name == "re-run" and rerun.ok and isinstance(rerun.output, dict):
            counts = rerun.output.get("counts") or {}  # {intent: {outcome: n}}
            outcomes = {
                o for by in counts.values() if isinstance(by, dict) for o, n in by.items() if n
            }
            if outcomes - {"unchanged"}:
                run.error = f"the re-run was not all `unchanged`: {json.dumps(counts)}"
    return run


def report(runs: list[DatabaseRun], ops: int) -> str:
    lines = [
        "| database | step | ops | seconds | ops/s | ratio to floor | peak RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    notes: list[str] = []
    for run in runs:
        floor_rate: float | None = None
        for step in run.steps:
            if step.name not in MEASURED:
                continue
            rate = ops / step.seconds if step.ok and step.seconds > 0 else None
            if step.name == "raw floor":
                floor_rate = rate
            ratio = rate / floor_rate if rate is not None and floor_rate else None
            seconds = _fmt(step.seconds, 2) if step.ok else "failed"
            lines.append(
                f"| {run.database} | {step.name} | {ops:,} | {seconds} | {_fmt(rate)} "
                f"| {_fmt(ratio, 2)} | {_fmt(step.peak_rss_mb)} |"
            )
            if step.name != "raw floor" and isinstance(step.output, dict):
                counts = json.dumps(step.output.get("counts"), sort_keys=True)
                notes.append(f"- {run.database} {step.name}: {step.output.get('status')} {counts}")
            elif not step.ok:
                tail = step.stderr_tail.strip().splitlines()[-3:]
                notes.append(f"- {run.database} {step.name} failed: {' / '.join(tail)}")
        if run.error:
            notes.append(f"- {run.database}: {run.error}")
    return "\n".join(lines + (["", *notes] if notes else [])) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = bench_arguments("Raw floor vs. Geode catalogue import.")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 100,000 products")
    parser.add_argument(
        "--floor-only", action="store_true", help="measure the raw floor, not Geode"
    )
    args = parser.parse_args(argv)
    databases = chosen_databases(parser, args)

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"catalogue-{_scale_text(args.scale)}-{args.seed}"
    ops_file = DATA / f"{name}.json"
    settings_file = DATA / "catalogue-settings.json"
    counts = Counts.at(args.scale)
    write_settings(settings_file)
    generation = ensure_file(ops_file, lambda: generate(ops_file, args.scale, args.seed))
    base_env = bench_env(args.batch_size)

    runs: list[DatabaseRun] = []
    for database in databases:
        print(f"{database}:")
        admin, keep = args.postgres_admin_url, args.keep
        with (
            fresh_database(database, stamp, admin, keep) as floor_url,
            fresh_database(database, stamp, admin, keep) as geode_url,
        ):
            urls, files = (floor_url, geode_url), (ops_file, settings_file)
            runs.append(
                run_database(
                    database,
                    urls,
                    files,
                    base_env,
                    args.geode,
                    args.floor_batch_ops,
                    args.floor_only,
                )
            )

    table = report(runs, counts.total)
    print()
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Geode catalogue benchmark {stamp}\n\nscale {_scale_text(args.scale)}, seed "
        f"{args.seed}: {counts.total:,} operations, {counts.products:,} products\n\n"
    )
    (RESULTS / f"catalogue-{stamp}.md").write_text(header + table, encoding="utf-8")
    raw: dict[str, Any] = {
        "timestamp": stamp,
        "scale": args.scale,
        "seed": args.seed,
        "counts": asdict(counts),
        "operations": counts.operations(),
        "file": {"path": str(ops_file), "bytes": ops_file.stat().st_size},
        "generation_seconds": generation,
        "geode_batch_size": args.batch_size,
        "floor_batch_ops": args.floor_batch_ops,
        "environment": environment_info(args.postgres_admin_url, databases),
        "runs": [asdict(run) for run in runs],
    }
    out = RESULTS / f"catalogue-{stamp}.json"
    out.write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    print(f"results: {RESULTS / f'catalogue-{stamp}.md'} and .json")
    failed = any(run.error or not all(step.ok for step in run.steps) for run in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
