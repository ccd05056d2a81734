"""`geode worker`: run queued jobs on PostgreSQL, in the foreground, as many as you start."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Annotated

import typer

from geode.cli.context import EXIT_CANCELLED, EXIT_FAILED, app_context, err, print_error


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=8,
            help="Jobs run at once (default: GEODE_WORKER_CONCURRENCY, 1 unless set).",
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Name in logs (default: geode-HOST-PID).")
    ] = None,
) -> None:
    """Run batch jobs and mass-operation tasks queued in PostgreSQL, until Ctrl-C or SIGTERM.

    Start any number, on any machines. A stopped worker finishes the batch in
    hand and leaves the rest of its job to the others; a killed one's job is
    retried by another worker from its last checkpoint.
    """
    from geode.jobs.distributed.conninfo import is_postgresql

    with app_context() as app:
        if not is_postgresql(app.engine):
            err.print(
                "[bold red]error[/]: workers need PostgreSQL (GEODE_DATABASE_URL="
                "postgresql+psycopg://...); on SQLite, `geode serve` runs jobs in its own "
                "in-process worker",
                markup=True,
            )
            raise typer.Exit(EXIT_FAILED)

        from geode.jobs.distributed.worker import QueueWorker, WorkerOptions
        from geode.jobs.runtime import attach_queue

        try:
            options = WorkerOptions.from_settings(app.settings, name=name, concurrency=concurrency)
        except ValueError as exc:
            print_error(str(exc))
            raise typer.Exit(EXIT_FAILED) from None
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        for chatty in ("procrastinate.blueprints", "procrastinate.jobs"):  # a line per defer
            logging.getLogger(chatty).setLevel(logging.WARNING)
        dispatcher = attach_queue(app)
        if app.settings.worker_nice:
            # Background work yields the CPU to request handling on a shared machine.
            os.nice(app.settings.worker_nice)
        err.print(
            f"geode: worker {options.name} (concurrency {options.concurrency}) waiting for "
            "jobs; Ctrl-C stops it after the batch in hand"
        )
        try:
            asyncio.run(QueueWorker(app, options, install_signal_handlers=True).run())
        except KeyboardInterrupt:
            raise typer.Exit(EXIT_CANCELLED) from None
        finally:
            dispatcher.close()
        err.print(f"geode: worker {options.name} stopped")
