"""Schemathesis in GraphQL mode against the Core API and the Catalogue API.

It runs the `schemathesis` command on each schema's SDL (printed by the same
schema objects the server serves) against a live server, with its default
checks: no server error, and every answer fits the schema (10 examples per field
unless GEODE_SCHEMATHESIS_GRAPHQL_EXAMPLES says more, to keep CI short). Generated
mutations write into a throwaway SQLite store.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from geode.api.graphql.catalogue.schema import build_catalogue_schema
from geode.api.graphql.core.schema import build_core_schema
from geode.tenants.service import TenantInfo, create_token
from tests.api.rest.conftest import LiveServer

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def _run(schema_text: str, url: str, headers: list[str], tmp_path: Path) -> None:
    sdl = tmp_path / "schema.graphql"
    sdl.write_text(schema_text)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run", str(sdl),
        "--url", url,
        *headers,
        "--max-examples", os.environ.get("GEODE_SCHEMATHESIS_GRAPHQL_EXAMPLES", "10"),
        "--seed", "20261201",
        "--generation-database", "none",
        "--request-timeout", "30",
        "--no-color",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]


def test_the_core_api_never_fails_and_never_breaks_its_schema(
    server: LiveServer, tenant: TenantInfo, tmp_path: Path
) -> None:
    with server.app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
    headers = [
        "--header", f"X-Crystallize-Access-Token-Id: {token.id}",
        "--header", f"X-Crystallize-Access-Token-Secret: {token.secret}",
    ]  # fmt: skip
    _run(str(build_core_schema()), f"{server.url}/@{tenant.identifier}", headers, tmp_path)


def test_the_catalogue_api_never_fails_and_never_breaks_its_schema(
    server: LiveServer, tenant: TenantInfo, tmp_path: Path
) -> None:
    url = f"{server.url}/{tenant.identifier}/catalogue"
    _run(str(build_catalogue_schema()), url, [], tmp_path)
