"""Operations run after what they depend on (issue 11 point 4): the run order,
cycles refused up front, logs and retries speaking of the file's indexes, and
a file in any order ending with the store of the same file sorted by hand."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geode.app import App
from geode.db.engine import create_engine, reading
from geode.errors import InvalidFileError
from geode.massops import repository
from geode.massops.ordering import DependencyCollector, describe
from geode.massops.runner import TaskCancelled
from geode.massops.spool import is_reordered, read_spool
from geode.massops.validation import validate_file
from geode.tenants.service import TenantInfo, create_tenant
from tests.catalogue.files import logs, piece, piece_component, run, shape, stored
from tests.cli.test_cli import geode, new_tenant, ok, one_json, write_ops
from tests.conftest import Store
from tests.massops import test_crash_resume as crash

# -- the order itself, without a store ------------------------------------------------


def order_of(*ops: tuple[list[str], list[str]], refs: dict[int, list[int]] | None = None) -> Any:
    """ops: (provides, needs) per operation; refs: user -> producers it reads."""
    collector = DependencyCollector()
    for index, (provides, needs) in enumerate(ops):
        reads = [f"r{producer}" for producer in (refs or {}).get(index, [])]
        collector.add(index, "x/upsert", provides, needs)
        collector.link(index, "x/upsert", f"r{index}", reads)
    return collector.finish(len(ops))


def test_a_file_in_order_keeps_its_order_and_builds_no_graph() -> None:
    order, problems = order_of((["piece:a"], []), (["shape:s"], ["piece:a"]), ([], ["shape:s"]))
    assert (order, problems) == (None, [])


def test_an_operation_runs_after_the_first_provider_of_what_it_needs() -> None:
    order, problems = order_of(
        (["shape:s"], ["piece:a"]),  # 0 needs piece a, first written by 1
        (["piece:a"], []),
        ([], []),
        (["piece:a"], ["piece:b"]),  # 3: the same record as 1, so after 1; needs 4
        (["piece:b"], []),
    )
    assert problems == []
    # 0 waits for the first writer of piece a, not for 3's later change of it: the
    # order a person sorting the file by hand would choose.
    assert order == [1, 0, 2, 4, 3]


def test_a_ref_producer_stays_before_its_users() -> None:
    # 0 waits for 2; 1 reads 0's _ref, so it waits too, though it needs nothing.
    order, _ = order_of((["shape:s"], ["piece:a"]), ([], []), (["piece:a"], []), refs={1: [0]})
    assert order == [2, 0, 1]


def test_a_file_without_dependencies_records_nothing() -> None:
    """A customer/order file: `_ref`s read everywhere, nothing provided or needed."""
    collector = DependencyCollector()
    for index in range(1000):
        collector.add(index, "customer/upsert", [], [])
        collector.link(index, "order/upsert", f"r{index}", [f"r{index - 1}"] if index else [])
    assert (len(collector.movable), collector.refs, len(collector.edges)) == (0, {}, 0)
    assert collector.finish(1000) == (None, [])


def test_an_operation_naming_its_own_record_needs_nothing() -> None:
    order, _ = order_of((["piece:a"], ["piece:a"]), (["piece:a"], []))
    assert order is None


def test_a_cycle_is_refused_naming_its_operations() -> None:
    order, problems = order_of(
        ([], []),
        (["piece:a"], ["piece:b"]),
        (["piece:b"], ["piece:a"]),
        ([], ["piece:a"]),  # waits on the cycle, is not in it
    )
    assert order is None
    [problem] = problems
    assert problem.code == "dependency_cycle"
    assert problem.path == "$.operations"
    assert "operations 1 (x/upsert), 2 (x/upsert) depend on each other" in problem.message
    assert "operation 1 needs piece:b, which operation 2 provides" in problem.message
    assert "operation 2 needs piece:a, which operation 1 provides" in problem.message
    assert "operation 3" not in problem.message


def test_two_cycles_are_both_reported() -> None:
    _, problems = order_of(
        (["piece:a"], ["piece:b"]),
        (["piece:b"], ["piece:a"]),
        (["shape:c"], ["shape:d"]),
        (["shape:d"], ["shape:c"]),
    )
    assert [p.message.split(" depend")[0] for p in problems] == [
        "operations 0 (x/upsert), 1 (x/upsert)",
        "operations 2 (x/upsert), 3 (x/upsert)",
    ]


def test_describe_folds_runs_of_indexes() -> None:
    assert describe([2, 0, 1, 3, 4, 5, 9]) == "2, 0-1, 3-5, 9"


# -- through the engine -----------------------------------------------------------------


def seo_first_needed() -> list[dict[str, Any]]:
    """A shape before the piece it holds; a piece before a piece it holds; a _ref
    whose producer moves."""
    return [
        {**shape("mug", components=[piece_component("seo", "seo")]), "_ref": "mug"},
        {**piece("seo", components=[piece_component("meta", "meta")]), "_ref": "seo"},
        piece("meta"),
        {**shape("cup", type_="document"), "name": "{{ seo.name }} and {{ mug.name }}"},
    ]


def test_a_file_out_of_order_runs_in_dependency_order(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file(seo_first_needed())
    report = app.massops.validate(path)
    assert report.ok, report.problems
    assert report.order == [2, 1, 0, 3]

    task = run(app, tenant, path)
    assert task.status == "complete", logs(app, task.id)
    entries = logs(app, task.id)
    # Logs keep the file's indexes, each with its own operation.
    assert [(e["idx"], e["intent"], e["resource_id"]) for e in entries] == [
        (0, "shape/upsert", "mug"),
        (1, "piece/upsert", "seo"),
        (2, "piece/upsert", "meta"),
        (3, "shape/upsert", "cup"),
    ]
    names = {row["identifier"]: row["name"] for row in stored(app, "shapes", tenant.id)}
    assert names["cup"] == "Seo and Mug"


def test_the_parallel_validation_finds_the_same_order_and_cycles(
    app: App, ops_file: Any, tmp_path: Path
) -> None:
    registry = app.massops.intents
    ops = [*seo_first_needed(), *catalogue_file([[], [0], [1]], [[2], [0, 1]])[::-1]]
    cycle = [
        *ops,
        piece("aa", components=[piece_component("bb", "bb")]),
        piece("bb", components=[piece_component("aa", "aa")]),
    ]
    reports = []
    for operations in (ops, cycle):
        path = ops_file(operations, name=f"{uuid.uuid4().hex}.json")
        sequential = validate_file(path, registry, workers=1)
        parallel = validate_file(path, registry, workers=2, parallel_min_bytes=0, chunk_size=300)
        assert parallel.parallel and not sequential.parallel
        assert (parallel.order, parallel.problems) == (sequential.order, sequential.problems)
        reports.append(parallel)
    assert reports[0].ok and reports[0].order is not None
    assert reports[0].order[:4] == [2, 1, 0, 3]
    assert [p.code for p in reports[1].problems] == ["dependency_cycle"]


def test_a_file_in_order_is_not_rewritten(app: App, ops_file: Any, tmp_path: Path) -> None:
    path = ops_file([piece("seo"), shape("mug", components=[piece_component("seo", "seo")])])
    assert app.massops.validate(path).order is None
    _, spool, _ = app.massops._spool(path, tmp_path / "spool")
    assert not is_reordered(spool)


def test_the_spool_is_in_run_order_with_file_indexes(
    app: App, ops_file: Any, tmp_path: Path
) -> None:
    _, spool, _ = app.massops._spool(ops_file(seo_first_needed()), tmp_path / "spool")
    assert is_reordered(spool)
    entries = list(read_spool(spool, app.massops.intents))
    assert [(i, e.op.identifier) for i, e in entries] == [
        (2, "meta"),
        (1, "seo"),
        (0, "mug"),
        (3, "cup"),
    ]
    assert [i for i, _ in read_spool(spool, app.massops.intents, start=2)] == [0, 3]


def test_a_cycle_is_refused_up_front(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    path = ops_file(
        [
            piece("aa", components=[piece_component("bb", "bb")]),
            shape("mug"),
            piece("bb", components=[piece_component("aa", "aa")]),
        ]
    )
    report = app.massops.validate(path)
    [problem] = report.problems
    assert problem.code == "dependency_cycle"
    assert "operations 0 (piece/upsert), 2 (piece/upsert)" in problem.message
    assert "operation 0 needs piece:bb, which operation 2 provides" in problem.message
    with pytest.raises(InvalidFileError) as refused:
        app.massops.submit(tenant.id, path)
    assert [p["code"] for p in refused.value.detail] == ["dependency_cycle"]  # type: ignore[union-attr]
    assert stored(app, "pieces", tenant.id) == []
    assert stored(app, "shapes", tenant.id) == []


def test_two_shapes_may_accept_each_other(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    def relation(accepts: str) -> dict[str, Any]:
        return {
            "id": "related",
            "name": "Related",
            "type": "itemRelations",
            "config": {"itemRelations": {"acceptedShapeIdentifiers": [accepts]}},
        }

    path = ops_file(
        [shape("mug", components=[relation("cup")]), shape("cup", components=[relation("mug")])]
    )
    report = app.massops.validate(path)
    assert report.ok, report.problems
    assert report.order is None


def test_a_stopped_run_resumes_in_run_order(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    """Stopped after the first operation of the run order (file index 1, whose
    `_ref` a later one reads), resumed: the rest runs in order and the reference
    is read back from the logs, though its index is past the checkpoint."""
    path = ops_file(
        [
            shape("mug", components=[piece_component("seo", "seo")]),
            {**piece("seo"), "_ref": "seo"},
            {**shape("cup"), "name": "{{ seo.name }} cup"},
        ]
    )
    app.massops.batch_size = 1
    app.massops.commit_every = 1
    task = app.massops.submit(tenant.id, path)
    calls = 0

    def stop_after_the_first_batch() -> bool:
        nonlocal calls
        calls += 1
        if calls < 2:
            return False
        deadline = time.monotonic() + 10
        while app.massops.get(task.id).processed < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        return True

    with pytest.raises(TaskCancelled):
        app.massops.run(task.id, stop_requested=stop_after_the_first_batch)
    stopped = app.massops.get(task.id)
    assert (stopped.status, stopped.processed) == ("cancelled", 1)
    assert [e["idx"] for e in logs(app, task.id)] == [1]

    done = app.massops.run(task.id)
    assert done.status == "complete", logs(app, task.id)
    assert [(e["idx"], e["status"]) for e in logs(app, task.id)] == [
        (0, "success"),
        (1, "success"),
        (2, "success"),
    ]
    names = {row["identifier"]: row["name"] for row in stored(app, "shapes", tenant.id)}
    assert names == {"mug": "Mug", "cup": "Seo cup"}


def test_a_retry_of_a_reordered_file_takes_its_failures_by_file_index(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file(
        [
            shape("mug", components=[piece_component("seo", "seo")]),
            shape("nope", "shape/update", type_=None),  # fails: no such shape
            piece("seo"),
        ]
    )
    task = run(app, tenant, path)
    assert task.status == "completeWithErrors"
    assert [(e["idx"], e["status"]) for e in logs(app, task.id)] == [
        (0, "success"),
        (1, "failure"),
        (2, "success"),
    ]
    retried = app.massops.retry(task.id).new
    assert retried is not None
    assert retried.total == 1
    [entry] = logs(app, app.massops.run(retried.id).id)
    assert (entry["intent"], entry["error_code"]) == ("shape/update", "not_found")


def test_a_chunked_run_keeps_the_run_order_and_file_indexes(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    app.massops.chunk_size = 1
    task = app.massops.submit(tenant.id, ops_file(seo_first_needed()), by_worker=True)
    assert task.chunked
    done = app.massops.run(task.id)
    assert done.status == "complete", logs(app, task.id)
    assert [(e["idx"], e["resource_id"]) for e in logs(app, task.id)] == [
        (0, "mug"),
        (1, "seo"),
        (2, "meta"),
        (3, "cup"),
    ]


# -- a file in any order ends as the file sorted by hand ---------------------------------


def catalogue_file(holds: list[list[int]], shapes: list[list[int]]) -> list[dict[str, Any]]:
    """Pieces p0.. (piece i holds pieces of lower numbers, so the file is sorted
    by hand), then shapes holding pieces."""

    def components(pieces: list[int]) -> list[dict[str, Any]]:
        return [piece_component(f"c{n}", f"p{n}") for n in pieces]

    return [
        *(piece(f"p{i}", components=components(held)) for i, held in enumerate(holds)),
        *(shape(f"s{i}", components=components(held)) for i, held in enumerate(shapes)),
    ]


@st.composite
def files_and_permutations(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[int]]:
    count = draw(st.integers(1, 6))
    holds = [
        sorted(draw(st.sets(st.integers(0, i - 1), max_size=2))) if i else [] for i in range(count)
    ]
    shapes = [
        sorted(draw(st.sets(st.integers(0, count - 1), max_size=3)))
        for _ in range(draw(st.integers(0, 4)))
    ]
    operations = catalogue_file(holds, shapes)
    return operations, draw(st.permutations(range(len(operations))))


def snapshot(app: App, tenant_id: str) -> dict[str, Any]:
    return {
        table: [
            {k: v for k, v in row.items() if k != "id"} for row in stored(app, table, tenant_id)
        ]
        for table in ("pieces", "shapes")
    }


def new_tenant_in(app: App) -> TenantInfo:
    with app.engine.begin() as connection:
        return create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=files_and_permutations())
def test_a_file_in_any_order_ends_as_the_file_sorted_by_hand(
    app: App, tmp_path: Path, case: tuple[list[dict[str, Any]], list[int]]
) -> None:
    operations, permutation = case
    stores = []
    for name, ops in (("sorted", operations), ("shuffled", [operations[i] for i in permutation])):
        tenant = new_tenant_in(app)
        path = tmp_path / f"{name}-{uuid.uuid4().hex[:6]}.json"
        path.write_text(json.dumps({"version": "0.0.1", "operations": ops}))
        task = run(app, tenant, path)
        assert task.status == "complete", logs(app, task.id)
        stores.append(snapshot(app, tenant.id))
    assert stores[0] == stores[1]


# -- the command line ---------------------------------------------------------------------


@pytest.mark.integration
def test_dry_run_and_validate_print_the_run_order(tmp_path: Path) -> None:
    tenant = new_tenant(tmp_path)
    path = write_ops(tmp_path, seo_first_needed())
    text = ok(geode(tmp_path, "massop", "run", path, "--tenant", tenant, "--dry-run"))
    assert "operations run in dependency order (operation indexes of the file): 2, 1, 0, 3" in (
        text.stdout
    )
    summary = one_json(
        ok(geode(tmp_path, "massop", "run", path, "--tenant", tenant, "--dry-run", "--json"))
    )
    assert (summary["status"], summary["order"]) == ("complete", [2, 1, 0, 3])
    report = one_json(ok(geode(tmp_path, "massop", "validate", path, "--json")))
    assert report["order"] == [2, 1, 0, 3]

    in_order = write_ops(tmp_path, [piece("seo")])
    plain = ok(geode(tmp_path, "massop", "run", in_order, "--tenant", tenant, "--dry-run"))
    assert "dependency order" not in plain.stdout
    assert one_json(ok(geode(tmp_path, "massop", "validate", in_order, "--json")))["order"] is None


def test_the_checkpoint_is_a_position_in_the_run_order(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    task = run(app, tenant, ops_file(seo_first_needed()))
    with reading(app.engine) as connection:
        assert repository.get_task(connection, task.id).processed == 4
        rows = connection.execute(
            sa.text("select count(*) from massop_logs where task_id = :t"), {"t": task.id}
        ).scalar_one()
    assert rows == 4


# -- killed and resumed ----------------------------------------------------------------


def reversed_catalogue() -> list[dict[str, Any]]:
    """1,000 shapes before the 200 pieces they hold, then 100 shapes reading the
    pieces' `_ref`s: the pieces run first, though their indexes come later."""
    return [
        *(shape(f"s{i}", components=[piece_component("c", f"p{i % 200}")]) for i in range(1000)),
        *({**piece(f"p{i}"), "_ref": f"p{i}"} for i in range(200)),
        *({**shape(f"t{i}"), "name": f"{{{{ p{i}.name }}}} copy"} for i in range(100)),
    ]


def catalogue_snapshot(url: str, tenant: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tenant_id = connection.execute(
                sa.text("select id from tenants where identifier = :t"), {"t": tenant}
            ).scalar_one()
            result: dict[str, Any] = {
                table: connection.execute(
                    sa.text(
                        f"select identifier, name, components from {table} "
                        "where tenant_id = :t order by identifier"
                    ),
                    {"t": tenant_id},
                ).all()
                for table in ("pieces", "shapes")
            }
            result["logs"] = connection.execute(
                sa.text(
                    "select l.idx, l.status, l.resource_id from massop_logs l "
                    "join massop_tasks t on t.id = l.task_id where t.tenant_id = :t order by l.idx"
                ),
                {"t": tenant_id},
            ).all()
    finally:
        engine.dispose()
    return result


@pytest.mark.integration
def test_a_killed_run_of_a_reordered_file_resumes_to_the_same_store(
    store: Store, tmp_path: Path
) -> None:
    env = crash.environment(store, tmp_path)
    file = tmp_path / "catalogue.json"
    file.write_text(json.dumps({"version": "0.0.1", "operations": reversed_catalogue()}))
    suffix = uuid.uuid4().hex[:8]
    reference, crashed = f"ref-{suffix}", f"crash-{suffix}"
    crash.geode(env, "tenant", "create", reference)
    crash.geode(env, "tenant", "create", crashed)
    clean = json.loads(
        crash.geode(env, "massop", "run", str(file), "--tenant", reference, "--json").stdout
    )
    assert clean["status"] == "complete"

    process = subprocess.Popen(
        [crash.GEODE, "massop", "run", str(file), "--tenant", crashed, "--json"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    crash.wait_for_progress(store.url, crashed, 300, process)
    assert process.poll() is None, "the run finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    task_id = crash.task_of(store.url, crashed)
    resumed = json.loads(crash.geode(env, "massop", "resume", task_id, "--json").stdout)
    assert (resumed["status"], resumed["counts"]) == ("complete", clean["counts"])

    expected = catalogue_snapshot(store.url, reference)
    actual = catalogue_snapshot(store.url, crashed)
    assert actual == expected
    assert [row[0] for row in actual["logs"]] == list(range(1300))
    assert {row[1] for row in actual["logs"]} == {"success"}
    names = {row[0]: row[1] for row in actual["shapes"]}
    assert names["t7"] == "P7 copy"
