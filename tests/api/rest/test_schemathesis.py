"""Schemathesis against the served OpenAPI spec: no 5xx, no response that breaks the spec.

It runs the `schemathesis` command against a live server (SQLite, real
batch types, in-process worker), as a user's CI would. Checks left out, on
purpose: `negative_data_rejection` (an object that breaks its type's schema
is accepted into the job and reported in `response.failed`, by design),
`use_after_free` (DELETE stops a job, it does not delete it: its status stays
readable), and `unsupported_method`/`allow_header_conformance` (routing
details of the framework, not the contract).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from geode.tenants.service import TenantInfo, create_token
from tests.api.rest.conftest import LiveServer

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


@pytest.mark.integration
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_server_error_and_no_response_breaks_the_spec(
    server: LiveServer, tenant: TenantInfo, tmp_path: Path
) -> None:
    with server.app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{server.url}/openapi.json",
        "--header", f"X-Crystallize-Access-Token-Id: {token.id}",
        "--header", f"X-Crystallize-Access-Token-Secret: {token.secret}",
        "--checks", CHECKS,
        "--max-examples", os.environ.get("GEODE_SCHEMATHESIS_EXAMPLES", "25"),
        "--seed", "20261124",
        "--generation-database", "none",
        "--request-timeout", "30",
        "--no-color",
        "--report", "junit",
        "--report-dir", str(tmp_path),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
