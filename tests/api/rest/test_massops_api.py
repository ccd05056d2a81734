"""Mass operations over HTTP against a live server, on SQLite and PostgreSQL:
upload, the worker's run, status, logs, cancel and resume, tenancy and errors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import sqlalchemy as sa

from geode.app import create_app
from geode.customers.export import customer_operations
from geode.ids import new_id
from geode.massops.models import Task
from geode.massops.runner import TaskCancelled
from geode.massops.views import log_view, task_view
from geode.orders.export import order_operations
from geode.settings import Settings
from geode.tenants.service import TenantInfo, create_tenant
from tests.api.rest.conftest import LiveServer, serve, wait_for
from tests.massops.operations import customer
from tests.massops.operations import order as plain_order

PATH = "/api/massops/tasks"
MISSING = "0" * 24
_tasks: sa.Table = Task.__table__  # type: ignore[assignment]


def order(customer_identifier: str, **fields: Any) -> dict[str, Any]:
    return plain_order(customer_identifier, **{"createdAt": "2024-05-01T12:00:00Z", **fields})


def document(operations: list[dict[str, Any]]) -> bytes:
    return json.dumps({"version": "0.0.1", "operations": operations}).encode()


def with_errors() -> list[dict[str, Any]]:
    """Eight operations: five created, one failure, one skipped because of it, one unchanged."""
    return [
        *(customer(f"c{i}", _ref=f"c{i}") for i in range(5)),
        {"intent": "customer/update", "identifier": "missing", "_ref": "m"},
        customer("{{ m.identifier }}"),
        customer("{{ c0.identifier }}"),
    ]


def linked(count: int) -> list[dict[str, Any]]:
    """Customers, then their orders, each reaching its customer through `{{ ref.field }}`."""
    customers = [customer(f"c{i}", _ref=f"c{i}", firstName=f"N{i}") for i in range(count)]
    orders = [order(f"{{{{ c{i}.identifier }}}}", resourceIdentifier=f"o{i}") for i in range(count)]
    return customers + orders


def task_count(server: LiveServer, tenant: TenantInfo) -> int:
    with server.app.engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(_tasks)
        return int(connection.execute(query.where(_tasks.c.tenant_id == tenant.id)).scalar_one())


def files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file()) if directory.exists() else []


def uploads(server: LiveServer) -> list[Path]:
    return files(server.app.settings.data_dir / "uploads")


def store(server: LiveServer, tenant: TenantInfo) -> dict[str, Any]:
    """Everything the tenant holds, as exported (ids that differ per tenant left out)."""
    with server.app.engine.connect() as connection:
        customers = [msgspec.to_builtins(op) for op in customer_operations(connection, tenant.id)]
        orders = [msgspec.to_builtins(op) for op in order_operations(connection, tenant.id)]
    for item in orders:
        item.pop("id")
    orders.sort(key=lambda item: str(item["resourceIdentifier"]))
    return {"customers": customers, "orders": orders}


def all_logs(client: httpx.Client, task_id: str) -> list[dict[str, Any]]:
    body = client.get(f"{PATH}/{task_id}/logs", params={"limit": 1000}).json()
    assert body["next"] is None
    return body["logs"]  # type: ignore[no-any-return]


def other_tenant(server: LiveServer, tenant: TenantInfo) -> TenantInfo:
    with server.app.engine.begin() as connection:
        return create_tenant(connection, f"other-{tenant.identifier}")


def stored_task(server: LiveServer, tenant: TenantInfo, tmp_path: Path, ops: list[Any]) -> str:
    """A `pending` worker task no worker has been told about yet: what an upload
    stores just before it queues the task, so a test decides what happens next.
    (The server's worker is Procrastinate on PostgreSQL: there is no thread to hold.)"""
    path = tmp_path / f"ops-{len(list(tmp_path.iterdir()))}.json"
    path.write_bytes(document(ops))
    task = server.app.massops.submit(tenant.id, path, source_name="upload", by_worker=True)
    return task.id


def test_upload_is_run_by_the_worker_to_complete(server: LiveServer, tenant: TenantInfo) -> None:
    with server.client(tenant) as client:
        response = client.post(PATH, params={"name": "spring.json"}, content=document(linked(3)))
        assert response.status_code == 202
        queued = response.json()
        assert queued["status"] in ("pending", "running", "complete")
        assert (queued["total"], queued["source"], queued["tenantId"]) == (
            6,
            "spring.json",
            tenant.id,
        )
        task_id = queued["taskId"]
        done = wait_for(client, f"{PATH}/{task_id}", "complete")
        listed = client.get(PATH, params={"limit": 1}).json()["tasks"]
    assert done["counts"] == {"customer/upsert": {"created": 3}, "order/upsert": {"created": 3}}
    assert (done["processed"], done["progress"], done["error"]) == (6, 1.0, None)
    assert done["startedAt"] and done["finishedAt"]
    assert listed == [done]
    # The same object `geode massop status TASK --json` prints, plus two fields.
    cli = task_view(server.app.massops.get(task_id))
    assert {k: v for k, v in done.items() if k not in ("progress", "cancelRequested")} == cli
    assert uploads(server) == []
    assert files(server.app.settings.spool_dir) == []  # a finished task drops its spool
    assert len(store(server, tenant)["orders"]) == 3


def test_list_is_newest_first_and_only_this_tenants(server: LiveServer, tenant: TenantInfo) -> None:
    other = other_tenant(server, tenant)
    with server.client(tenant) as mine, server.client(other) as theirs:
        first = mine.post(PATH, content=document([customer("a")])).json()["taskId"]
        second = mine.post(PATH, content=document([customer("b")])).json()["taskId"]
        theirs.post(PATH, content=document([customer("z")]))
        assert [t["taskId"] for t in mine.get(PATH).json()["tasks"]] == [second, first]
        assert [t["taskId"] for t in mine.get(PATH, params={"limit": 1}).json()["tasks"]] == [
            second
        ]
        assert first not in {t["taskId"] for t in theirs.get(PATH).json()["tasks"]}
        for limit in (0, 1001, "x"):
            response = mine.get(PATH, params={"limit": limit})
            assert response.status_code == 422
            assert response.json()["code"] == "invalid_input"


def test_counts_and_logs_paged_by_status_with_a_cursor(
    server: LiveServer, tenant: TenantInfo
) -> None:
    with server.client(tenant) as client:
        task_id = client.post(PATH, content=document(with_errors())).json()["taskId"]
        done = wait_for(client, f"{PATH}/{task_id}", "completeWithErrors")
        assert done["counts"] == {
            "customer/upsert": {"created": 5, "skipped": 1, "unchanged": 1},
            "customer/update": {"failed": 1},
        }

        pages, after = [], -1
        while True:
            page = client.get(f"{PATH}/{task_id}/logs", params={"after": after, "limit": 3})
            assert page.status_code == 200
            pages.append([entry["index"] for entry in page.json()["logs"]])
            after = page.json()["next"]
            if after is None:
                break
        assert pages == [[0, 1, 2], [3, 4, 5], [6, 7]]
        # A last page that is exactly full says so: no empty page to fetch.
        exact = client.get(f"{PATH}/{task_id}/logs", params={"after": 3, "limit": 4}).json()
        assert ([e["index"] for e in exact["logs"]], exact["next"]) == ([4, 5, 6, 7], None)
        assert client.get(f"{PATH}/{task_id}/logs", params={"after": 7}).json() == {
            "logs": [],
            "next": None,
        }

        failures = client.get(f"{PATH}/{task_id}/logs", params={"status": "failure"}).json()
        skipped = client.get(f"{PATH}/{task_id}/logs", params={"status": "skipped"}).json()
        successes = client.get(
            f"{PATH}/{task_id}/logs", params={"status": "success", "limit": 2, "after": 1}
        ).json()
        everything = all_logs(client, task_id)

    ((failure,),) = (failures["logs"],)
    assert (failure["index"], failure["intent"], failure["_ref"]) == (5, "customer/update", "m")
    assert (failure["status"], failure["outcome"], failure["key"]) == ("failure", None, "missing")
    assert failure["errorCode"] and failure["message"]
    ((skip,),) = (skipped["logs"],)
    assert (skip["index"], skip["status"], skip["outcome"]) == (6, "skipped", None)
    assert "operation 5" in skip["message"]
    assert [e["index"] for e in successes["logs"]] == [2, 3]
    assert successes["next"] == 3
    assert everything[0]["output"]["identifier"] == "c0"
    assert everything[7]["outcome"] == "unchanged"
    # Each entry is the line `geode massop logs TASK --json` prints.
    rows = list(server.app.massops.logs(task_id))
    assert everything == [json.loads(json.dumps(log_view(row))) for row in rows]


def test_invalid_file_is_422_with_every_problem_and_leaves_an_invalid_task(
    server: LiveServer, tenant: TenantInfo
) -> None:
    bad = document(
        [
            customer("ok"),
            {"intent": "customer/explode", "identifier": "x"},
            customer("y", email="not-an-email"),
            customer("{{ later.identifier }}"),
        ]
    )
    before = task_count(server, tenant)
    with server.client(tenant) as client:
        response = client.post(PATH, content=bad)
        assert response.status_code == 422
        body = response.json()
        assert set(body) == {"error", "code", "detail"}
        assert body["code"] == "invalid_file"
        assert "nothing was written" in body["error"]
        assert [p["index"] for p in body["detail"]] == [1, 2, 3]
        for problem in body["detail"]:
            assert set(problem) == {"index", "intent", "path", "code", "message"}
        assert body["detail"][2]["intent"] == "customer/upsert"
        assert body["detail"][1]["path"].startswith("$.operations[2]")

        for junk in (b"", b"{not json", b"\xff\xfe\x00", b"[1, 2]", document([])):
            refused = client.post(PATH, content=junk)
            assert refused.status_code == 422, junk
            assert refused.json()["code"] == "invalid_file"
            assert refused.json()["detail"]

        deep = b'{"version": "0.0.1", "operations": [' + b"[" * 5000 + b"]" * 5000 + b"]}"
        refused = client.post(PATH, content=deep)
        assert refused.status_code == 422
        [problem] = refused.json()["detail"]
        assert problem["code"] == "too_deep"
        assert problem["path"] == "$.operations[0]" + "[0]" * 30  # level 33
        # Each refused file left a task, `invalid`, holding what the 422 said.
        tasks = client.get(PATH).json()["tasks"]
        assert len(tasks) == task_count(server, tenant) == before + 7
        refused_first = tasks[-1]
        assert {t["status"] for t in tasks[:7]} == {"invalid"}
        assert refused_first["problems"] == body["detail"]
        assert refused_first["error"] == body["error"] and refused_first["total"] == 0
        assert client.get(f"{PATH}/{refused_first['taskId']}").json() == refused_first
        resumed = client.post(f"{PATH}/{refused_first['taskId']}/resume")
        assert resumed.status_code == 409 and "was refused" in resumed.json()["error"]
    assert uploads(server) == []
    assert files(server.app.settings.spool_dir) == []


def test_dry_run_answers_the_counts_and_stores_nothing(
    server: LiveServer, tenant: TenantInfo
) -> None:
    with server.client(tenant) as client:
        response = client.post(PATH, params={"dryRun": "true"}, content=document(with_errors()))
        invalid = client.post(PATH, params={"dryRun": "true"}, content=document([]))
    assert response.status_code == 200
    summary = response.json()
    assert summary["taskId"] is None and summary["dryRun"] is True
    assert (summary["status"], summary["total"], summary["processed"]) == (
        "completeWithErrors",
        8,
        8,
    )
    assert summary["counts"]["customer/update"] == {"failed": 1}
    assert summary["order"] is None  # customers and orders keep the file's order
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_file"
    assert task_count(server, tenant) == 0
    assert store(server, tenant) == {"customers": [], "orders": []}
    assert uploads(server) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Crystallize-Access-Token-Id": "x"},
        {"X-Crystallize-Access-Token-Id": "x", "X-Crystallize-Access-Token-Secret": "y"},
    ],
)
def test_missing_or_wrong_token_is_401_everywhere(
    server: LiveServer, tenant: TenantInfo, headers: dict[str, str]
) -> None:
    with server.client(tenant) as mine:
        task_id = mine.post(PATH, content=document([customer("a")])).json()["taskId"]
        wait_for(mine, f"{PATH}/{task_id}", "complete")
    before = task_count(server, tenant)
    with server.client(None, **headers) as client:
        responses = [
            client.post(PATH, content=document([customer("b")])),
            client.get(PATH),
            client.get(f"{PATH}/{task_id}"),
            client.get(f"{PATH}/{task_id}/logs"),
            client.post(f"{PATH}/{task_id}/cancel"),
            client.post(f"{PATH}/{task_id}/resume"),
        ]
    for response in responses:
        assert response.status_code == 401, response.request.url
        assert response.json()["code"] == "unauthenticated"
        assert set(response.json()) == {"error", "code", "detail"}
    assert task_count(server, tenant) == before
    assert uploads(server) == []


def test_another_tenants_task_is_404_like_a_missing_one(
    server: LiveServer, tenant: TenantInfo
) -> None:
    other = other_tenant(server, tenant)
    with server.client(tenant) as mine, server.client(other) as theirs:
        task_id = mine.post(PATH, content=document(with_errors())).json()["taskId"]
        wait_for(mine, f"{PATH}/{task_id}", "completeWithErrors")
        for task, expected in ((task_id, task_id), (MISSING, MISSING)):
            for response in (
                theirs.get(f"{PATH}/{task}"),
                theirs.get(f"{PATH}/{task}/logs"),
                theirs.get(f"{PATH}/{task}/logs", params={"status": "failure"}),
                theirs.post(f"{PATH}/{task}/cancel"),
                theirs.post(f"{PATH}/{task}/resume"),
            ):
                assert response.status_code == 404, response.request.url
                assert response.json() == {
                    "error": f"no task with id '{expected}'",
                    "code": "not_found",
                    "detail": None,
                }
        mine_now = mine.get(f"{PATH}/{task_id}").json()
        assert (mine_now["status"], mine_now["cancelRequested"]) == ("completeWithErrors", False)
        assert len(all_logs(mine, task_id)) == 8


def test_malformed_ids_and_parameters_are_422(server: LiveServer, tenant: TenantInfo) -> None:
    with server.client(tenant) as client:
        task_id = client.post(PATH, content=document([customer("a")])).json()["taskId"]
        for bad in ("x", "A" * 24, "0" * 23, "0" * 25, "%20" + "0" * 24):
            for response in (
                client.get(f"{PATH}/{bad}"),
                client.get(f"{PATH}/{bad}/logs"),
                client.post(f"{PATH}/{bad}/cancel"),
                client.post(f"{PATH}/{bad}/resume"),
            ):
                assert response.status_code == 422, response.request.url
                assert response.json()["code"] == "invalid_input"
        for params in (
            {"status": "failed"},
            {"limit": 0},
            {"limit": 1001},
            {"after": -2},
            {"after": 2**31},
        ):
            response = client.get(f"{PATH}/{task_id}/logs", params=params)
            assert response.status_code == 422, params
            assert response.json()["code"] == "invalid_input"
        for name in ("", "a\x00b", "x" * 256):
            response = client.post(PATH, params={"name": name}, content=document([customer("a")]))
            assert response.status_code == 422, name
    assert uploads(server) == []


def test_cancel_a_queued_task_it_never_runs_until_resumed(
    server: LiveServer, tenant: TenantInfo, tmp_path: Path
) -> None:
    task_id = stored_task(server, tenant, tmp_path, linked(5))
    with server.client(tenant) as client:
        assert client.get(f"{PATH}/{task_id}").json()["status"] == "pending"
        response = client.post(f"{PATH}/{task_id}/cancel")
        assert response.status_code == 202
        cancelled = response.json()
        assert (cancelled["status"], cancelled["processed"]) == ("cancelled", 0)
        assert cancelled["finishedAt"] is not None

        # The job the upload queued reaches the worker after the cancel: the task
        # stays cancelled. (Jobs run in order, one at a time: once a later upload
        # is complete, the worker has been through the cancelled one.)
        server.app.dispatcher.enqueue_massop_task(task_id)
        later = client.post(PATH, content=document([customer("later")])).json()["taskId"]
        wait_for(client, f"{PATH}/{later}", "complete")
        still = client.get(f"{PATH}/{task_id}").json()
        assert still == cancelled
        assert all_logs(client, task_id) == []

        resumed = client.post(f"{PATH}/{task_id}/resume")
        assert resumed.status_code == 202
        assert resumed.json()["status"] in ("pending", "running", "complete")
        assert resumed.json()["cancelRequested"] is False
        done = wait_for(client, f"{PATH}/{task_id}", "complete")
        assert done["counts"] == {"customer/upsert": {"created": 5}, "order/upsert": {"created": 5}}
        assert done["finishedAt"] is not None
        assert len(all_logs(client, task_id)) == 10


def test_cancelled_mid_run_resumes_to_the_same_store_as_an_uninterrupted_run(
    server: LiveServer, tenant: TenantInfo, tmp_path: Path
) -> None:
    operations = linked(120)  # 240 operations: batches of 50 in the test settings
    task_id = stored_task(server, tenant, tmp_path, operations)
    with server.client(tenant) as client:
        answers: list[httpx.Response] = []

        def cancel_over_http(done: int, total: int) -> None:
            if not answers:
                answers.append(client.post(f"{PATH}/{task_id}/cancel"))

        # Run it here rather than on the worker, so the cancel lands mid-run for sure.
        with pytest.raises(TaskCancelled):
            server.app.massops.run(task_id, on_progress=cancel_over_http)
        (answer,) = answers
        assert answer.status_code == 202
        assert (answer.json()["status"], answer.json()["cancelRequested"]) == ("running", True)
        stopped = client.get(f"{PATH}/{task_id}").json()
        assert stopped["status"] == "cancelled"
        assert 0 < stopped["processed"] < 240
        assert 0 < stopped["progress"] < 1
        assert len(all_logs(client, task_id)) == stopped["processed"]

        # The server's worker finishes it from the checkpoint.
        resumed = client.post(f"{PATH}/{task_id}/resume")
        assert resumed.status_code == 202
        assert resumed.json()["processed"] == stopped["processed"]
        done = wait_for(client, f"{PATH}/{task_id}", "complete")
        logs = all_logs(client, task_id)

    other = other_tenant(server, tenant)
    with server.client(other) as theirs:
        straight_id = theirs.post(PATH, content=document(operations)).json()["taskId"]
        straight = wait_for(theirs, f"{PATH}/{straight_id}", "complete")
        straight_logs = all_logs(theirs, straight_id)

    assert (
        done["counts"]
        == straight["counts"]
        == {
            "customer/upsert": {"created": 120},
            "order/upsert": {"created": 120},
        }
    )
    assert [e["index"] for e in logs] == list(range(240))

    def outcomes(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(e["index"], e["status"], e["outcome"], e["intent"]) for e in entries]

    assert outcomes(logs) == outcomes(straight_logs)
    assert store(server, tenant) == store(server, other)
    assert len(store(server, tenant)["orders"]) == 120


def test_resume_a_finished_task_is_200_and_changes_nothing(
    server: LiveServer, tenant: TenantInfo
) -> None:
    with server.client(tenant) as client:
        task_id = client.post(PATH, content=document([customer("a")])).json()["taskId"]
        done = wait_for(client, f"{PATH}/{task_id}", "complete")
        resumed = client.post(f"{PATH}/{task_id}/resume")
        cancelled = client.post(f"{PATH}/{task_id}/cancel")
        assert (resumed.status_code, resumed.json()) == (200, done)
        assert (cancelled.status_code, cancelled.json()) == (202, done)
        assert client.get(f"{PATH}/{task_id}").json() == done
        assert len(all_logs(client, task_id)) == 1


def test_resume_without_its_spool_is_409(
    server: LiveServer, tenant: TenantInfo, tmp_path: Path
) -> None:
    task_id = stored_task(server, tenant, tmp_path, [customer("a")])
    with server.client(tenant) as client:
        assert client.post(f"{PATH}/{task_id}/cancel").json()["status"] == "cancelled"
        for spool in files(server.app.settings.spool_dir):
            spool.unlink()
        response = client.post(f"{PATH}/{task_id}/resume")
        assert response.status_code == 409
        assert response.json()["code"] == "conflict"
        assert "spool is gone" in response.json()["error"]
        assert client.get(f"{PATH}/{task_id}").json()["status"] == "cancelled"


def test_upload_is_streamed_to_disk_and_removed_afterwards(
    server: LiveServer, tenant: TenantInfo
) -> None:
    padding = "x" * 900
    body = document([customer(f"c{i}", companyName=f"{i} {padding}") for i in range(3000)])
    assert len(body) > 2_500_000
    head, tail = body[:1_500_000], body[1_500_000:]
    seen_on_disk: list[int] = []

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(head), 65536):
            yield head[start : start + 65536]
        # The first 1.5 MB reach the server's disk while the rest is still unsent.
        deadline = time.monotonic() + 120  # a bound against hangs
        while time.monotonic() < deadline:
            sizes = [p.stat().st_size for p in uploads(server)]
            if sizes and sizes[0] >= 1 << 20:
                seen_on_disk.append(sizes[0])
                break
            time.sleep(0.02)
        for start in range(0, len(tail), 65536):
            yield tail[start : start + 65536]

    with server.client(tenant) as client:
        response = client.post(PATH, content=chunks(), headers={"content-type": "application/json"})
        assert response.status_code == 202, response.text
        assert uploads(server) == []
        assert response.json()["total"] == 3000
        done = wait_for(client, f"{PATH}/{response.json()['taskId']}", "complete", timeout=300)
    assert seen_on_disk and 1 << 20 <= seen_on_disk[0] < len(body)
    assert done["counts"] == {"customer/upsert": {"created": 3000}}


@pytest.fixture
def chunking_server(postgresql_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """PostgreSQL with tasks over 100 operations split into chunks for the workers."""
    settings = Settings(
        database_url=postgresql_url,
        data_dir=tmp_path / "data",
        batch_size=50,
        massop_chunk_size=100,
    )
    app = create_app(settings, migrate=False)
    try:
        yield from serve(app)
    finally:
        app.close()


def test_a_chunked_task_reads_like_any_other(chunking_server: LiveServer) -> None:
    server = chunking_server
    with server.app.engine.begin() as connection:
        tenant = create_tenant(connection, f"chunks-{new_id()}")
    with server.client(tenant) as client:
        response = client.post(PATH, content=document(linked(120)))
        assert response.status_code == 202
        task_id = response.json()["taskId"]
        assert server.app.massops.get(task_id).chunked, "240 operations over 100 a chunk"
        done = wait_for(client, f"{PATH}/{task_id}", "complete")
        assert (done["processed"], done["progress"]) == (240, 1.0)
        assert done["counts"] == {
            "customer/upsert": {"created": 120},
            "order/upsert": {"created": 120},
        }
        assert [e["index"] for e in all_logs(client, task_id)] == list(range(240))
        page = client.get(f"{PATH}/{task_id}/logs", params={"after": 99, "limit": 2}).json()
        assert ([e["index"] for e in page["logs"]], page["next"]) == ([100, 101], 101)
        assert client.post(f"{PATH}/{task_id}/resume").status_code == 200
    assert uploads(server) == []
    assert len(store(server, tenant)["orders"]) == 120


def test_openapi_documents_every_answer(server: LiveServer) -> None:
    with server.client() as client:
        spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    error = {"$ref": "#/components/schemas/ErrorBody"}

    def codes(path: str, method: str) -> dict[str, Any]:
        return paths[path][method]["responses"]  # type: ignore[no-any-return]

    expected = {
        (PATH, "post"): {"200", "202", "401", "413", "415", "422"},
        (PATH, "get"): {"200", "401", "422"},
        (f"{PATH}/{{taskId}}", "get"): {"200", "401", "404", "422"},
        (f"{PATH}/{{taskId}}/logs", "get"): {"200", "401", "404", "422"},
        (f"{PATH}/{{taskId}}/cancel", "post"): {"202", "401", "404", "422"},
        (f"{PATH}/{{taskId}}/resume", "post"): {"200", "202", "401", "404", "409", "422"},
    }
    for (path, method), statuses in expected.items():
        responses = codes(path, method)
        assert set(responses) == statuses, (path, method)
        for status in statuses - {"200", "202"}:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == error, (path, method, status)
        for parameter in paths[path][method].get("parameters", []):
            if parameter["name"] == "taskId":
                assert parameter["schema"]["pattern"] == "^[0-9a-f]{24}$"
    body = paths[PATH]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["version", "operations"]
    # The intents' definitions are components the body refers to, each once.
    intents = body["properties"]["operations"]["items"]["anyOf"]
    assert len(intents) == 61
    schemas = spec["components"]["schemas"]
    for ref in intents:
        assert ref["$ref"].removeprefix("#/components/schemas/") in schemas
    assert codes(PATH, "post")["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MassOpDryRun"
    }


def test_retry_starts_a_task_of_what_failed_and_says_when_nothing_did(
    server: LiveServer, tenant: TenantInfo
) -> None:
    with server.client(tenant) as client:
        first = client.post(PATH, content=document(with_errors())).json()
        done = wait_for(client, f"{PATH}/{first['taskId']}", "completeWithErrors")
        fix = client.post(PATH, content=document([customer("missing")])).json()
        wait_for(client, f"{PATH}/{fix['taskId']}", "complete")

        response = client.post(f"{PATH}/{first['taskId']}/retry")
        assert response.status_code == 202, response.text
        retry = response.json()
        assert (retry["retryOf"], retry["total"]) == (first["taskId"], 2)
        finished = wait_for(client, f"{PATH}/{retry['taskId']}", "complete")
        assert finished["counts"] == {
            "customer/update": {"unchanged": 1},
            "customer/upsert": {"unchanged": 1},
        }
        assert [e["index"] for e in all_logs(client, retry["taskId"])] == [0, 1]

        nothing = client.post(f"{PATH}/{retry['taskId']}/retry")
        assert (nothing.status_code, nothing.json()) == (200, finished)
        assert client.get(f"{PATH}/{first['taskId']}").json() == done

        pending = stored_task(server, tenant, Path(server.app.settings.data_dir), [customer("z")])
        refused = client.post(f"{PATH}/{pending}/retry")
        assert refused.status_code == 409 and refused.json()["code"] == "conflict"
        other = other_tenant(server, tenant)
    with server.client(other) as client:
        assert client.post(f"{PATH}/{first['taskId']}/retry").status_code == 404
