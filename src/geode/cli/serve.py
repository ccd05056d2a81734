"""`geode serve`: the HTTP API with its worker, in one process."""

from __future__ import annotations

from typing import Annotated

import typer

from geode.cli.context import app_context, err


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Run queued jobs in this process too. On PostgreSQL, --no-worker leaves "
            "them to `geode worker` processes.",
        ),
    ] = True,
) -> None:
    """Start the HTTP API (docs at /docs) and an in-process worker."""
    import uvicorn

    from geode.api.rest.app import create_api
    from geode.jobs.runtime import server_queue, server_worker

    with app_context() as app:
        lifecycle = server_worker(app) if worker else server_queue(app)
        err.print(f"geode: API on http://{host}:{port} (docs: http://{host}:{port}/docs)")
        uvicorn.run(create_api(app, lifecycle), host=host, port=port, log_level="warning")
