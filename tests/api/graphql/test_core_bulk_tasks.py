"""Mass operations through the Core API: presigned upload, bulk task, operation logs."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from geode.api.rest import presigned_uploads
from geode.settings import Settings
from geode.tenants.service import TenantInfo, create_tenant
from tests.api.graphql.conftest import CoreClient
from tests.api.rest.conftest import LiveServer

LIMIT = 64 * 1024

GENERATE = """
mutation GET_URL($file: String!, $contentType: String!, $type: FileUploadType!) {
  generatePresignedUploadRequest(filename: $file, contentType: $contentType, type: $type) {
    ... on PresignedUploadRequest { url fields { name value } maxSize lifetime }
    ... on BasicError { errorName message code }
  }
}"""
CREATE = """
mutation REGISTER($key: String!, $autoStart: Boolean) {
  createMassOperationBulkTask(input: {key: $key, autoStart: $autoStart}) {
    ... on BulkTaskMassOperation { id type status key geodeStatus total }
    ... on BasicError { errorName message code detail }
  }
}"""
START = """
mutation START($id: ID!) {
  startMassOperationBulkTask(id: $id) {
    ... on BulkTaskMassOperation { id type status }
    ... on BasicError { errorName message code }
  }
}"""
GET = """
query GET($id: ID!) {
  bulkTask(id: $id) {
    ... on BulkTaskMassOperation { id type status key geodeStatus total processed counts }
    ... on BasicError { errorName message code }
  }
}"""
LOGS = """
query GET_OPERATION_LOGS($operationId: ID!, $after: String, $first: Int) {
  operationLogs(after: $after, first: $first, filter: { operationId: $operationId }) {
    ... on OperationLogConnection {
      pageInfo { endCursor hasNextPage }
      edges { node { id input output message status statusCode index geodeStatus key } }
    }
    ... on BasicError { errorName message code }
  }
}"""

OPERATIONS = [
    {
        "_ref": "ada",
        "intent": "customer/create",
        "identifier": "ada@example.com",
        "firstName": "Ada",
    },
    {"intent": "customer/create", "identifier": "bob@example.com", "firstName": "Bob"},
    {"_ref": "dup", "intent": "customer/create", "identifier": "ada@example.com"},
    {"intent": "customer/update", "identifier": "{{ dup.identifier }}", "firstName": "X"},
    {"intent": "customer/create", "identifier": "cy@example.com", "lastName": "Cy"},
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A small upload limit, to see it refused."""
    return settings.model_copy(update={"max_upload_bytes": LIMIT})


def ops_bytes(operations: list[dict[str, Any]]) -> bytes:
    return json.dumps({"version": "0.0.1", "operations": operations}).encode()


def presign(core: CoreClient, filename: str = "ops.json") -> dict[str, Any]:
    answer = core.data(
        GENERATE, {"file": filename, "contentType": "application/json", "type": "MASS_OPERATIONS"}
    )["generatePresignedUploadRequest"]
    assert "url" in answer, answer
    return answer  # type: ignore[no-any-return]


def form(grant: dict[str, Any]) -> list[tuple[str, tuple[None, str]]]:
    return [(f["name"], (None, f["value"])) for f in grant["fields"]]


def post_file(
    grant: dict[str, Any], content: bytes, fields: list[Any] | None = None
) -> httpx.Response:
    """The upload as a presigned POST is sent: no token, the fields, then `file`."""
    parts = [*(form(grant) if fields is None else fields), ("file", ("blob", content))]
    return httpx.post(grant["url"], files=parts, timeout=30)


def raw_form(parts: list[tuple[str, bytes]]) -> bytes:
    """A multipart body with its parts in this order (httpx sends text fields first)."""
    body = b""
    for name, value in parts:
        filename = b'; filename="blob"' if name == "file" else b""
        body += b'--b0undary\r\nContent-Disposition: form-data; name="%s"%s\r\n\r\n%s\r\n' % (
            name.encode(),
            filename,
            value,
        )
    return body + b"--b0undary--\r\n"


def upload(core: CoreClient, content: bytes) -> str:
    grant = presign(core)
    stored = post_file(grant, content)
    assert stored.status_code == 201, stored.text
    key: str = stored.json()["key"]
    return key


def field(grant: dict[str, Any], name: str) -> str:
    return next(f["value"] for f in grant["fields"] if f["name"] == name)


def poll(core: CoreClient, task_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        task = core.data(GET, {"id": task_id})["bulkTask"]
        if task["status"] in ("complete", "error"):
            return task  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, task
        time.sleep(0.05)


def all_logs(core: CoreClient, task_id: str, first: int) -> tuple[list[dict[str, Any]], int]:
    """Every entry, following the cursors as Crystallize's CLI does; and the pages read."""
    nodes: list[dict[str, Any]] = []
    cursor, pages = "", 0
    while True:
        page = core.data(LOGS, {"operationId": task_id, "after": cursor, "first": first})
        logs = page["operationLogs"]
        pages += 1
        nodes += [edge["node"] for edge in logs["edges"]]
        if not logs["pageInfo"]["hasNextPage"]:
            return nodes, pages
        cursor = logs["pageInfo"]["endCursor"]


def customers(core: CoreClient) -> dict[str, str | None]:
    with core.app.engine.connect() as connection:
        rows = connection.execute(
            sa.text("select identifier, first_name from customers where tenant_id = :t"),
            {"t": core.tenant.id},
        )
        return {row.identifier: row.first_name for row in rows}


def test_the_flow_of_crystallize_s_cli(core: CoreClient, server: LiveServer) -> None:
    grant = presign(core, "mass-operation-x1.json")
    assert grant["url"] == f"{server.url}{presigned_uploads.PATH}"
    assert grant["maxSize"] == LIMIT and grant["lifetime"] == presigned_uploads.LIFETIME_SECONDS
    names = [f["name"] for f in grant["fields"]]
    assert names[0] == "key" and "X-Geode-Signature" in names
    key = field(grant, "key")
    assert key.startswith(f"{core.tenant.identifier}/mass-operations/")
    assert key.endswith("/mass-operation-x1.json")

    stored = post_file(grant, ops_bytes(OPERATIONS))
    assert stored.status_code == 201, stored.text
    assert stored.json() == {"key": key, "size": len(ops_bytes(OPERATIONS))}
    assert field(grant, "X-Geode-Signature") not in stored.text

    created = core.data(CREATE, {"key": key, "autoStart": False})["createMassOperationBulkTask"]
    assert created["status"] == "pending" and created["type"] == "massOperation", created
    assert (created["key"], created["total"]) == (key, len(OPERATIONS))
    time.sleep(0.3)
    waiting = core.data(GET, {"id": created["id"]})["bulkTask"]
    assert waiting["status"] == "pending" and waiting["processed"] == 0  # not started yet
    assert customers(core) == {}

    started = core.data(START, {"id": created["id"]})["startMassOperationBulkTask"]
    assert started["id"] == created["id"]
    assert started["status"] in ("pending", "started", "complete")
    done = poll(core, created["id"])
    assert done["status"] == "complete" and done["geodeStatus"] == "completeWithErrors", done
    assert done["counts"]["customer/create"] == {"created": 3, "failed": 1}

    nodes, pages = all_logs(core, created["id"], first=2)
    assert pages == 3
    assert [n["index"] for n in nodes] == [0, 1, 2, 3, 4]
    assert [(n["status"], n["statusCode"], n["geodeStatus"]) for n in nodes] == [
        ("success", 200, "success"),
        ("success", 200, "success"),
        ("failure", 500, "failure"),
        ("failure", 500, "skipped"),
        ("success", 200, "success"),
    ]
    assert nodes[0]["id"] == f"{created['id']}:0"
    assert nodes[0]["output"]["identifier"] == "ada@example.com"
    assert nodes[0]["output"]["firstName"] == "Ada"
    assert nodes[0]["message"] == "customer/create: created" and nodes[0]["input"] is None
    assert nodes[1]["output"] is None and nodes[1]["key"] == "bob@example.com"  # no `_ref`
    assert "ada@example.com" in nodes[2]["message"]
    assert nodes[2]["input"]["identifier"] == "ada@example.com"
    assert nodes[3]["input"]["identifier"] == "{{ dup.identifier }}"
    assert customers(core) == {"ada@example.com": "Ada", "bob@example.com": "Bob",
                               "cy@example.com": None}  # fmt: skip

    one_page = core.data(LOGS, {"operationId": created["id"], "first": 100})["operationLogs"]
    assert len(one_page["edges"]) == 5 and one_page["pageInfo"]["hasNextPage"] is False
    after_all = core.data(
        LOGS, {"operationId": created["id"], "after": one_page["pageInfo"]["endCursor"]}
    )["operationLogs"]
    assert after_all == {"pageInfo": {"endCursor": None, "hasNextPage": False}, "edges": []}


def test_auto_start_runs_at_once(core: CoreClient) -> None:
    key = upload(core, ops_bytes(OPERATIONS[:2]))
    created = core.data(CREATE, {"key": key, "autoStart": True})["createMassOperationBulkTask"]
    done = poll(core, created["id"])
    assert (done["status"], done["geodeStatus"]) == ("complete", "complete")
    again = core.data(START, {"id": created["id"]})["startMassOperationBulkTask"]
    assert again["status"] == "complete"  # a finished task is answered as it is
    assert set(customers(core)) == {"ada@example.com", "bob@example.com"}


def basic_error(answer: dict[str, Any], code: str, *words: str) -> dict[str, Any]:
    assert answer.get("errorName") == "BasicError", answer
    assert answer["code"] == code, answer
    for word in words:
        assert word in answer["message"], answer
    return answer


def test_keys_are_used_once_and_by_their_tenant(
    core: CoreClient, server: LiveServer, tenant: TenantInfo
) -> None:
    key = upload(core, ops_bytes(OPERATIONS[:1]))
    with server.app.engine.begin() as connection:
        other = create_tenant(connection, f"{tenant.identifier}-b")
    with server.client(other) as http:
        theirs = CoreClient(http, other, server.app)
        refused = theirs.data(CREATE, {"key": key})["createMassOperationBulkTask"]
        basic_error(refused, "invalid_input", "key of tenant", tenant.identifier)
        their_key = upload(theirs, ops_bytes(OPERATIONS[1:2]))
        created = theirs.data(CREATE, {"key": their_key})["createMassOperationBulkTask"]
    mine = core.data(CREATE, {"key": key})["createMassOperationBulkTask"]
    assert mine["status"] == "pending", mine

    reused = core.data(CREATE, {"key": key})["createMassOperationBulkTask"]
    basic_error(reused, "conflict", "already", mine["id"])
    unknown = key.rsplit("/", 2)[0] + "/0123456789abcdef01234567/ops.json"
    basic_error(core.data(CREATE, {"key": unknown})["createMassOperationBulkTask"], "not_found")
    basic_error(
        core.data(CREATE, {"key": "../../etc/passwd"})["createMassOperationBulkTask"],
        "invalid_input",
        "not a key",
    )
    # Another tenant's task is not found, like a missing one.
    basic_error(core.data(GET, {"id": created["id"]})["bulkTask"], "not_found")
    basic_error(core.data(START, {"id": created["id"]})["startMassOperationBulkTask"], "not_found")
    logs = core.data(LOGS, {"operationId": created["id"]})["operationLogs"]
    basic_error(logs, "not_found")


def test_a_refused_file_is_a_basic_error_with_every_problem(core: CoreClient) -> None:
    bad = [{"intent": "customer/create"}, {"intent": "no/such"}]
    key = upload(core, ops_bytes(bad))
    answer = core.data(CREATE, {"key": key})["createMassOperationBulkTask"]
    basic_error(answer, "invalid_file", "2 problems")
    assert [problem["index"] for problem in answer["detail"]] == [0, 1]
    not_json = upload(core, b"{ not json")
    basic_error(core.data(CREATE, {"key": not_json})["createMassOperationBulkTask"], "invalid_file")


def test_bad_arguments_are_basic_errors(core: CoreClient) -> None:
    image = {"file": "a.png", "contentType": "image/png", "type": "MEDIA"}
    media = core.data(GENERATE, image)["generatePresignedUploadRequest"]
    basic_error(media, "invalid_input", "MASS_OPERATIONS", "/api/media")
    nameless = core.data(
        GENERATE, {"file": "../", "contentType": "application/json", "type": "MASS_OPERATIONS"}
    )["generatePresignedUploadRequest"]
    basic_error(nameless, "invalid_input", "filename")
    key = upload(core, ops_bytes(OPERATIONS[:1]))
    task = core.data(CREATE, {"key": key})["createMassOperationBulkTask"]
    too_many = core.data(LOGS, {"operationId": task["id"], "first": 101})["operationLogs"]
    basic_error(too_many, "invalid_input", "first")
    cursor = core.data(LOGS, {"operationId": task["id"], "after": "nope"})["operationLogs"]
    basic_error(cursor, "invalid_input", "after")
    basic_error(
        core.data(START, {"id": "0123456789abcdef01234567"})["startMassOperationBulkTask"],
        "not_found",
    )


def test_the_upload_checks_its_grant(core: CoreClient) -> None:
    grant = presign(core)
    content = ops_bytes(OPERATIONS)

    def refused(response: httpx.Response, status: int, code: str, *words: str) -> None:
        assert response.status_code == status, response.text
        body = response.json()
        assert body["code"] == code, body
        for word in words:
            assert word in body["error"], body

    def changed(name: str, value: str) -> list[tuple[str, tuple[None, str]]]:
        return [(n, (None, value if n == name else v)) for n, (_, v) in form(grant)]

    forged = changed("X-Geode-Signature", "0" * 64)
    refused(post_file(grant, content, forged), 403, "upload_grant_invalid", "not valid")
    moved = changed("key", field(grant, "key").replace("ops.json", "evil.json"))
    refused(post_file(grant, content, moved), 403, "upload_grant_invalid")
    extended = changed("X-Geode-Expires", str(int(time.time()) + 3600))
    refused(post_file(grant, content, extended), 403, "upload_grant_invalid")
    unicode = changed("X-Geode-Signature", "é" * 64)
    refused(post_file(grant, content, unicode), 403, "upload_grant_invalid")

    key, tenant_id = field(grant, "key"), field(grant, "X-Geode-Tenant")
    expired = presigned_uploads.grant_fields(tenant_id, key, int(time.time()) - 5, "text/plain")
    refused(
        post_file(grant, content, [(n, (None, v)) for n, v in expired]),
        403, "upload_grant_expired", "expired", "generatePresignedUploadRequest",
    )  # fmt: skip

    missing = [part for part in form(grant) if part[0] != "X-Geode-Signature"]
    refused(post_file(grant, content, missing), 422, "invalid_input", "X-Geode-Signature")
    file_first = httpx.post(
        grant["url"],
        content=raw_form([("file", content), *((n, v.encode()) for n, (_, v) in form(grant))]),
        headers={"content-type": "multipart/form-data; boundary=b0undary"},
    )
    refused(file_first, 422, "invalid_input", "before `file`")
    refused(post_file(grant, b""), 422, "invalid_input", "empty")
    refused(httpx.post(grant["url"], json={"key": key}), 415, "unsupported_media_type")

    assert post_file(grant, content).status_code == 201
    refused(post_file(grant, content), 409, "conflict", "one upload")
    assert core.data(CREATE, {"key": key})["createMassOperationBulkTask"]["status"] == "pending"
    refused(post_file(grant, content), 409, "conflict", "made into a task")


def test_an_upload_over_the_limit_is_refused_and_nothing_kept(
    core: CoreClient, server: LiveServer
) -> None:
    grant = presign(core)
    too_big = post_file(grant, b" " * (LIMIT + 1))
    assert too_big.status_code == 413, too_big.text
    body = too_big.json()
    assert body["code"] == "payload_too_large" and "GEODE_MAX_UPLOAD_BYTES" in body["error"]
    assert body["detail"]["maxBytes"] == LIMIT
    uploads = presigned_uploads.tenant_dir(server.app, core.tenant.id)
    assert [p.name for p in uploads.iterdir()] == []
    basic_error(
        core.data(CREATE, {"key": field(grant, "key")})["createMassOperationBulkTask"],
        "not_found",
    )
    at_limit = post_file(presign(core), b" " * LIMIT)
    assert at_limit.status_code == 201, at_limit.text


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    core: CoreClient, server: LiveServer
) -> None:
    """Raw HTTP: the body announced is never sent, and need not be."""
    host, port = server.url.removeprefix("http://").split(":")
    request = (
        f"POST {presigned_uploads.PATH} HTTP/1.1\r\nHost: test\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {LIMIT * 4}\r\n\r\n--b\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request.encode())
        answer = b""
        while b"payload_too_large" not in answer and (piece := connection.recv(65536)):
            answer += piece
    assert answer.startswith(b"HTTP/1.1 413"), answer


def test_leftovers_and_stale_uploads_are_swept(core: CoreClient, server: LiveServer) -> None:
    key = upload(core, ops_bytes(OPERATIONS[:1]))
    directory = presigned_uploads.tenant_dir(server.app, core.tenant.id)
    (directory / "partial-cut-short").write_bytes(b"{")
    presigned_uploads.sweep(directory, time.time() + presigned_uploads.PARTIAL_GRACE_SECONDS + 1)
    assert not (directory / "partial-cut-short").exists()
    assert presigned_uploads.uploaded_path(server.app, core.tenant.id, key).exists()
    presigned_uploads.sweep(directory, time.time() + presigned_uploads.KEEP_SECONDS + 1)
    assert list(Path(directory).iterdir()) == []
    basic_error(core.data(CREATE, {"key": key})["createMassOperationBulkTask"], "not_found")
