"""A real server on a real socket: uvicorn in a thread, spoken to over HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from geode.api.rest.app import create_api
from geode.app import App, create_app
from geode.batches.handler import BatchHandler
from geode.jobs.runtime import Lifecycle, server_worker
from geode.settings import Settings
from geode.tenants.service import TenantInfo, create_token


@dataclass
class LiveServer:
    app: App
    url: str

    def client(self, tenant: TenantInfo | None = None, **headers: str) -> httpx.Client:
        if tenant is not None:
            with self.app.engine.begin() as connection:
                token = create_token(connection, tenant.id)
            headers = {
                "X-Crystallize-Access-Token-Id": token.id,
                "X-Crystallize-Access-Token-Secret": token.secret,
                **headers,
            }
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def serve(
    app: App, worker: Callable[[App], Lifecycle | None] = server_worker
) -> Iterator[LiveServer]:
    """A real server on a free port, with `worker(app)` run around it."""
    config = uvicorn.Config(
        create_api(app, worker(app)), host="127.0.0.1", port=0, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a bound against hangs, not a speed check
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield LiveServer(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(60)


@pytest.fixture
def batch_handlers() -> dict[str, BatchHandler] | None:
    """Override in a test module to serve fake batch types; None serves the real seven."""
    return None


@pytest.fixture
def server(
    settings: Settings, batch_handlers: dict[str, BatchHandler] | None
) -> Iterator[LiveServer]:
    app = create_app(settings, migrate=False, handlers=batch_handlers)
    try:
        yield from serve(app)
    finally:
        app.close()


def wait_for(client: httpx.Client, path: str, *statuses: str, timeout: float = 120) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(path).json()
        if body.get("status") in statuses:
            return body  # type: ignore[no-any-return]
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} stayed {body.get('status')!r}: {body}")
        time.sleep(0.05)
