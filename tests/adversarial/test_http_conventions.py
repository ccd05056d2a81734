"""Issue 10 item 9: the HTTP API follows the conventions a client relies on.

A wrong method gets 405 with an `Allow` header naming every method the path
takes; a body that is not JSON gets 415 before anything is stored; the OpenAPI
document declares the token headers as a security scheme on every operation,
states the bounds the server enforces, and describes the batch body as it is
accepted. Run on both databases: the 415 cases check that nothing was stored.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from geode.tenants.service import TenantInfo
from tests.api.rest.conftest import LiveServer, batch_handlers, server

__all__ = ["batch_handlers", "server"]  # the live-server fixtures, shared with tests/api/rest

BATCH = "/api/v4.0/integrations/batch"
TASKS = "/api/massops/tasks"
PROGRAM = "/api/v4.0/integrations/loyalty/program"
TASK_ID = "0" * 24


def spec(server: LiveServer) -> dict[str, Any]:
    with server.client() as client:
        return client.get("/openapi.json").json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", f"{BATCH}/customers", "POST, OPTIONS"),
        ("PUT", f"{BATCH}/customers", "POST, OPTIONS"),
        ("POST", f"{BATCH}/7", "GET, HEAD, DELETE, OPTIONS"),
        ("PATCH", f"{BATCH}/7", "GET, HEAD, DELETE, OPTIONS"),
        ("DELETE", TASKS, "GET, HEAD, POST, OPTIONS"),
        ("PUT", f"{TASKS}/{TASK_ID}", "GET, HEAD, OPTIONS"),
        ("GET", f"{TASKS}/{TASK_ID}/cancel", "POST, OPTIONS"),
        ("DELETE", PROGRAM, "GET, HEAD, PUT, OPTIONS"),
        ("POST", "/api/v4.0/integrations/customers/c1/loyalty", "GET, HEAD, OPTIONS"),
        ("POST", "/docs", "GET, HEAD, OPTIONS"),
        ("DELETE", "/openapi.json", "GET, HEAD, OPTIONS"),
    ],
)
def test_a_wrong_method_gets_405_with_every_allowed_method(
    server: LiveServer, tenant: TenantInfo, method: str, path: str, allowed: str
) -> None:
    with server.client(tenant) as client:
        response = client.request(method, path)
        assert response.status_code == 405, response.text
        assert response.headers["allow"] == allowed
        body = response.json()
        assert body["code"] == "method_not_allowed"
        assert method in body["error"] and allowed in body["error"]
        # OPTIONS answers with the same list; HEAD is served wherever GET is.
        options = client.options(path)
        assert options.status_code == 204
        assert options.headers["allow"] == allowed


def test_head_is_served_wherever_get_is(server: LiveServer, tenant: TenantInfo) -> None:
    with server.client(tenant) as client:
        get = client.get(TASKS)
        head = client.head(TASKS)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == "application/json"


def test_an_unknown_path_is_404_not_405(server: LiveServer) -> None:
    with server.client() as client:
        response = client.delete("/api/nothing/here")
    assert response.status_code == 404
    assert "allow" not in response.headers


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",  # what `curl -d` sends
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/json; charset=latin-1",
    ],
)
def test_a_body_that_is_not_json_gets_415_and_nothing_is_stored(
    server: LiveServer, tenant: TenantInfo, content_type: str
) -> None:
    headers = {"content-type": content_type}
    batch = b'{"body": [{"customerId": "c1", "name": "Ann"}]}'
    upload = b'{"version": "1", "operations": [{"intent": "customer/upsert", "identifier": "c1", "firstName": "Ann"}]}'
    program = b'{"earnRate": 2, "pointValue": 0.5, "currency": "EUR"}'
    with server.client(tenant) as client:
        before = client.get(PROGRAM).json()
        for method, path, body in [
            ("POST", f"{BATCH}/customers", batch),
            ("POST", TASKS, upload),
            ("PUT", PROGRAM, program),
        ]:
            response = client.request(method, path, content=body, headers=headers)
            assert response.status_code == 415, (path, response.text)
            assert response.json()["code"] == "unsupported_media_type"
            assert "application/json" in response.json()["error"]
        assert client.get(PROGRAM).json() == before
        assert client.get(TASKS).json()["tasks"] == []
    with server.app.engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT count(*) FROM batch_jobs WHERE tenant_id = :tenant"),
            {"tenant": tenant.id},
        ).scalar_one()
    assert stored == 0


def test_json_bodies_are_accepted_with_or_without_a_content_type(
    server: LiveServer, tenant: TenantInfo
) -> None:
    program = b'{"earnRate": 2, "pointValue": 0.5, "currency": "EUR"}'
    with server.client(tenant) as client:
        for headers in (
            {"content-type": "application/json"},
            {"content-type": "application/json; charset=utf-8"},
            {"content-type": "application/merge-patch+json"},
            {},
        ):
            response = client.put(PROGRAM, content=program, headers=headers)
            assert response.status_code == 200, (headers, response.text)
        created = client.post(
            f"{BATCH}/customers",
            content=b'{"body": [{"customerId": "c1", "name": "Ann"}]}',
            headers={"content-type": "application/json"},
        )
        assert created.status_code == 202, created.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_token_headers_are_a_security_scheme_on_every_operation(server: LiveServer) -> None:
    document = spec(server)
    schemes = document["components"]["securitySchemes"]
    assert {(s["type"], s["in"], s["name"]) for s in schemes.values()} == {
        ("apiKey", "header", "X-Crystallize-Access-Token-Id"),
        ("apiKey", "header", "X-Crystallize-Access-Token-Secret"),
    }
    public = {path for path in document["paths"] if path.startswith("/media/")}
    assert public, "the served files are documented (GET /media/{key})"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path in public:
                # Files Geode stores are served to anyone who has their url.
                assert "security" not in operation, (path, method)
                continue
            # Both headers together: one requirement naming both schemes.
            assert operation["security"] == [{name: [] for name in sorted(schemes)}], (path, method)
            names = {p["name"].lower() for p in operation.get("parameters", [])}
            assert not names & {
                "x-crystallize-access-token-id",
                "x-crystallize-access-token-secret",
            }
            assert "401" in operation["responses"], (path, method)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_spec_states_the_bounds_the_server_enforces(server: LiveServer) -> None:
    document = spec(server)
    paths = document["paths"]

    def parameter(path: str, method: str, name: str) -> dict[str, Any]:
        for item in paths[path][method]["parameters"]:
            if item["name"] == name:
                return item["schema"]  # type: ignore[no-any-return]
        raise AssertionError(f"{method} {path} has no parameter {name}")

    job = parameter(f"{BATCH}/{{jobId}}", "get", "jobId")
    assert (job["type"], job["minimum"], job["maximum"]) == ("integer", 1, 2**62)
    assert parameter(f"{TASKS}/{{taskId}}", "get", "taskId")["pattern"] == "^[0-9a-f]{24}$"
    logs_limit = parameter(f"{TASKS}/{{taskId}}/logs", "get", "limit")
    assert (logs_limit["minimum"], logs_limit["maximum"]) == (1, 1000)
    customer = parameter(
        "/api/v4.0/integrations/customers/{customerId}/events", "get", "customerId"
    )
    assert (customer["minLength"], customer["maxLength"]) == (1, 255)

    program = document["components"]["schemas"]["Program"]["properties"]
    assert (program["earnRate"]["minimum"], program["earnRate"]["maximum"]) == (0, 1_000_000)
    assert program["pointValue"]["exclusiveMinimum"] == 0
    assert program["pointValue"]["multipleOf"] == 1e-8

    # Every operation that takes a body documents the 415 it answers for a non-JSON one.
    for path, method in [(f"{BATCH}/customers", "post"), (TASKS, "post"), (PROGRAM, "put")]:
        assert "415" in paths[path][method]["responses"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_batch_body_is_described_as_it_is_accepted(server: LiveServer) -> None:
    operation = spec(server)["paths"][f"{BATCH}/customers"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    items = body["properties"]["body"]
    assert body["additionalProperties"] is False and body["required"] == ["body"]
    assert (items["minItems"], items["maxItems"]) == (1, 1000)
    # Any object enters the job; each is checked against its type on its own.
    assert items["items"] == {"type": "object"}
    assert "response.failed" in items["description"]
    assert "on its own" in operation["description"]
    # The request is refused only for its envelope; a bad object fails alone.
    links = operation["responses"]["202"]["links"]
    assert {link["operationRef"].rsplit("/", 1)[-1] for link in links.values()} == {"get", "delete"}
