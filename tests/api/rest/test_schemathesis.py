"""Schemathesis against the served OpenAPI spec, with every check that applies.

It runs the `schemathesis` command against a live server (SQLite, real
batch types, in-process worker), as a user's CI would, with every check on:
no 5xx; every answer, status, header and content type as documented; invalid
requests refused and valid ones accepted; 405 with `Allow` for a method a
path does not take; an operation that declares the token headers refuses a
request without them; ids from answers lead to readable resources (stateful
phase, through the spec's links).

schemathesis.toml beside this file switches off what does not apply, each with
its reason (`use_after_free`: DELETE stops a batch job, it does not delete it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from geode.tenants.service import TenantInfo, create_token
from tests.api.rest.conftest import LiveServer

CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.mark.integration
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_server_error_and_no_response_breaks_the_spec(
    server: LiveServer, tenant: TenantInfo, tmp_path: Path
) -> None:
    with server.app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(CONFIG),
        "run",
        f"{server.url}/openapi.json",
        "--header", f"X-Crystallize-Access-Token-Id: {token.id}",
        "--header", f"X-Crystallize-Access-Token-Secret: {token.secret}",
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
