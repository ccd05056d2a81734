"""API read benchmark: one product through the Catalogue API and the Core API.

    python -m bench.api_reads --scale 1 --databases sqlite,postgresql --seconds 20

Per database: a fresh store with the catalogue benchmark's file imported
(`bench.catalogue`: 100,000 products at scale 1, each with 3 variants and 5
components, all published), a token, and `geode serve`. Then a second process
(`bench.api_load`) loads it at 1 and 8 concurrent connections for `--seconds`
each: the Catalogue API's `catalogue(path)` and the Core API's `item(id)` of a
random product, and the baseline, the same product's rows read with plain SQL
by the load process itself (what a careful script reading the database does,
no HTTP, no GraphQL). Results go to bench/results/api-<stamp>.{json,md}.
"""

from __future__ import annotations

import json
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.catalogue.generate import generate, write_settings
from bench.processes import stop_all
from bench.run import (
    DATA,
    RESULTS,
    bench_arguments,
    bench_env,
    chosen_databases,
    ensure_file,
    environment_info,
    fresh_database,
    measure,
)

MODES = ("sql", "catalogue", "core")
TARGETS = 2_000
TARGET_P99_MS = 30.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _targets(url: str, tenant_id: str, rng: random.Random) -> list[dict[str, str]]:
    """Random published products: their id and canonical English path."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT i.id, p.path FROM items i JOIN item_paths p ON p.tenant_id = "
                    "i.tenant_id AND p.item_id = i.id AND p.language = 'en' AND p.kind = "
                    "'canonical' WHERE i.tenant_id = :t AND i.type = 'product'"
                ),
                {"t": tenant_id},
            ).all()
    finally:
        engine.dispose()
    chosen = rng.sample(rows, min(TARGETS, len(rows)))
    return [{"id": row.id, "path": row.path} for row in chosen]


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("geode serve exited before answering")
        try:
            httpx.get(f"{url}/openapi.json", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("geode serve did not answer within 60 s")


def run_database(
    database: str, url: str, files: tuple[Path, Path], args: Any, env: dict[str, str]
) -> dict[str, Any]:
    ops_file, settings_file = files
    result: dict[str, Any] = {"database": database, "steps": [], "loads": []}
    geode = args.geode
    with tempfile.TemporaryDirectory(prefix="geode-apibench-") as data_dir:
        env = {**env, "GEODE_DATABASE_URL": url, "GEODE_DATA_DIR": data_dir}
        setup = [
            ("db upgrade", [geode, "db", "upgrade"]),
            ("tenant create", [geode, "tenant", "create", "bench"]),
            ("tenant configure", [geode, "tenant", "configure", "bench", str(settings_file)]),
            ("import", [geode, "massop", "run", str(ops_file), "--tenant", "bench", "--json"]),
            ("token", [geode, "token", "create", "--tenant", "bench", "--json"]),
            ("tenant show", [geode, "tenant", "show", "bench", "--json"]),
        ]
        outputs: dict[str, Any] = {}
        for name, command in setup:
            step = measure(name, command, env)
            result["steps"].append({"name": name, "seconds": step.seconds, "ok": step.ok})
            if not step.ok:
                result["error"] = f"`{name}` failed: {step.stderr_tail[-500:]}"
                return result
            outputs[name] = step.output
        tenant_id = outputs["tenant show"]["id"]
        token = outputs["token"]
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        spec = {
            "database_url": url,
            "tenant_id": tenant_id,
            "core_url": f"{base}/@bench",
            "catalogue_url": f"{base}/bench/catalogue",
            "headers": {
                "X-Crystallize-Access-Token-Id": token["id"],
                "X-Crystallize-Access-Token-Secret": token["secret"],
            },
            "targets": _targets(url, tenant_id, random.Random(args.seed)),
        }
        spec_file = Path(data_dir) / "targets.json"
        spec_file.write_text(json.dumps(spec))
        server = subprocess.Popen(
            [geode, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL
        )
        try:
            _wait_until_up(base, server)
            for mode in MODES:
                for connections in args.connections:
                    command = [sys.executable, "-m", "bench.api_load", str(spec_file)]
                    command += ["--mode", mode, "--connections", str(connections)]
                    command += ["--seconds", str(args.seconds)]
                    done = subprocess.run(command, capture_output=True, text=True, check=False)
                    load = json.loads(done.stdout) if done.stdout.strip() else {}
                    load.setdefault("mode", mode)
                    load.setdefault("connections", connections)
                    if done.returncode != 0:
                        load["failed"] = (load.get("errors") or [done.stderr[-500:]])[0]
                    print(f"  {mode} x{connections}: {load}")
                    result["loads"].append(load)
        finally:
            stop_all([server], signal.SIGINT, 15)
    return result


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        "| database | read | connections | requests/s | p50 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    names = {"sql": "plain SQL (baseline)", "catalogue": "catalogue(path)", "core": "item(id)"}
    for result in results:
        for load in result["loads"]:
            if "failed" in load:
                failure = str(load["failed"])[:80]
                lines.append(
                    f"| {result['database']} | {names[load['mode']]} | {load['connections']} "
                    f"| failed: {failure} | | |"
                )
                continue
            lines.append(
                f"| {result['database']} | {names[load['mode']]} | {load['connections']} | "
                f"{load.get('rps', 0):,.0f} | {load.get('p50_ms')} | {load.get('p99_ms')} |"
            )
        if result.get("error"):
            lines.append(f"\n- {result['database']}: {result['error']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = bench_arguments("Catalogue API and Core API reads of one product, under load.")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 100,000 products")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1, 8])  # fmt: skip
    args = parser.parse_args(argv)
    databases = chosen_databases(parser, args)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    ops_file = DATA / f"catalogue-{args.scale:g}-{args.seed}.json"
    settings_file = DATA / "catalogue-settings.json"
    write_settings(settings_file)
    ensure_file(ops_file, lambda: generate(ops_file, args.scale, args.seed))
    results = []
    for database in databases:
        print(f"{database}:")
        with fresh_database(database, stamp, args.postgres_admin_url, args.keep) as url:
            results.append(
                run_database(database, url, (ops_file, settings_file), args, bench_env(None))
            )
    table = report(results)
    print()
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Geode API read benchmark {stamp}\n\nscale {args.scale:g}, seed {args.seed}; "
        f"{args.seconds:g} s per load after 3 s of warm-up; target p99 < {TARGET_P99_MS:g} ms "
        "at 8 connections\n\n"
    )
    (RESULTS / f"api-{stamp}.md").write_text(header + table, encoding="utf-8")
    raw = {
        "timestamp": stamp,
        "scale": args.scale,
        "seed": args.seed,
        "environment": environment_info(args.postgres_admin_url, databases),
        "results": results,
    }
    (RESULTS / f"api-{stamp}.json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    print(f"results: {RESULTS / f'api-{stamp}.md'} and .json")
    failed = any(r.get("error") or any("failed" in x for x in r["loads"]) for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
