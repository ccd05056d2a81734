"""The batch job API over HTTP, with a fake batch type at the handler port."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geode.batches.handler import BatchHandler
from geode.batches.models import BatchJob
from geode.tenants.service import TenantInfo, create_tenant
from tests.api.rest.conftest import LiveServer, wait_for
from tests.batches.fakes import WidgetHandler

PATH = "/api/v4.0/integrations/batch"
_jobs: sa.Table = BatchJob.__table__  # type: ignore[assignment]


@pytest.fixture
def batch_handlers() -> dict[str, BatchHandler]:
    return {"widgets": WidgetHandler()}


def job_count(server: LiveServer) -> int:
    with server.app.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(_jobs)).scalar_one())


def test_post_answers_job_id_and_job_completes(server: LiveServer, tenant: TenantInfo) -> None:
    with server.client(tenant) as client:
        response = client.post(
            f"{PATH}/widgets",
            json={"body": [{"customerId": "a"}, {"customerId": "b", "fail": True}]},
        )
        assert response.status_code == 202
        job_id = response.json()["jobId"]
        assert isinstance(job_id, int)
        status = wait_for(client, f"{PATH}/{job_id}", "completed")
    assert set(status) == {
        "operation",
        "errorCount",
        "totalCount",
        "finishedCount",
        "startedAt",
        "createdAt",
        "status",
        "response",
    }
    assert status["response"] == {
        "successful": [{"customerId": "a", "message": "widget of size 1 made"}],
        "failed": [{"customerId": "b", "error": "asked to fail"}],
    }
    assert (status["totalCount"], status["finishedCount"], status["errorCount"]) == (2, 1, 1)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, 401),
        ({"X-Crystallize-Access-Token-Id": "x"}, 401),
        ({"X-Crystallize-Access-Token-Id": "x", "X-Crystallize-Access-Token-Secret": "y"}, 401),
    ],
)
def test_missing_or_wrong_token_is_401_and_touches_nothing(
    server: LiveServer, headers: dict[str, str], expected: int
) -> None:
    before = job_count(server)
    with server.client(**headers) as client:
        response = client.post(f"{PATH}/widgets", json={"body": [{"customerId": "a"}]})
        assert response.status_code == expected
        assert response.json()["code"] == "unauthenticated"
        assert set(response.json()) == {"error", "code", "detail"}
        assert client.get(f"{PATH}/1").status_code == 401
        assert client.delete(f"{PATH}/1").status_code == 401
    assert job_count(server) == before


def test_right_token_id_with_wrong_secret_is_401(server: LiveServer, tenant: TenantInfo) -> None:
    with server.client(tenant) as good:
        token_id = good.headers["X-Crystallize-Access-Token-Id"]
    with server.client(
        **{"X-Crystallize-Access-Token-Id": token_id, "X-Crystallize-Access-Token-Secret": "nope"}
    ) as client:
        assert (
            client.post(f"{PATH}/widgets", json={"body": [{"customerId": "a"}]}).status_code == 401
        )


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"body": []}, "holds 0 objects"),
        ({"body": [{"customerId": str(i)} for i in range(1001)]}, "holds 1001 objects"),
        ({"items": [{"customerId": "a"}]}, '{"body": [ ... ]}'),
        ({"body": {"customerId": "a"}}, "must be a list"),
        ({"body": [{"customerId": "a"}, 3]}, "not: body[1]"),
        ({"body": [{"customerId": "a"}], "extra": 1}, "'extra'"),
        ([1, 2], '{"body": [ ... ]}'),
    ],
)
def test_bad_envelope_is_422_and_nothing_is_queued(
    server: LiveServer, tenant: TenantInfo, body: object, fragment: str
) -> None:
    before = job_count(server)
    with server.client(tenant) as client:
        response = client.post(f"{PATH}/widgets", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert fragment in response.json()["error"]
    assert job_count(server) == before


def test_not_json_is_422(server: LiveServer, tenant: TenantInfo) -> None:
    with server.client(tenant) as client:
        response = client.post(
            f"{PATH}/widgets", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["error"]


def test_unknown_type_is_404_listing_the_types(server: LiveServer, tenant: TenantInfo) -> None:
    before = job_count(server)
    with server.client(tenant) as client:
        response = client.post(f"{PATH}/gadgets", json={"body": [{"customerId": "a"}]})
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_batch_type"
    assert response.json()["detail"] == {"types": ["widgets"]}
    assert job_count(server) == before


def test_other_tenant_gets_404_and_cannot_stop(server: LiveServer, tenant: TenantInfo) -> None:
    with server.app.engine.begin() as connection:
        other = create_tenant(connection, f"other-{tenant.identifier}")
    with server.client(tenant) as mine, server.client(other) as theirs:
        job_id = mine.post(f"{PATH}/widgets", json={"body": [{"customerId": "a"}]}).json()["jobId"]
        wait_for(mine, f"{PATH}/{job_id}", "completed")
        for response in (theirs.get(f"{PATH}/{job_id}"), theirs.delete(f"{PATH}/{job_id}")):
            assert response.status_code == 404
            assert response.json()["code"] == "not_found"
        assert theirs.get(f"{PATH}/999999").json() == response.json() | {
            "error": "no batch job 999999"
        }
        assert mine.get(f"{PATH}/{job_id}").json()["status"] == "completed"


def test_delete_stops_a_queued_job(server: LiveServer, tenant: TenantInfo) -> None:
    from geode.batches import repository
    from geode.timestamps import utcnow

    # Stored but not yet handed to a worker: a queued job, whatever the worker.
    with server.app.engine.begin() as connection:
        job_id = repository.insert_job(
            connection, tenant.id, "widgets", '[{"customerId": "a"}]', 1, utcnow()
        )
    with server.client(tenant) as client:
        assert client.get(f"{PATH}/{job_id}").json()["status"] == "queued"
        stopped = client.delete(f"{PATH}/{job_id}")
        assert stopped.status_code == 200
        assert stopped.json()["status"] == "stopped"
        server.app.dispatcher.enqueue_batch_job(job_id)  # a worker gets it after all
        # Wait for the worker to have handled it: it takes batch jobs in order,
        # so once a job queued after this one is done, this one was seen.
        later = client.post(f"{PATH}/widgets", json={"body": [{"customerId": "b"}]})
        wait_for(client, f"{PATH}/{later.json()['jobId']}", "completed")
        assert client.get(f"{PATH}/{job_id}").json() == stopped.json()
    assert server.app.batches.run(job_id).status == "stopped"
    assert server.app.batches.status(tenant.id, job_id)["response"] is None


def test_openapi_documents_every_type_and_the_docs_page(server: LiveServer) -> None:
    with server.client() as client:
        spec = client.get("/openapi.json").json()
        assert client.get("/docs").status_code == 200
    assert f"{PATH}/widgets" in spec["paths"]
    body = spec["paths"][f"{PATH}/widgets"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    # As accepted: any object enters the job, each is checked against Widget on its own.
    assert body["properties"]["body"]["items"] == {"type": "object"}
    assert "#/components/schemas/Widget" in body["properties"]["body"]["description"]
    assert "response.failed" in body["properties"]["body"]["description"]
    assert "customerId" in spec["components"]["schemas"]["Widget"]["properties"]
