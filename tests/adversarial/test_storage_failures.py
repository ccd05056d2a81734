"""A row the database refuses fails alone: in a mass-operation task and in a batch job.

Up-front limits keep known-bad values out, so these tests make the database
itself refuse a row that passes validation: a trigger, installed for the test
on SQLite and PostgreSQL alike, refuses rows holding one marked value. What a
user relies on: the culprit fails alone, in words and with an error id that
the server log has next to the database's own text; every other operation or
object is applied once; the task ends `completeWithErrors` and the job
`completed`; and a task or job that stops on an unexpected error says why
(with an error id, never the database's text) and, for a task, resumes to the
end once the cause is gone.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from geode.app import App
from geode.settings import Settings
from geode.tenants.service import TenantInfo
from tests.api.rest.conftest import serve, wait_for
from tests.conftest import Store
from tests.massops.operations import customer, order

REFUSED = "REFUSE-ME"
DB_TEXT = "refused by the test trigger"
ERROR_ID = re.compile(r"error id ([0-9a-f]{10})")
# 20,000 characters that do not compress: too big for a PostgreSQL index entry.
LONG = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(625))[:20_000]


@contextmanager
def refusing(engine: sa.Engine, table: str, column: str, value: str) -> Iterator[None]:
    """While open, the database refuses to insert or update a `table` row whose
    `column` holds `value`: a real refusal by the database, on both."""
    name = f"geode_test_refuse_{table}"
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            for event in ("insert", "update"):
                connection.exec_driver_sql(
                    f"CREATE TRIGGER {name}_{event} BEFORE {event.upper()} ON {table} "
                    f"WHEN NEW.{column} = '{value}' "
                    f"BEGIN SELECT RAISE(ABORT, '{DB_TEXT}'); END"
                )
        else:
            connection.exec_driver_sql(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.{column} = '{value}' THEN RAISE EXCEPTION '{DB_TEXT}'; END IF; "
                "RETURN NEW; END $$"
            )
            connection.exec_driver_sql(
                f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
    try:
        yield
    finally:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                for event in ("insert", "update"):
                    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}_{event}")
            else:
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")


@contextmanager
def broken(engine: sa.Engine, table: str) -> Iterator[None]:
    """While open, writing `table` fails in a way that is no row's fault (the
    kind of failure a refused row must not be mistaken for): on SQLite a
    trigger reading a table that does not exist, on PostgreSQL an internal error."""
    name = f"geode_test_broken_{table}"
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql(
                f"CREATE TRIGGER {name} BEFORE INSERT ON {table} "
                "BEGIN SELECT * FROM geode_test_no_such_table; END"
            )
        else:
            connection.exec_driver_sql(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"RAISE EXCEPTION '{DB_TEXT}' USING ERRCODE = 'XX000'; END $$"
            )
            connection.exec_driver_sql(
                f"CREATE TRIGGER {name} BEFORE INSERT ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                f"DROP TRIGGER IF EXISTS {name}"
                + ("" if engine.dialect.name == "sqlite" else f" ON {table}")
            )
            if engine.dialect.name != "sqlite":
                connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")


def logged_error_ids(caplog: pytest.LogCaptureFixture) -> dict[str, str]:
    """Error id -> the server log's record of it (message and traceback)."""
    found: dict[str, str] = {}
    for record in caplog.records:
        if record.levelno >= logging.ERROR:
            text = record.getMessage()
            for error_id in ERROR_ID.findall(text):
                found[error_id] = text
    return found


def error_id_in(message: str) -> str:
    match = ERROR_ID.search(message)
    assert match, message
    return match.group(1)


def rows(app: App, sql: str, **params: Any) -> list[Any]:
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text(sql), params)]


# -- mass operations ---------------------------------------------------------------


@pytest.fixture
def db_url(store: Store) -> str:
    return store.url


@pytest.fixture
def settings(store: Store, tmp_path: Path) -> Settings:
    """Batches of three, several to a transaction: the refused batch has committed
    batches before it and prepared ones (with pending rows) after it."""
    return Settings(
        database_url=store.url,
        data_dir=tmp_path / "data",
        batch_size=3,
        commit_every=9,
        sqlite_writer_process_min_ops=store.writer_process_min_ops,
    )


def task_file(ops_file: Any) -> Path:
    path: Path = ops_file(
        [
            customer("c0"),
            customer("c1"),
            customer("c2"),
            customer("c3"),
            customer("c4"),
            customer("bad", firstName=REFUSED, _ref="bad"),  # 5: refused by the database
            customer("c6"),
            {"intent": "customer/update", "identifier": "bad", "lastName": "Later"},  # 7
            customer("c8"),
            order("{{ bad.identifier }}", id="b" * 24),  # 9: reads the refused one's output
            customer("c10"),
            customer("c11"),
            customer("c12"),
            customer("c13"),
        ]
    )
    return path


def test_a_refused_operation_fails_alone_and_the_task_completes(
    app: App, tenant: TenantInfo, ops_file: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    with refusing(app.engine, "customers", "first_name", REFUSED):
        task = app.massops.run(app.massops.submit(tenant.id, task_file(ops_file)).id)

    assert (task.status, task.processed, task.error_message) == ("completeWithErrors", 14, None)
    assert task.counts == {
        "customer/upsert": {"created": 11, "failed": 1},
        "customer/update": {"failed": 1},
        "order/upsert": {"skipped": 1},
    }
    logs = list(app.massops.logs(task.id))
    assert [entry["idx"] for entry in logs] == list(range(14))  # each logged once
    failures = {entry["idx"]: entry for entry in logs if entry["status"] != "success"}
    assert sorted(failures) == [5, 7, 9]
    refused = failures[5]
    assert (refused["status"], refused["error_code"], refused["key"]) == (
        "failure",
        "storage_error",
        "bad",
    )
    assert refused["message"].startswith("operation 5 was not applied: the database refused")
    assert DB_TEXT not in refused["message"]
    logged = logged_error_ids(caplog)
    assert DB_TEXT in logged[error_id_in(refused["message"])]
    # The later operations saw the store without the refused one's effects.
    assert failures[7]["status"] == "failure" and failures[7]["error_code"] != "storage_error"
    assert failures[9]["status"] == "skipped"
    stored = rows(
        app,
        "select identifier from customers where tenant_id = :t order by identifier",
        t=tenant.id,
    )
    assert [identifier for (identifier,) in stored] == sorted(
        f"c{i}" for i in (0, 1, 2, 3, 4, 6, 8, 10, 11, 12, 13)
    )
    assert rows(app, "select count(*) from orders where tenant_id = :t", t=tenant.id) == [(0,)]


def test_a_chunked_task_fails_the_refused_operation_alone(
    app: App, tenant: TenantInfo, ops_file: Any, store: Store
) -> None:
    """PostgreSQL splits a task into chunks that workers run apart (run here in turn)."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL runs tasks in chunks")
    app.massops.chunk_size = 4
    task = app.massops.submit(tenant.id, task_file(ops_file), by_worker=True)
    assert task.chunked
    with refusing(app.engine, "customers", "first_name", REFUSED):
        done = app.massops.run(task.id)
    assert (done.status, done.processed) == ("completeWithErrors", 14)
    assert done.counts == {
        "customer/upsert": {"created": 11, "failed": 1},
        "customer/update": {"failed": 1},
        "order/upsert": {"skipped": 1},
    }
    failures = {e["idx"]: e["error_code"] for e in app.massops.logs(task.id) if e["error_code"]}
    assert failures[5] == "storage_error" and set(failures) == {5, 7, 9}


def test_a_dry_run_reports_the_refused_operation_and_writes_nothing(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    with refusing(app.engine, "customers", "first_name", REFUSED):
        report = app.massops.dry_run(tenant.id, task_file(ops_file))
    assert (report.status, report.processed) == ("completeWithErrors", 14)
    assert report.counts["customer/upsert"] == {"created": 11, "failed": 1}
    assert rows(app, "select count(*) from customers where tenant_id = :t", t=tenant.id) == [(0,)]


def test_the_same_file_again_applies_only_what_was_refused(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = task_file(ops_file)
    with refusing(app.engine, "customers", "first_name", REFUSED):
        app.massops.run(app.massops.submit(tenant.id, path).id)
    again = app.massops.run(app.massops.submit(tenant.id, path).id)
    assert again.status == "complete"
    assert again.counts == {
        "customer/upsert": {"unchanged": 11, "created": 1},
        "customer/update": {"updated": 1},
        "order/upsert": {"created": 1},
    }


def test_a_task_that_failed_on_a_refused_row_resumes_to_the_end(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    """The state a refused row left before this fix: the task `failed` at the
    checkpoint before the refused batch, with the driver's text as its error."""
    task = app.massops.submit(tenant.id, task_file(ops_file))
    with app.engine.begin() as connection:
        connection.execute(
            sa.text(
                "update massop_tasks set status = 'failed', "
                "error_message = 'DataError: value too long' where id = :i"
            ),
            {"i": task.id},
        )
    with refusing(app.engine, "customers", "first_name", REFUSED):
        reopened = app.massops.reopen(task.id, by_worker=False)
        done = app.massops.run(reopened.id)
    assert (done.status, done.processed, done.error_message) == ("completeWithErrors", 14, None)
    assert done.counts["customer/upsert"] == {"created": 11, "failed": 1}


def test_an_unexpected_failure_says_why_with_an_error_id_and_resume_finishes(
    app: App, tenant: TenantInfo, ops_file: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    path = ops_file([customer(f"c{i}") for i in range(7)])
    task = app.massops.submit(tenant.id, path)
    with broken(app.engine, "customers"), pytest.raises(Exception):  # noqa: B017
        app.massops.run(task.id)
    failed = app.massops.get(task.id)
    assert failed.status == "failed" and failed.error_message is not None
    assert failed.error_message.startswith("the run stopped on an unexpected error")
    assert f"geode massop resume {task.id}" in failed.error_message
    for raw in (DB_TEXT, "no_such_table", "Error:", "INSERT"):
        assert raw not in failed.error_message
    assert error_id_in(failed.error_message) in logged_error_ids(caplog)

    done = app.massops.run(app.massops.reopen(task.id, by_worker=False).id)
    assert (done.status, done.processed) == ("complete", 7)
    assert done.counts == {"customer/upsert": {"created": 7}}
    assert [entry["idx"] for entry in app.massops.logs(task.id)] == list(range(7))


# -- batch jobs ----------------------------------------------------------------------


@pytest.fixture
def jobs_app(app: App, store: Store) -> App:
    if store.writer_process:
        pytest.skip("batch jobs never write from SQLite's writer process")
    app.batches.enqueue = lambda _job_id: None  # the test runs the job itself
    app.batches.runner.slice_size = 4
    return app


def test_a_refused_batch_object_fails_alone_and_the_job_completes(
    jobs_app: App, tenant: TenantInfo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    app = jobs_app
    body = [{"customerId": f"k{i}", "name": f"Name {i}"} for i in range(6)]
    body.insert(2, {"customerId": "n1", "name": REFUSED})
    job_id = app.batches.submit(tenant.id, "customers", body)
    with refusing(app.engine, "customers", "first_name", REFUSED):
        job = app.batches.run(job_id)
    assert job.status == "completed"
    status = app.batches.status(tenant.id, job_id)
    assert (status["totalCount"], status["finishedCount"], status["errorCount"]) == (7, 6, 1)
    assert "error" not in status  # only a failed job has one
    (refused,) = status["response"]["failed"]
    assert refused["customerId"] == "n1"
    assert refused["error"].startswith("body[2] was not applied: the database refused")
    assert DB_TEXT not in refused["error"]
    assert DB_TEXT in logged_error_ids(caplog)[error_id_in(refused["error"])]
    assert [item["customerId"] for item in status["response"]["successful"]] == [
        f"k{i}" for i in range(6)
    ]
    stored = rows(
        app,
        "select identifier from customers where tenant_id = :t order by identifier",
        t=tenant.id,
    )
    assert stored == [(f"k{i}",) for i in range(6)]


def test_a_refused_cashback_fails_alone_and_its_points_are_not_credited(
    jobs_app: App, tenant: TenantInfo
) -> None:
    app = jobs_app
    when = "2024-05-01T12:30:00Z"
    customers = app.batches.submit(tenant.id, "customers", [{"customerId": "c1"}])
    assert app.batches.run(customers).status == "completed"
    body = [
        {"customerId": "c1", "transactionId": txn, "transactionTime": when, "amount": 10}
        for txn in ("t1", REFUSED, "t3")
    ]
    job_id = app.batches.submit(tenant.id, "cashback", body)
    with refusing(app.engine, "loyalty_entries", "transaction_id", REFUSED):
        assert app.batches.run(job_id).status == "completed"
    status = app.batches.status(tenant.id, job_id)
    assert [i["transactionId"] for i in status["response"]["successful"]] == ["t1", "t3"]
    (refused,) = status["response"]["failed"]
    assert refused["transactionId"] == REFUSED and "error id" in refused["error"]
    entries = rows(
        app,
        "select transaction_id, balance_after from loyalty_entries where tenant_id = :t "
        "order by balance_after",
        t=tenant.id,
    )
    assert [txn for txn, _ in entries] == ["t1", "t3"]
    ((balance,),) = rows(
        app, "select points_balance from loyalty_accounts where tenant_id = :t", t=tenant.id
    )
    assert balance == entries[-1][1]  # the refused entry's points are not in the balance


def test_a_job_that_fails_unexpectedly_says_why_with_an_error_id(
    jobs_app: App, tenant: TenantInfo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    app = jobs_app
    job_id = app.batches.submit(tenant.id, "customers", [{"customerId": "a", "name": "A"}])
    with broken(app.engine, "customers"):
        job = app.batches.run(job_id)
    assert job.status == "failed"
    status = app.batches.status(tenant.id, job_id)
    assert status["status"] == "failed"
    assert status["error"].startswith("the job stopped on an unexpected error after 0 of 1")
    for raw in (DB_TEXT, "no_such_table", "Error:", "INSERT"):
        assert raw not in status["error"]
    assert error_id_in(status["error"]) in logged_error_ids(caplog)


# -- over HTTP -----------------------------------------------------------------------


def test_over_http_a_failed_job_says_why_and_a_bug_answers_json_with_an_error_id(
    jobs_app: App, tenant: TenantInfo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    for live in serve(jobs_app):
        with live.client(tenant) as client, broken(jobs_app.engine, "customers"):
            submitted = client.post(
                "/api/v4.0/integrations/batch/customers", json={"body": [{"customerId": "a"}]}
            )
            assert submitted.status_code == 202, submitted.text
            job_id = submitted.json()["jobId"]
            jobs_app.batches.run(job_id)
            status = wait_for(client, f"/api/v4.0/integrations/batch/{job_id}", "failed")
        assert status["error"].startswith("the job stopped on an unexpected error")
        assert error_id_in(status["error"]) in logged_error_ids(caplog)

        with live.client(tenant) as client, broken(jobs_app.engine, "loyalty_programs"):
            response = client.put(
                "/api/v4.0/integrations/loyalty/program",
                json={"earnRate": 2, "pointValue": 0.05, "currency": "NOK"},
            )
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["code"] == "internal_error"
        assert body["error"] == (
            f"the server failed on an unexpected error (error id {body['detail']['errorId']}); "
            "quote the error id to the operators"
        )
        assert DB_TEXT not in response.text and "no_such_table" not in response.text
        assert body["detail"]["errorId"] in logged_error_ids(caplog)


# -- the reproductions: refused up front or by the store, never fatal ---------


def test_a_nul_in_a_name_fails_that_object_alone(jobs_app: App, tenant: TenantInfo) -> None:
    """Before up-front limits, PostgreSQL refused the NUL when writing and the whole
    job failed with totalCount 0, losing the valid object."""
    app = jobs_app
    body = [{"customerId": "okk", "name": "Fine"}, {"customerId": "n1", "name": "A\u0000B"}]
    job_id = app.batches.submit(tenant.id, "customers", body)
    assert app.batches.run(job_id).status == "completed"
    status = app.batches.status(tenant.id, job_id)
    assert status["totalCount"] == 2
    assert status["response"]["successful"][0]["customerId"] == "okk"
    assert ("okk",) in rows(
        app, "select identifier from customers where tenant_id = :t", t=tenant.id
    )
    # Refused (up front, or by PostgreSQL) or stored as it is (SQLite, without limits):
    for refused in status["response"]["failed"]:
        assert refused["customerId"] == "n1" and refused["error"].startswith("body[1]")


def test_a_huge_transaction_id_fails_that_cashback_alone(jobs_app: App, tenant: TenantInfo) -> None:
    app = jobs_app
    assert app.batches.run(app.batches.submit(tenant.id, "customers", [{"customerId": "c1"}]))
    when = "2024-05-01T12:30:00Z"
    body = [
        {"customerId": "c1", "transactionId": txn, "transactionTime": when, "amount": 10}
        for txn in ("t1", LONG, "t3")
    ]
    job_id = app.batches.submit(tenant.id, "cashback", body)
    assert app.batches.run(job_id).status == "completed"
    status = app.batches.status(tenant.id, job_id)
    successful = [i["transactionId"] for i in status["response"]["successful"]]
    assert successful in (["t1", "t3"], ["t1", LONG, "t3"])
    for refused in status["response"]["failed"]:  # up front, or by PostgreSQL's index
        assert refused["error"].startswith("body[1]")


@pytest.mark.parametrize(
    "culprit",
    [
        customer(LONG),
        {**order("c0", id="b" * 24), "total": {"gross": 1, "currency": "ABCDEFGHIJ"}},
        customer("a\u0000b"),
    ],
    ids=["identifier-of-20000-characters", "currency-of-ten-characters", "nul-in-identifier"],
)
def test_a_value_the_store_cannot_hold_never_fails_the_task(
    app: App, tenant: TenantInfo, ops_file: Any, culprit: dict[str, Any]
) -> None:
    """Either validation refuses the file up front, naming the field, or the
    operation fails alone in the store; the task never fails for it."""
    from geode.errors import InvalidFileError

    path = ops_file([customer("c0"), customer("c1"), culprit, customer("c3")])
    try:
        task = app.massops.submit(tenant.id, path)
    except InvalidFileError as refused:
        assert refused.detail and refused.detail[0]["index"] == 2
        return
    done = app.massops.run(task.id)
    assert (done.status, done.processed) in {("completeWithErrors", 4), ("complete", 4)}
    logs = list(app.massops.logs(task.id))
    assert [logs[i]["status"] for i in (0, 1, 3)] == ["success"] * 3
    for refused in (e for e in logs if e["status"] == "failure"):  # by PostgreSQL
        assert (refused["idx"], refused["error_code"]) == (2, "storage_error")
        assert len(refused["key"] or "") <= 200
