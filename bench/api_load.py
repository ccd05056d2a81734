"""The load of the API read benchmark, run as its own process (`bench.api_reads`).

    python -m bench.api_load TARGETS.json --mode core|catalogue|sql --connections 8 --seconds 20

`core` posts the Core API's `item(id)` and `catalogue` the Catalogue API's
`catalogue(path)` over keep-alive HTTP connections, one thread each, every
request for a product picked at random from TARGETS; `sql` is the baseline: the
same product's rows read with plain SQL (a careful script's seven queries: the
item, its version, its path, its variants, then their versions, prices and
stock by variant id; no HTTP, no GraphQL), one database connection per thread.
The first `--warmup` seconds are not counted. Prints one JSON object: requests,
seconds, rps, p50/p99 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

CORE_QUERY = """query($id: ID!) { item(id: $id, language: "en", version: published) {
  ... on Product { id name path components { componentId type content }
    variants { sku name isDefault price stock attributes { attribute value }
      priceVariants { identifier price } stockLocations { identifier stock } } } } }"""

CATALOGUE_QUERY = """query($path: String!) { catalogue(path: $path, language: "en") {
  id name path
  ... on Product { vatType { name percent }
    variants { sku name isDefault attributes { attribute value }
      priceVariants { identifier name price currency } stockLocations { identifier stock } }
    components { id type } } } }"""

SQL_READS = (
    "SELECT * FROM items WHERE tenant_id = :t AND id = :id",
    "SELECT name, components, updated_at FROM item_versions "
    "WHERE tenant_id = :t AND item_id = :id AND language = 'en' AND version = 'published'",
    "SELECT path FROM item_paths WHERE tenant_id = :t AND item_id = :id AND language = 'en' "
    "AND kind = 'canonical'",
)
VARIANTS = (
    "SELECT id, sku, is_default FROM variants WHERE tenant_id = :t AND product_id = :id "
    "ORDER BY position"
)
VARIANT_READS = (
    "SELECT variant_id, name, attributes FROM variant_versions WHERE tenant_id = :t "
    "AND variant_id IN :ids AND language = 'en' AND version IN ('draft', 'published')",
    "SELECT variant_id, price_variant_identifier, price FROM variant_prices "
    "WHERE tenant_id = :t AND variant_id IN :ids",
    "SELECT variant_id, stock_location_identifier, stock FROM variant_stock "
    "WHERE tenant_id = :t AND variant_id IN :ids",
)


def _http_worker(
    url: str, headers: dict[str, str], mode: str, targets: list[dict[str, str]]
) -> Callable[[random.Random], None]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80)
    path = parts.path

    def once(rng: random.Random) -> None:
        target = rng.choice(targets)
        if mode == "core":
            body = {"query": CORE_QUERY, "variables": {"id": target["id"]}}
        else:
            body = {"query": CATALOGUE_QUERY, "variables": {"path": target["path"]}}
        connection.request(
            "POST", path, json.dumps(body), {"Content-Type": "application/json", **headers}
        )
        response = connection.getresponse()
        answer = response.read()
        # Every product has variants: an answer without a sku found nothing.
        if response.status != 200 or b'"errors"' in answer or b'"sku"' not in answer:
            raise RuntimeError(f"{response.status}: {answer[:300]!r}")

    return once


def _sql_worker(
    engine: sa.Engine, tenant_id: str, targets: list[dict[str, str]]
) -> Callable[[random.Random], None]:
    connection = engine.connect()
    statements = [sa.text(s) for s in SQL_READS]
    variants = sa.text(VARIANTS)
    by_variant = [sa.text(s).bindparams(sa.bindparam("ids", expanding=True)) for s in VARIANT_READS]

    def once(rng: random.Random) -> None:
        target = rng.choice(targets)
        keys = {"t": tenant_id, "id": target["id"]}
        for statement in statements:
            connection.execute(statement, keys).all()
        ids = [row.id for row in connection.execute(variants, keys)]
        for statement in by_variant:
            connection.execute(statement, {"t": tenant_id, "ids": ids}).all()
        connection.rollback()

    return once


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("targets", type=Path)
    parser.add_argument("--mode", choices=("core", "catalogue", "sql"), required=True)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    args = parser.parse_args()
    spec: dict[str, Any] = json.loads(args.targets.read_text())
    targets: list[dict[str, str]] = spec["targets"]
    engine = sa.create_engine(spec["database_url"], pool_size=args.connections + 1)
    latencies: list[list[float]] = [[] for _ in range(args.connections)]
    errors: list[str] = []
    started = time.perf_counter()
    counted_from = started + args.warmup
    stop_at = counted_from + args.seconds

    def run(slot: int) -> None:
        rng = random.Random(slot)
        if args.mode == "sql":
            once = _sql_worker(engine, spec["tenant_id"], targets)
        else:
            url = spec["core_url"] if args.mode == "core" else spec["catalogue_url"]
            once = _http_worker(
                url, spec["headers"] if args.mode == "core" else {}, args.mode, targets
            )
        mine = latencies[slot]
        try:
            while (now := time.perf_counter()) < stop_at:
                once(rng)
                if now >= counted_from:
                    mine.append(time.perf_counter() - now)
        except Exception as exc:  # reported, and the run fails
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = sorted(x for slot in latencies for x in slot)
    result: dict[str, Any] = {
        "mode": args.mode,
        "connections": args.connections,
        "errors": errors[:3],
    }
    if every:
        quantiles = statistics.quantiles(every, n=100, method="inclusive")
        result |= {
            "requests": len(every),
            "seconds": args.seconds,
            "rps": round(len(every) / args.seconds, 1),
            "p50_ms": round(quantiles[49] * 1000, 2),
            "p99_ms": round(quantiles[98] * 1000, 2),
        }
    print(json.dumps(result))
    raise SystemExit(1 if errors else 0)


if __name__ == "__main__":
    main()
