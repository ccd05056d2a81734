"""The real `geode` command, run as a subprocess against an embedded SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from geode.app import App, create_app
from geode.assembly.intents import intent_registry
from geode.jsontext import encode_for_file
from geode.settings import Settings
from geode.tenants.service import authenticate, create_tenant, get_tenant

pytestmark = pytest.mark.integration

GEODE = Path(sys.executable).parent / "geode"
EXIT_OK, EXIT_FAILED, EXIT_WITH_ERRORS = 0, 1, 3

CUSTOMERS: list[dict[str, Any]] = [
    {
        "intent": "customer/upsert",
        "_ref": "ann",
        "identifier": "c-ann",
        "email": "ann@example.com",
        "firstName": "Ann",
    },
    {
        "intent": "customer/upsert",
        "identifier": "c-bob",
        "firstName": "Bob",
        "addresses": [{"type": "billing", "city": "Oslo"}],
    },
    {
        "intent": "customer/upsert",
        "identifier": "c-cy",
        "type": "organization",
        "companyName": "Cy AS",
    },
]
ORDER: dict[str, Any] = {
    "intent": "order/upsert",
    "resourceIdentifier": "web-1",
    "customer": {"identifier": "{{ ann.identifier }}"},
    "cart": [
        {"name": "Mug", "quantity": 2, "price": {"currency": "EUR", "gross": Decimal("75.05")}}
    ],
    "total": {"currency": "EUR", "gross": Decimal("150.10")},
}
INVALID: list[dict[str, Any]] = [
    {"intent": "customer/upsert", "identifier": "c-1", "emial": "a@example.com"},
    {"intent": "customer/upsert", "identifier": "c-2"},
    {
        "intent": "order/upsert",
        "customer": {"identifier": "c-1"},
        "cart": [{"name": "Mug", "quantity": "two"}],
    },
]
INVALID_PATHS = {0: "$.operations[0].emial", 2: "$.operations[2].cart[0].quantity"}


# -- helpers ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for the module (migrating takes time); each test uses its own tenant."""
    return tmp_path_factory.mktemp("geode-cli")


def geode(
    data_dir: Path, *args: str | Path, env_vars: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEODE_")}
    env["GEODE_DATA_DIR"] = str(data_dir)
    env.update(env_vars or {})
    return subprocess.run(
        [str(GEODE), *map(str, args)],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == EXIT_OK, (result.returncode, result.stdout, result.stderr)
    return result


def one_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """stdout must hold exactly one JSON object (progress and messages go to stderr)."""
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    value = json.loads(lines[0])
    assert isinstance(value, dict)
    return value


def json_lines(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def write_ops(directory: Path, operations: list[dict[str, Any]], name: str | None = None) -> Path:
    path = directory / (name or f"ops-{uuid.uuid4().hex[:8]}.json")
    path.write_bytes(encode_for_file({"version": "0.0.1", "operations": operations}))
    return path


def open_store(data_dir: Path) -> App:
    """The store the CLI uses, opened in-process (ignoring any GEODE_* in the environment)."""
    url = f"sqlite:///{(data_dir / 'geode.db').resolve()}"
    return create_app(Settings(data_dir=data_dir, database_url=url))


def new_tenant(data_dir: Path) -> str:
    """Created in-process (a subprocess costs ~0.7 s); `tenant create` has its own tests."""
    identifier = f"t-{uuid.uuid4().hex[:12]}"
    app = open_store(data_dir)
    try:
        with app.engine.begin() as connection:
            create_tenant(connection, identifier)
    finally:
        app.close()
    return identifier


def task_ids(data_dir: Path) -> set[str]:
    return {task["taskId"] for task in json_lines(ok(geode(data_dir, "massop", "list", "--json")))}


def exported(data_dir: Path, kind: str, tenant: str) -> list[dict[str, Any]]:
    result = ok(geode(data_dir, "export", kind, "--tenant", tenant))
    operations: list[dict[str, Any]] = json.loads(result.stdout)["operations"]
    return operations


@pytest.fixture
def tenant(data_dir: Path) -> str:
    """A fresh tenant in the CLI's store (shadows the conftest fixture on purpose)."""
    return new_tenant(data_dir)


# -- tenants and tokens -----------------------------------------------------------------


def test_tenant_create_then_duplicate_fails_with_a_message(data_dir: Path) -> None:
    identifier = f"t-{uuid.uuid4().hex[:12]}"
    first = ok(geode(data_dir, "tenant", "create", identifier, "--json"))
    created = one_json(first)
    assert created["identifier"] == identifier

    again = geode(data_dir, "tenant", "create", identifier)
    assert again.returncode == EXIT_FAILED
    assert "already exists" in again.stderr
    assert identifier in again.stderr
    assert again.stdout == ""
    assert "Traceback" not in again.stderr

    shown = one_json(ok(geode(data_dir, "tenant", "show", identifier, "--json")))
    assert shown["id"] == created["id"]


def test_an_unreachable_database_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    nothing_listens = "postgresql://postgres@127.0.0.1:1/geode"
    result = geode(tmp_path, "tenant", "list", env_vars={"GEODE_DATABASE_URL": nothing_listens})
    assert result.returncode == EXIT_FAILED
    assert "error: cannot use the database (" in result.stderr
    assert "check GEODE_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_tenant_create_rejects_a_bad_identifier(data_dir: Path) -> None:
    result = geode(data_dir, "tenant", "create", "Not_Valid")
    assert result.returncode == EXIT_FAILED
    assert "lowercase" in result.stderr
    assert "Traceback" not in result.stderr


def test_token_create_json_prints_id_and_a_working_secret(data_dir: Path, tenant: str) -> None:
    token = one_json(ok(geode(data_dir, "token", "create", "--tenant", tenant, "--json")))
    assert set(token) == {"id", "secret", "tenant", "name", "expires_at"}
    assert (token["tenant"], token["name"], token["expires_at"]) == (tenant, None, None)
    app = open_store(data_dir)
    try:
        with app.engine.connect() as connection:
            assert (
                authenticate(connection, token["id"], token["secret"])
                == get_tenant(connection, tenant).id
            )
    finally:
        app.close()


def test_token_create_for_an_unknown_tenant_fails(data_dir: Path) -> None:
    result = geode(data_dir, "token", "create", "--tenant", "no-such-tenant-here", "--json")
    assert result.returncode == EXIT_FAILED
    assert "no tenant" in result.stderr
    assert result.stdout == ""


# -- validate and schema ----------------------------------------------------------------


def test_validate_a_valid_file(data_dir: Path) -> None:
    path = write_ops(data_dir, [*CUSTOMERS, ORDER])
    result = ok(geode(data_dir, "massop", "validate", path))
    assert "valid: 4 operations" in result.stdout

    report = one_json(ok(geode(data_dir, "massop", "validate", path, "--json")))
    assert report["valid"] is True
    assert report["problems"] == []
    assert report["operations"] == 4
    assert report["intents"] == {"customer/upsert": 3, "order/upsert": 1}


def test_validate_an_invalid_file_lists_every_problem_on_stderr(data_dir: Path) -> None:
    path = write_ops(data_dir, INVALID)
    result = geode(data_dir, "massop", "validate", path)
    assert result.returncode == EXIT_FAILED
    assert "2 problems" in result.stderr
    problem_lines = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(problem_lines) == 2, result.stderr
    for (index, path_text), line in zip(sorted(INVALID_PATHS.items()), problem_lines, strict=True):
        assert f"operation {index} " in line
        assert path_text in line
    assert "did you mean 'email'?" in problem_lines[0]


def test_validate_json_gives_structured_problems(data_dir: Path) -> None:
    path = write_ops(data_dir, INVALID)
    result = geode(data_dir, "massop", "validate", path, "--json")
    assert result.returncode == EXIT_FAILED
    report = one_json(result)
    assert report["valid"] is False
    problems = report["problems"]
    assert {p["index"]: p["path"] for p in problems} == INVALID_PATHS
    for problem in problems:
        assert set(problem) >= {"index", "intent", "path", "message", "code"}
        assert problem["intent"] in intent_registry.intents
        assert problem["message"]
    assert {p["code"] for p in problems} == {"unknown_field", "invalid_type"}


def test_validate_reports_dangling_references_and_bad_json(data_dir: Path) -> None:
    dangling = write_ops(
        data_dir, [{"intent": "customer/upsert", "identifier": "{{ nobody.identifier }}"}]
    )
    report = one_json(geode(data_dir, "massop", "validate", dangling, "--json"))
    assert [(p["index"], p["path"], p["code"]) for p in report["problems"]] == [
        (0, "$.operations[0].identifier", "invalid_reference")
    ]

    broken = data_dir / f"broken-{uuid.uuid4().hex[:6]}.json"
    broken.write_text('{"version": "0.0.1", "operations": [{"intent": "customer/upsert",')
    result = geode(data_dir, "massop", "validate", broken, "--json")
    assert result.returncode == EXIT_FAILED
    assert [p["code"] for p in one_json(result)["problems"]] == ["invalid_file"]


def test_dangling_reference_problem_names_the_intent(data_dir: Path) -> None:
    path = write_ops(data_dir, [{"intent": "customer/upsert", "identifier": "{{ nobody.id }}"}])
    (problem,) = one_json(geode(data_dir, "massop", "validate", path, "--json"))["problems"]
    assert problem["intent"] == "customer/upsert"


def test_schema_is_a_json_schema_of_the_file_format(data_dir: Path) -> None:
    result = ok(geode(data_dir, "massop", "schema"))
    schema = json.loads(result.stdout)
    assert isinstance(schema, dict)
    assert "$defs" in schema
    text = json.dumps(schema)
    for intent in intent_registry.intents:
        assert f'"{intent}"' in text
    assert "customer/upsert" in text


# -- run, logs, status, list ------------------------------------------------------------


def test_run_prints_one_json_summary(data_dir: Path, tenant: str) -> None:
    path = write_ops(data_dir, [*CUSTOMERS, ORDER])
    result = ok(geode(data_dir, "massop", "run", path, "--tenant", tenant, "--json"))
    summary = one_json(result)
    assert summary["status"] == "complete"
    assert summary["dryRun"] is False
    assert (summary["total"], summary["processed"]) == (4, 4)
    assert summary["counts"] == {"customer/upsert": {"created": 3}, "order/upsert": {"created": 1}}
    assert isinstance(summary["taskId"], str) and summary["taskId"]

    # The order got Ann through the template, and its money is exact.
    export_text = ok(geode(data_dir, "export", "orders", "--tenant", tenant)).stdout
    (order,) = json.loads(export_text)["operations"]
    assert order["customer"] == {"identifier": "c-ann"}
    assert '"gross":150.10' in export_text  # exact money, written as a JSON number

    again = one_json(ok(geode(data_dir, "massop", "run", path, "--tenant", tenant, "--json")))
    assert again["counts"] == {
        "customer/upsert": {"unchanged": 3},
        "order/upsert": {"unchanged": 1},
    }
    assert again["taskId"] != summary["taskId"]


def test_run_for_an_unknown_tenant_fails_and_creates_no_task(data_dir: Path) -> None:
    before = task_ids(data_dir)
    path = write_ops(data_dir, CUSTOMERS)
    result = geode(data_dir, "massop", "run", path, "--tenant", "no-such-tenant-here", "--json")
    assert result.returncode == EXIT_FAILED
    assert "no tenant" in result.stderr
    assert task_ids(data_dir) == before


def test_failures_exit_3_and_show_in_logs_status_and_list(data_dir: Path, tenant: str) -> None:
    ok(geode(data_dir, "massop", "run", write_ops(data_dir, CUSTOMERS[:1]), "--tenant", tenant))
    path = write_ops(
        data_dir,
        [
            {"intent": "customer/create", "identifier": "c-ann"},  # exists already
            {"intent": "customer/create", "identifier": "c-new"},
        ],
    )
    result = geode(data_dir, "massop", "run", path, "--tenant", tenant, "--json")
    assert result.returncode == EXIT_WITH_ERRORS, result.stderr
    summary = one_json(result)
    assert summary["status"] == "completeWithErrors"
    assert summary["counts"] == {"customer/create": {"failed": 1, "created": 1}}
    task_id = summary["taskId"]

    failures = json_lines(
        ok(geode(data_dir, "massop", "logs", task_id, "--status", "failure", "--json"))
    )
    assert len(failures) == 1
    (failure,) = failures
    assert failure["taskId"] == task_id
    assert failure["key"] == "c-ann"
    assert failure["index"] == 0
    assert failure["status"] == "failure"
    assert failure["errorCode"] == "already_exists"
    assert "c-ann" in failure["message"]

    every = json_lines(ok(geode(data_dir, "massop", "logs", task_id, "--json")))
    assert [(e["index"], e["status"], e["key"]) for e in every] == [
        (0, "failure", "c-ann"),
        (1, "success", "c-new"),
    ]
    assert all(e["taskId"] == task_id for e in every)

    status = one_json(ok(geode(data_dir, "massop", "status", task_id, "--json")))
    assert status["taskId"] == task_id
    assert status["status"] == "completeWithErrors"
    assert (status["total"], status["processed"]) == (2, 2)
    assert status["counts"] == summary["counts"]
    assert status["finishedAt"]

    listed = json_lines(ok(geode(data_dir, "massop", "list", "--json")))
    assert listed, "massop list printed nothing"
    assert all("taskId" in task for task in listed)
    assert task_id in {task["taskId"] for task in listed}


def test_status_of_an_unknown_task_fails(data_dir: Path) -> None:
    result = geode(data_dir, "massop", "status", "0123456789abcdef01234567", "--json")
    assert result.returncode == EXIT_FAILED
    assert result.stdout == ""
    assert "0123456789abcdef01234567" in result.stderr


def test_dry_run_reports_counts_and_writes_nothing(data_dir: Path, tenant: str) -> None:
    before = task_ids(data_dir)
    path = write_ops(data_dir, [*CUSTOMERS, ORDER])
    summary = one_json(
        ok(geode(data_dir, "massop", "run", path, "--tenant", tenant, "--dry-run", "--json"))
    )
    assert summary["dryRun"] is True
    assert summary["taskId"] is None
    assert summary["status"] == "complete"
    assert summary["counts"] == {"customer/upsert": {"created": 3}, "order/upsert": {"created": 1}}

    assert exported(data_dir, "customers", tenant) == []
    assert exported(data_dir, "orders", tenant) == []
    assert task_ids(data_dir) == before
    assert not list((data_dir / "spool").glob("dry-run-*"))

    # A real run afterwards still creates everything: the dry run left no trace.
    real = one_json(ok(geode(data_dir, "massop", "run", path, "--tenant", tenant, "--json")))
    assert real["counts"] == summary["counts"]


def test_dry_run_counts_updates_against_stored_data(data_dir: Path, tenant: str) -> None:
    ok(geode(data_dir, "massop", "run", write_ops(data_dir, CUSTOMERS), "--tenant", tenant))
    changed = [dict(CUSTOMERS[0], firstName="Anna"), *CUSTOMERS[1:]]
    summary = one_json(
        ok(
            geode(
                data_dir,
                "massop",
                "run",
                write_ops(data_dir, changed),
                "--tenant",
                tenant,
                "--dry-run",
                "--json",
            )
        )
    )
    assert summary["counts"] == {"customer/upsert": {"updated": 1, "unchanged": 2}}
    names = {c["identifier"]: c.get("firstName") for c in exported(data_dir, "customers", tenant)}
    assert names["c-ann"] == "Ann"


def test_run_of_an_invalid_file_fails_and_leaves_an_invalid_task(
    data_dir: Path, tenant: str
) -> None:
    before = task_ids(data_dir)
    result = geode(
        data_dir, "massop", "run", write_ops(data_dir, INVALID), "--tenant", tenant, "--json"
    )
    assert result.returncode == EXIT_FAILED
    assert "nothing was written" in result.stderr
    for path_text in INVALID_PATHS.values():
        assert path_text in result.stderr
    [task_id] = set(task_ids(data_dir)) - set(before)
    assert exported(data_dir, "customers", tenant) == []  # not even the valid c-2
    status = one_json(geode(data_dir, "massop", "status", task_id, "--json"))
    assert status["status"] == "invalid" and status["processed"] == 0
    assert {p["path"] for p in status["problems"]} >= set(INVALID_PATHS.values())
    shown = geode(data_dir, "massop", "status", task_id)
    assert shown.returncode == EXIT_OK
    assert f"task {task_id}: invalid" in shown.stdout
    for path_text in INVALID_PATHS.values():
        assert path_text in shown.stdout
    refused = geode(data_dir, "massop", "resume", task_id)
    assert refused.returncode == EXIT_FAILED and "was refused" in refused.stderr


def test_retry_reruns_what_failed_with_the_summary_and_exit_status_of_run(
    data_dir: Path, tenant: str
) -> None:
    flawed = [
        {**CUSTOMERS[0]},
        {"intent": "customer/update", "_ref": "dan", "identifier": "c-dan", "firstName": "Dan"},
        {**ORDER, "customer": {"identifier": "{{ dan.identifier }}"}},
        {"intent": "customer/update", "identifier": "c-eve", "lastName": "{{ ann.email }}"},
    ]
    first = geode(
        data_dir, "massop", "run", write_ops(data_dir, flawed), "--tenant", tenant, "--json"
    )
    assert first.returncode == EXIT_WITH_ERRORS
    first_id = one_json(first)["taskId"]
    busy = geode(data_dir, "massop", "retry", first_id, "--json")
    assert busy.returncode == EXIT_WITH_ERRORS  # nothing fixed yet: the same failures
    assert one_json(busy)["retryOf"] == first_id

    fix = [{"intent": "customer/upsert", "identifier": i} for i in ("c-dan", "c-eve")]
    ok(geode(data_dir, "massop", "run", write_ops(data_dir, fix), "--tenant", tenant))
    retried = geode(data_dir, "massop", "retry", first_id, "--json")
    summary = one_json(retried)
    assert retried.returncode == EXIT_OK, retried.stderr
    assert (summary["status"], summary["total"], summary["retryOf"]) == ("complete", 3, first_id)
    assert summary["counts"] == {
        "customer/update": {"updated": 2},
        "order/upsert": {"created": 1},
    }
    names = {c["identifier"]: c.get("lastName") for c in exported(data_dir, "customers", tenant)}
    assert names["c-eve"] == "ann@example.com"  # from the first task's output of `ann`
    status = geode(data_dir, "massop", "status", summary["taskId"])
    assert f"retry of task {first_id}" in status.stdout

    nothing = ok(geode(data_dir, "massop", "retry", summary["taskId"]))
    assert "nothing to retry" in nothing.stdout
    unknown = geode(data_dir, "massop", "retry", "0" * 24)
    assert unknown.returncode == EXIT_FAILED and "no task" in unknown.stderr


# -- export and re-import ---------------------------------------------------------------


def test_export_then_import_creates_in_a_new_tenant_and_is_unchanged_in_the_same(
    data_dir: Path, tenant: str
) -> None:
    ok(
        geode(
            data_dir, "massop", "run", write_ops(data_dir, [*CUSTOMERS, ORDER]), "--tenant", tenant
        )
    )
    customers_file = data_dir / f"customers-{tenant}.json"
    orders_file = data_dir / f"orders-{tenant}.json"
    result = ok(geode(data_dir, "export", "customers", "--tenant", tenant, "-o", customers_file))
    assert "exported 3 customers" in result.stderr
    ok(geode(data_dir, "export", "orders", "--tenant", tenant, "--output", orders_file))
    ok(geode(data_dir, "massop", "validate", customers_file))

    other = new_tenant(data_dir)
    created = one_json(
        ok(geode(data_dir, "massop", "run", customers_file, "--tenant", other, "--json"))
    )
    assert created["counts"] == {"customer/upsert": {"created": 3}}
    created_orders = one_json(
        ok(geode(data_dir, "massop", "run", orders_file, "--tenant", other, "--json"))
    )
    assert created_orders["counts"] == {"order/upsert": {"created": 1}}
    assert exported(data_dir, "customers", other) == exported(data_dir, "customers", tenant)
    assert exported(data_dir, "orders", other) == exported(data_dir, "orders", tenant)

    same = one_json(
        ok(geode(data_dir, "massop", "run", customers_file, "--tenant", tenant, "--json"))
    )
    assert same["counts"] == {"customer/upsert": {"unchanged": 3}}
    same_orders = one_json(
        ok(geode(data_dir, "massop", "run", orders_file, "--tenant", tenant, "--json"))
    )
    assert same_orders["counts"] == {"order/upsert": {"unchanged": 1}}


def test_an_early_created_at_survives_export_and_rerun(data_dir: Path, tenant: str) -> None:
    early = dict(ORDER, resourceIdentifier="early", createdAt="0500-01-01T00:00:00Z")
    early["customer"] = {"identifier": "c-ann"}
    path = write_ops(data_dir, [early])
    ok(geode(data_dir, "massop", "run", path, "--tenant", tenant, "--json"))
    (order,) = exported(data_dir, "orders", tenant)
    assert order["createdAt"] == "0500-01-01T00:00:00.000000Z"
    again = one_json(ok(geode(data_dir, "massop", "run", path, "--tenant", tenant, "--json")))
    assert again["counts"] == {"order/upsert": {"unchanged": 1}}


# -- massop list across tenants ---------------------------------------------------------


def test_massop_list_shows_each_tasks_tenant_and_filters_by_it(db_url: str, tmp_path: Path) -> None:
    env = {"GEODE_DATABASE_URL": db_url}
    app = create_app(Settings(database_url=db_url, data_dir=tmp_path), migrate=False)
    names = [f"t-{uuid.uuid4().hex[:12]}" for _ in range(2)]
    try:
        with app.engine.begin() as connection:
            for name in names:
                create_tenant(connection, name)
    finally:
        app.close()
    path = write_ops(tmp_path, CUSTOMERS)
    task_of = {
        name: one_json(
            ok(geode(tmp_path, "massop", "run", path, "--tenant", name, "--json", env_vars=env))
        )["taskId"]
        for name in names
    }

    mine = json_lines(
        ok(geode(tmp_path, "massop", "list", "--tenant", names[0], "--json", env_vars=env))
    )
    assert [(t["taskId"], t["tenant"]) for t in mine] == [(task_of[names[0]], names[0])]

    table = ok(geode(tmp_path, "massop", "list", "--limit", "10000", env_vars=env)).stdout
    header, *rows = table.splitlines()
    assert header.split()[:3] == ["task", "tenant", "status"]
    listed = {row.split()[0]: row.split()[1] for row in rows}
    assert {listed[task_of[name]] for name in names} == set(names)

    unknown = geode(tmp_path, "massop", "list", "--tenant", "t-nobody", env_vars=env)
    assert unknown.returncode == EXIT_FAILED
    assert "no tenant 't-nobody'" in unknown.stderr


def test_export_replaces_an_older_export_and_leaves_no_partial_file(
    data_dir: Path, tenant: str
) -> None:
    ok(geode(data_dir, "massop", "run", write_ops(data_dir, CUSTOMERS), "--tenant", tenant))
    target = data_dir / f"export-{tenant}" / "customers.json"
    target.parent.mkdir()
    target.write_text("an older export")
    ok(geode(data_dir, "export", "customers", "--tenant", tenant, "-o", target))
    assert len(json.loads(target.read_text())["operations"]) == 3
    assert [p.name for p in target.parent.iterdir()] == ["customers.json"]
