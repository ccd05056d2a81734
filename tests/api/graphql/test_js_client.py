"""Crystallize's own JS client (`@crystallize/js-api-client` 7.4.0) runs a mass operation
against a live Geode server: presigned upload, bulk task, polling, paged logs.

The client always builds `https://api.crystallize.com/...` URLs; the Node script
(`node/mass-operation.mjs`) replaces its transport, `globalThis.fetch`, to send
those to the loopback server. The package is installed once from the lockfile
(`npm ci --ignore-scripts`) into node/node_modules (gitignored), under a lock
against parallel installs. Without Node.js or npm the test is skipped, with the
reason, unless GEODE_REQUIRE_NODE=1 (CI sets it): then that is a failure.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.api.graphql.conftest import CoreClient
from tests.node_packages import install

NODE_DIR = Path(__file__).parent / "node"
SCRIPT = NODE_DIR / "mass-operation.mjs"
PACKAGE = "@crystallize/js-api-client"

OPERATIONS = [
    {"_ref": "ada", "intent": "customer/create", "identifier": "ada@example.com",
     "firstName": "Ada", "email": "ada@example.com", "type": "individual"},
    {"_ref": "bob", "intent": "customer/create", "identifier": "bob@example.com",
     "firstName": "Bob"},
    {"_ref": "again", "intent": "customer/create", "identifier": "ada@example.com",
     "firstName": "Again"},
    {"_ref": "acme", "intent": "customer/create", "identifier": "acme", "companyName": "Acme",
     "type": "organization"},
    {"intent": "customer/create", "identifier": "cy@example.com", "lastName": "Cy"},
]  # fmt: skip
"""Four customers made, one refused (its identifier is taken); the engine keeps the
output of the operations named with a `_ref`."""


@pytest.fixture(scope="session")
def js_client() -> Path:
    """The script, once its package is installed."""
    install(NODE_DIR, PACKAGE, "the JS client")
    return SCRIPT


def run_script(script: Path, config: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(script)],
        cwd=NODE_DIR,
        input=json.dumps(config),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise AssertionError(f"node {script.name} failed: {done.stderr.strip()}")
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def test_crystallize_s_js_client_runs_a_mass_operation(
    core: CoreClient, js_client: Path, tmp_path: Path
) -> None:
    path = tmp_path / "customers.json"
    path.write_text(json.dumps({"version": "0.0.1", "operations": OPERATIONS}))
    server = str(core.http.base_url).rstrip("/")
    seen = run_script(
        js_client,
        {
            "server": server,
            "tenantIdentifier": core.tenant.identifier,
            "accessTokenId": core.http.headers["X-Crystallize-Access-Token-Id"],
            "accessTokenSecret": core.http.headers["X-Crystallize-Access-Token-Secret"],
            "file": str(path),
            "pageSize": 2,
        },
    )

    key = seen["key"]
    assert key.startswith(f"{core.tenant.identifier}/mass-operations/")
    assert key.endswith("/customers.json")
    assert seen["created"]["status"] == "pending" and seen["created"]["type"] == "massOperation"
    assert list(seen["reuse"]) == ["error"] and "already" in seen["reuse"]["error"]
    assert seen["task"] == {"id": seen["created"]["id"], "type": "massOperation",
                            "status": "complete", "key": key}  # fmt: skip
    assert set(seen["statuses"]) <= {"pending", "started", "complete"}

    # Every Core API call went to https://api.crystallize.com/@tenant, sent to the
    # loopback server; the upload went straight to the URL Geode gave.
    core_url = f"https://api.crystallize.com/@{core.tenant.identifier}"
    calls = [(s["asked"], s["sent"]) for s in seen["seen"]]
    upload = f"{server}/api/massops/uploads"
    assert (upload, upload) in calls
    assert all(sent == f"{server}/@{core.tenant.identifier}" for asked, sent in calls
               if asked == core_url)  # fmt: skip
    assert {asked for asked, _ in calls} == {core_url, upload}

    logs = seen["logs"]
    assert seen["pages"] == 3
    assert [(log["status"], log["statusCode"]) for log in logs] == [
        ("success", 200), ("success", 200), ("failure", 500), ("success", 200), ("success", 200),
    ]  # fmt: skip
    outputs = [log["output"] and log["output"]["identifier"] for log in logs]
    assert outputs == ["ada@example.com", "bob@example.com", None, "acme", None]
    assert logs[0]["output"]["firstName"] == "Ada" and logs[0]["input"] is None
    assert logs[2]["input"]["firstName"] == "Again" and "ada@example.com" in logs[2]["message"]
    assert len({log["id"] for log in logs}) == 5

    with core.app.engine.connect() as connection:
        rows = connection.execute(
            sa.text("select identifier, first_name from customers where tenant_id = :t"),
            {"t": core.tenant.id},
        )
        created = {row.identifier: row.first_name for row in rows}
    assert created == {"ada@example.com": "Ada", "bob@example.com": "Bob", "acme": None,
                       "cy@example.com": None}  # fmt: skip
