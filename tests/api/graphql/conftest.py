"""The Core API on a real server: a tenant with a token, spoken to in GraphQL over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from geode.app import App
from geode.tenants.service import TenantInfo
from tests.api.rest.conftest import LiveServer, batch_handlers, server
from tests.catalogue.files import run

__all__ = ["CoreClient", "batch_handlers", "server"]


@dataclass
class CoreClient:
    """Posts GraphQL documents to `/@{tenant}` with the tenant's access token."""

    http: httpx.Client
    tenant: TenantInfo
    app: App

    def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return self.http.post(f"/@{self.tenant.identifier}", json=body)

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of a query that must not fail at the GraphQL level."""
        response = self.post(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    def run_file(self, tmp_path: Path, operations: list[dict[str, Any]]) -> None:
        """Put a catalogue in place with a mass-operation file (the engine's own path)."""
        path = tmp_path / f"setup-{len(list(tmp_path.iterdir()))}.json"
        path.write_text(json.dumps({"version": "0.0.1", "operations": operations}))
        task = run(self.app, self.tenant, path)
        assert task.status == "complete", task
        failures = [log for log in self.app.massops.logs(task.id) if log["status"] != "success"]
        assert not failures, failures


@pytest.fixture
def core(server: LiveServer, tenant: TenantInfo) -> Iterator[CoreClient]:
    with server.client(tenant) as http:
        yield CoreClient(http, tenant, server.app)
