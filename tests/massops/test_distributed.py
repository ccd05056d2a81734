"""Chunked tasks (several workers, one chunk each) end exactly like a sequential run.

Random files with repeated keys, references, operations that fail and
operations skipped because what they reference failed, run twice in two
tenants: once whole, once split into tiny chunks run in planning order.
Logs, counts and the stored customers and orders must match.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest

from geode.app import App
from geode.assembly.intents import intent_registry
from geode.customers.export import customer_operations
from geode.massops.planning import plan
from geode.massops.spool import SpoolEntry, SpoolWriter
from geode.orders.export import order_operations
from geode.tenants.service import TenantInfo, create_tenant
from tests.massops.outcomes import outcome

HEX = "0123456789abcdef"


def random_file(seed: int, size: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    customers = [f"c{i}" for i in range(max(3, size // 6))]
    order_ids = ["".join(rng.choice(HEX) for _ in range(24)) for _ in range(max(2, size // 8))]
    refs: list[str] = []
    ops: list[dict[str, Any]] = []
    for n in range(size):
        roll = rng.random()
        op: dict[str, Any]
        if roll < 0.35:
            intent = rng.choice(["customer/upsert"] * 6 + ["customer/create", "customer/update"])
            op = {"intent": intent, "identifier": rng.choice(customers),
                  "firstName": rng.choice(["Ada", "Bo", "Cy"]), "email": f"u{n}@example.com"}  # fmt: skip
        elif roll < 0.45:
            op = {"intent": "customer/group/upsert", "identifier": f"g{rng.randrange(3)}",
                  "name": f"Group {n}"}  # fmt: skip
        else:
            who = (
                f"{{{{ {rng.choice(refs)}.identifier }}}}"
                if refs and rng.random() < 0.7
                else rng.choice(customers)
            )
            op = {
                "intent": "order/upsert",
                "customer": {"identifier": who},
                "cart": [{"sku": f"s{n % 4}", "name": "Thing", "quantity": rng.randint(1, 3),
                          "price": {"gross": 10.5, "net": 8.4, "currency": "EUR"}}],
                "total": {"gross": 10.5 * rng.randint(1, 3), "net": 8.4, "currency": "EUR"},
            }  # fmt: skip
            key = rng.random()
            if key < 0.6:
                op["id"] = rng.choice(order_ids)
            elif key < 0.75:
                op["intent"] = "order/register"
        if (
            op["intent"].startswith("customer/")
            and "group" not in op["intent"]
            and rng.random() < 0.5
        ):
            op["_ref"] = f"r{n}"
            refs.append(f"r{n}")
        ops.append(op)
    return ops


def run_file(app: App, tenant_id: str, path: Path, chunk_size: int | None) -> Any:
    app.massops.chunk_size = chunk_size
    task = app.massops.submit(tenant_id, path, by_worker=chunk_size is not None)
    assert task.chunked is (chunk_size is not None), "the file was expected to be chunked"
    return app.massops.run(task.id)


def stored(app: App, tenant_id: str) -> tuple[list[Any], list[Any]]:
    with app.engine.connect() as connection:
        customers = [msgspec.to_builtins(c) for c in customer_operations(connection, tenant_id)]
        orders = [msgspec.to_builtins(o) for o in order_operations(connection, tenant_id)]
    for order in orders:
        order.pop("id", None)  # register generates ids
        order.pop("createdAt", None)  # "now", when the file gives none
    return customers, sorted(orders, key=repr)


def new_tenant(app: App) -> TenantInfo:
    with app.engine.begin() as connection:
        return create_tenant(connection, f"d-{uuid.uuid4().hex[:12]}")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_chunked_run_equals_sequential_run(app: App, ops_file: Any, seed: int) -> None:
    ops = random_file(seed, 120)
    path = ops_file(ops)
    whole, split = new_tenant(app), new_tenant(app)
    expected = run_file(app, whole.id, path, None)
    actual = run_file(app, split.id, path, 7)
    assert actual.status == expected.status
    assert actual.counts == expected.counts
    assert actual.processed == expected.processed == len(ops)
    assert outcome(app, actual.id) == outcome(app, expected.id)
    assert stored(app, split.id) == stored(app, whole.id)
    # a re-run of a finished chunked task is a no-op
    assert app.massops.run(actual.id).status == actual.status


def test_waves_follow_references_and_keys(tmp_path: Path) -> None:
    from geode.customers.intents import CustomerUpsert

    def upsert(identifier: str, ref: str | None = None, template: str | None = None) -> SpoolEntry:
        fields: dict[str, Any] = {"identifier": identifier}
        if ref:
            fields["ref"] = ref
        templates = None
        if template:
            fields["email"] = template
            templates = [(["email"], template)]
        return SpoolEntry(CustomerUpsert(**fields), templates)

    spool = tmp_path / "s.spool"
    writer = SpoolWriter(spool)
    for entry in [
        upsert("a", ref="ra"),  # 0: wave 0
        upsert("b", template="{{ ra.email }}"),  # 1: reads ra -> wave 1
        upsert("b"),  # 2: same key as 1 -> never before it: wave 1
        upsert("c"),  # 3: independent: wave 0
        upsert("a"),  # 4: same key as 0: wave 0, after it in the same chunk
    ]:
        writer.add(entry)
    writer.close()
    layout = plan(spool, chunk_size=1, intents=intent_registry)
    assert list(layout.waves) == [0, 1, 1, 0, 0]
    assert layout.keys[0] == layout.keys[4] and layout.keys[1] == layout.keys[2]


def test_templated_identifiers_put_all_customers_on_one_key(tmp_path: Path) -> None:
    from geode.customers.intents import CustomerUpsert

    spool = tmp_path / "s.spool"
    writer = SpoolWriter(spool)
    writer.add(SpoolEntry(CustomerUpsert(identifier="a", ref="ra")))
    writer.add(
        SpoolEntry(
            CustomerUpsert(identifier="{{ ra.identifier }}"),
            [(["identifier"], "{{ ra.identifier }}")],
        )
    )
    writer.add(SpoolEntry(CustomerUpsert(identifier="b")))
    writer.close()
    layout = plan(spool, chunk_size=1, intents=intent_registry)
    assert len(set(layout.keys)) == 1
    assert list(layout.waves) == [0, 1, 1]  # b may be the rendered identifier: after it


def test_chunked_task_can_be_cancelled_and_resumed(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    ops = random_file(7, 80)
    path = ops_file(ops)
    app.massops.chunk_size = 5
    task = app.massops.submit(tenant.id, path, by_worker=True)
    assert task.chunked
    _, ready = app.massops.chunked.schedule(task.id)
    app.massops.chunked.run_chunk(task.id, ready[0])
    app.massops.request_cancel(task.id, tenant.id)
    assert app.massops.get(task.id).status == "cancelled"
    assert app.massops.run(task.id).status == "cancelled"  # stays so until reopened
    app.massops.reopen(task.id, tenant.id)
    done = app.massops.run(task.id)
    other = new_tenant(app)
    expected = run_file(app, other.id, path, None)
    assert done.counts == expected.counts
    assert outcome(app, done.id) == outcome(app, expected.id)
