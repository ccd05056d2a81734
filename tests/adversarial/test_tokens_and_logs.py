"""Issue 10, point 6: revoked and expired tokens are refused over HTTP, and a database
error puts no customer data in the server log. On SQLite and PostgreSQL, against a real
server on a real socket, with the real `geode` command where a user would use it."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from geode.app import create_app
from geode.batches.handler import ObjectResult, succeeded
from geode.ids import new_id
from geode.settings import Settings
from geode.tenants.models import AccessToken
from geode.tenants.service import TenantInfo, get_token
from geode.timestamps import utcnow
from tests.api.rest.conftest import LiveServer, serve, wait_for

pytestmark = pytest.mark.integration

GEODE = Path(sys.executable).parent / "geode"
PROGRAM = "/api/v4.0/integrations/loyalty/program"
BATCH = "/api/v4.0/integrations/batch"
INVALID = "invalid access token id or secret"
_tokens: sa.Table = AccessToken.__table__  # type: ignore[assignment]

# What a customer sent: none of it may reach the server log.
SECRET_ID = "cust-7731-zq"
SECRET_NAME = "Jane Roe-Quinterra"


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customerId: str
    name: str


class StoresPeopleTwice:
    """A batch type with a storage bug: it writes each person as a customer row without
    looking first, so a repeated id hits the database's unique constraint, and a name
    PostgreSQL cannot store (NUL) reaches the driver."""

    type = "people"
    operation = "People Batch Job"
    key_fields = ("customerId",)
    schema = Person

    def apply(
        self, connection: sa.Connection, tenant_id: str, objects: Sequence[BaseModel]
    ) -> list[ObjectResult]:
        now = utcnow()
        results = []
        for person in objects:
            assert isinstance(person, Person)
            connection.execute(
                sa.text(
                    "INSERT INTO customers (tenant_id, id, identifier, type, first_name,"
                    " created_at, updated_at) VALUES (:t, :i, :identifier, 'individual',"
                    " :name, :now, :now)"
                ),
                {
                    "t": tenant_id,
                    "i": new_id(),
                    "identifier": person.customerId,
                    "name": person.name,
                    "now": now,
                },
            )
            results.append(succeeded({"customerId": person.customerId}, "stored"))
        return results


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    app = create_app(settings, migrate=False, handlers={"people": StoresPeopleTwice()})
    try:
        yield from serve(app)
    finally:
        app.close()


def geode(db_url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEODE_")}
    env.update(GEODE_DATABASE_URL=db_url, GEODE_DATA_DIR=str(data_dir))
    return subprocess.run(
        [str(GEODE), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def headers(token_id: str, secret: str) -> dict[str, str]:
    return {"X-Crystallize-Access-Token-Id": token_id, "X-Crystallize-Access-Token-Secret": secret}


def issue(db_url: str, tmp_path: Path, tenant: TenantInfo, *options: str) -> dict[str, Any]:
    result = geode(
        db_url, tmp_path, "token", "create", "--tenant", tenant.identifier, "--json", *options
    )
    assert result.returncode == 0, result.stderr
    token: dict[str, Any] = json.loads(result.stdout)
    return token


def listed(db_url: str, tmp_path: Path, tenant: TenantInfo, token_id: str) -> dict[str, Any]:
    result = geode(db_url, tmp_path, "token", "list", "--tenant", tenant.identifier, "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    [row] = [r for r in rows if r["id"] == token_id]
    return row


# -- tokens -----------------------------------------------------------------------------


def test_a_token_revoked_with_the_cli_is_refused_at_once(
    server: LiveServer, tenant: TenantInfo, db_url: str, tmp_path: Path
) -> None:
    token = issue(db_url, tmp_path, tenant, "--name", "till 4")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        auth = headers(token["id"], token["secret"])
        assert client.get(PROGRAM, headers=auth).status_code == 200

        revoked = geode(db_url, tmp_path, "token", "revoke", token["id"])
        assert revoked.returncode == 0, revoked.stderr
        assert "revoked" in revoked.stdout

        refused = client.get(PROGRAM, headers=auth)
        assert refused.status_code == 401
        body = refused.json()
        assert body["code"] == "unauthenticated"
        assert "revoked" in body["error"]
        assert f"geode token create --tenant {tenant.identifier}" in body["error"]
        assert body["detail"]["reason"] == "revoked"

        # Only the secret's holder learns why: a guess gets the usual answer.
        guessed = client.get(PROGRAM, headers=headers(token["id"], "guess"))
        assert (guessed.status_code, guessed.json()["error"]) == (401, INVALID)
        assert guessed.json()["detail"] is None

    again = geode(db_url, tmp_path, "token", "revoke", token["id"])
    assert again.returncode == 0, again.stderr
    assert "already revoked" in again.stdout
    assert listed(db_url, tmp_path, tenant, token["id"])["status"] == "revoked"


def test_an_expired_token_is_refused(
    server: LiveServer, tenant: TenantInfo, db_url: str, tmp_path: Path
) -> None:
    token = issue(db_url, tmp_path, tenant, "--expires-in", "90m")
    auth = headers(token["id"], token["secret"])
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get(PROGRAM, headers=auth).status_code == 200
        # Ninety minutes pass: the expiry is moved back rather than waited for.
        with server.app.engine.begin() as connection:
            connection.execute(
                sa.update(_tokens)
                .where(_tokens.c.id == token["id"])
                .values(expires_at="2021-06-01T00:00:00.000000Z")
            )
        refused = client.get(PROGRAM, headers=auth)
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthenticated"
    assert "expired at 2021-06-01T00:00:00.000000Z" in refused.json()["error"]
    assert refused.json()["detail"] == {"reason": "expired", "at": "2021-06-01T00:00:00.000000Z"}
    assert listed(db_url, tmp_path, tenant, token["id"])["status"] == "expired"


def test_the_last_use_of_a_token_is_recorded(
    server: LiveServer, tenant: TenantInfo, db_url: str, tmp_path: Path
) -> None:
    token = issue(db_url, tmp_path, tenant)
    assert listed(db_url, tmp_path, tenant, token["id"])["last_used_at"] is None
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for _ in range(5):
            assert client.get(PROGRAM, headers=headers(token["id"], token["secret"])).is_success
    # Written off the request path: polled for, with a generous deadline.
    deadline = time.monotonic() + 30
    while True:
        with server.app.engine.connect() as connection:
            if get_token(connection, token["id"]).last_used_at is not None:
                break
        assert time.monotonic() < deadline, "the token's use was never recorded"
        time.sleep(0.05)
    row = listed(db_url, tmp_path, tenant, token["id"])
    assert row["last_used_at"] is not None
    assert row["status"] == "active"
    assert "secret" not in row and "secret_hash" not in row
    assert token["secret"] not in json.dumps(row)


# -- the server log -----------------------------------------------------------------------


def test_a_database_error_leaves_no_customer_data_in_the_server_log(
    server: LiveServer, tenant: TenantInfo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    people = [
        {"customerId": SECRET_ID, "name": SECRET_NAME},
        {"customerId": SECRET_ID, "name": SECRET_NAME},  # the unique constraint refuses it
    ]
    with server.client(tenant) as client:
        response = client.post(f"{BATCH}/people", json={"body": people})
        assert response.status_code == 202, response.text
        wait_for(client, f"{BATCH}/{response.json()['jobId']}", "completed", "failed")
    deadline = time.monotonic() + 30
    while "unique" not in caplog.text.lower():  # the failure is logged, with its error id
        assert time.monotonic() < deadline, f"the storage failure was not logged: {caplog.text}"
        time.sleep(0.05)
    assert "error id" in caplog.text
    assert SECRET_ID not in caplog.text
    assert SECRET_NAME not in caplog.text


def test_a_value_postgresql_cannot_store_is_not_logged(
    server: LiveServer, tenant: TenantInfo, caplog: pytest.LogCaptureFixture, db_url: str
) -> None:
    caplog.set_level(logging.DEBUG)
    people = [{"customerId": SECRET_ID, "name": f"{SECRET_NAME}\u0000x"}]
    with server.client(tenant) as client:
        response = client.post(f"{BATCH}/people", json={"body": people})
        assert response.status_code in (202, 422), response.text
        if response.status_code == 202:
            wait_for(client, f"{BATCH}/{response.json()['jobId']}", "completed", "failed")
    if db_url.startswith("postgresql") and response.status_code == 202:
        deadline = time.monotonic() + 30
        while "NUL" not in caplog.text:
            assert time.monotonic() < deadline, f"the storage failure was not logged: {caplog.text}"
            time.sleep(0.05)
    assert SECRET_ID not in caplog.text
    assert SECRET_NAME not in caplog.text
