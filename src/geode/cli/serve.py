"""`geode serve`: the HTTP API with its worker, in one process."""

from __future__ import annotations

import errno
import socket
from typing import Annotated

import typer

from geode.cli.context import EXIT_CANCELLED, EXIT_FAILED, app_context, err
from geode.errors import GeodeError


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="TCP port (0: any free port).")
    ] = 8000,
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
        # The port is taken before anything starts (the worker, a database queue),
        # so a busy port is one line, not a started-then-stopped server.
        listener = listen(host, port)
        port = listener.getsockname()[1]
        lifecycle = server_worker(app) if worker else server_queue(app)
        err.print(f"geode: API on http://{host}:{port} (docs: http://{host}:{port}/docs)")
        server = uvicorn.Server(uvicorn.Config(create_api(app, lifecycle), log_level="warning"))
        try:
            server.run(sockets=[listener])
        except SystemExit as exc:  # uvicorn's way of saying the app did not start
            if exc.code:
                err.print("error: the server did not start (the reason is above)")
                raise typer.Exit(EXIT_FAILED) from None
        except KeyboardInterrupt:  # uvicorn stopped cleanly, then re-raised the Ctrl-C
            err.print("geode: server stopped")
            raise typer.Exit(EXIT_CANCELLED) from None
        finally:
            listener.close()


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port), or a GeodeError saying why not and what to do."""
    where = f"{host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise GeodeError(
            f"cannot listen on {where}: unknown host {host!r} ({exc.strerror}); "
            "give an address of this machine with --host (e.g. 127.0.0.1 or 0.0.0.0)"
        ) from None
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as exc:
        listener.close()
        advice = {
            errno.EADDRINUSE: "another process (perhaps another `geode serve`) listens there; "
            "stop it or choose another port with --port",
            errno.EACCES: "ports below 1024 need privileges; choose --port 1024 or above",
            errno.EADDRNOTAVAIL: "that address is not one of this machine's; check --host",
        }.get(exc.errno or 0, "check --host and --port")
        raise GeodeError(f"cannot listen on {where}: {exc.strerror or exc}; {advice}") from None
    listener.set_inheritable(True)
    return listener
