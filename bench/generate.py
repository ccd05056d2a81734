"""Deterministic, streamed generator of mass-operation files for the import benchmark.

Operations come in groups of five: one `customer/upsert`, then four `order/upsert`
that each refer to that customer or to a random earlier one, so every reference
points backwards in the file. Money is computed with `Decimal` and written as its
exact two-decimal text; nothing is held in memory beyond a small write buffer.

    python -m bench.generate --ops 1000000 --seed 42 --out bench/data/ops-1000000-42.json
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

GROUP = 5  # 1 customer + 4 orders
LINES_PER_ORDER = 3
SKU_COUNT = 5_000
FLUSH_EVERY = 2_000  # operations per write() call
CENT = Decimal("0.01")
VAT = Decimal("1.25")
YEAR_START = datetime(2023, 1, 1, tzinfo=UTC)
YEAR_SECONDS = 365 * 24 * 3600

FIRST_NAMES = (
    "Ada", "Bjorn", "Clara", "Dag", "Eva", "Frode", "Greta", "Hans", "Ingrid", "Jonas",
    "Kari", "Lars", "Marit", "Nils", "Ola", "Petra", "Ragnhild", "Sven", "Tone", "Ulf",
)  # fmt: skip
LAST_NAMES = (
    "Andersen", "Berg", "Dahl", "Eriksen", "Hansen", "Haugen", "Johansen", "Karlsen",
    "Larsen", "Nilsen", "Olsen", "Pedersen", "Strand", "Solberg", "Moen", "Lie",
)  # fmt: skip
STREETS = (
    "Storgata", "Kirkeveien", "Parkveien", "Skolegata", "Torggata", "Bryggen",
    "Fjordveien", "Sjøgata", "Bakkegata", "Løkkeveien",
)  # fmt: skip
CITIES = (
    ("Oslo", "0150"), ("Bergen", "5003"), ("Trondheim", "7010"), ("Stavanger", "4006"),
    ("Tromsø", "9008"), ("Drammen", "3015"), ("Kristiansand", "4610"), ("Bodø", "8006"),
)  # fmt: skip
ADJECTIVES = ("Classic", "Organic", "Compact", "Deluxe", "Rustic", "Modern", "Nordic", "Smart")
NOUNS = ("Mug", "Lamp", "Chair", "Kettle", "Blanket", "Backpack", "Candle", "Jacket", "Bottle")


def _sku_table(rng: random.Random) -> list[tuple[str, str, Decimal, Decimal]]:
    """(sku, name, gross, net) per product: one fixed price per SKU, like a real catalogue."""
    table = []
    for n in range(1, SKU_COUNT + 1):
        gross = Decimal(rng.randint(500, 250_000)).scaleb(-2)  # 5.00 .. 2500.00
        net = (gross / VAT).quantize(CENT, rounding=ROUND_HALF_UP)
        name = f"{ADJECTIVES[n % len(ADJECTIVES)]} {NOUNS[n % len(NOUNS)]} {n}"
        table.append((f"sku-{n}", name, gross, net))
    return table


def _customer(k: int, rng: random.Random) -> str:
    first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
    last = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
    street = f"{STREETS[rng.randrange(len(STREETS))]} {rng.randint(1, 200)}"
    city, postal = CITIES[rng.randrange(len(CITIES))]
    return (
        f'{{"_ref": "c{k}", "intent": "customer/upsert", "identifier": "cust-{k}", '
        f'"firstName": "{first}", "lastName": "{last}", "email": "cust-{k}@example.com", '
        f'"type": "individual", "addresses": [{{"type": "billing", "street": "{street}", '
        f'"city": "{city}", "postalCode": "{postal}", "country": "NO"}}]}}'
    )


def _order(
    n: int, customer: int, rng: random.Random, skus: list[tuple[str, str, Decimal, Decimal]]
) -> str:
    order_id = f"{rng.getrandbits(96):024x}"
    created = YEAR_START + timedelta(seconds=rng.randrange(YEAR_SECONDS))
    lines = []
    total_gross = Decimal("0.00")
    total_net = Decimal("0.00")
    for _ in range(LINES_PER_ORDER):
        sku, name, gross, net = skus[rng.randrange(SKU_COUNT)]
        quantity = rng.randint(1, 5)
        sub_gross = gross * quantity
        sub_net = net * quantity
        total_gross += sub_gross
        total_net += sub_net
        lines.append(
            f'{{"sku": "{sku}", "name": "{name}", "quantity": {quantity}, '
            f'"price": {{"gross": {gross}, "net": {net}, "currency": "EUR"}}, '
            f'"subTotal": {{"gross": {sub_gross}, "net": {sub_net}, "currency": "EUR"}}}}'
        )
    return (
        f'{{"intent": "order/upsert", "id": "{order_id}", '
        f'"createdAt": "{created:%Y-%m-%dT%H:%M:%SZ}", '
        f'"customer": {{"identifier": "{{{{ c{customer}.identifier }}}}"}}, '
        f'"cart": [{", ".join(lines)}], '
        f'"total": {{"gross": {total_gross}, "net": {total_net}, "currency": "EUR"}}, '
        f'"payment": [{{"provider": "stripe", '
        f'"stripe": {{"orderId": "ch_{n}", "paymentIntentId": "pi_{n}"}}}}], '
        f'"paymentStatus": "paid", "type": "standard"}}'
    )


def generate(path: Path, ops: int, seed: int) -> None:
    """Write `ops` operations to `path` (atomically: a partial file is never left behind)."""
    if ops < 0:
        raise ValueError("ops must be zero or more")
    rng = random.Random(seed)
    skus = _sku_table(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    customers = 0
    orders = 0
    chunk: list[str] = []
    with partial.open("w", encoding="utf-8", buffering=1 << 20) as out:
        out.write('{"version": "0.0.1", "operations": [\n')
        for i in range(ops):
            if i % GROUP == 0:
                customers += 1
                chunk.append(_customer(customers, rng))
            else:
                orders += 1
                # Half the orders belong to the newest customer, the rest to any earlier one.
                target = customers if rng.random() < 0.5 else rng.randint(1, customers)
                chunk.append(_order(orders, target, rng, skus))
            if len(chunk) >= FLUSH_EVERY:
                out.write(",\n".join(chunk))
                out.write(",\n" if i + 1 < ops else "")
                chunk.clear()
        if chunk:
            out.write(",\n".join(chunk))
        out.write("\n]}\n")
    os.replace(partial, path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generate(args.out, args.ops, args.seed)
    seconds = time.perf_counter() - started
    size_mb = args.out.stat().st_size / 1e6
    print(f"wrote {args.ops} operations to {args.out} ({size_mb:.1f} MB) in {seconds:.1f} s")


if __name__ == "__main__":
    main()
