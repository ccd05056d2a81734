"""The root `geode` command."""

from __future__ import annotations

from typing import Annotated

import typer

from geode.cli.db import db_app
from geode.cli.export import export
from geode.cli.failures import DebugFlag, run
from geode.cli.massop import massop_app
from geode.cli.media import media_app
from geode.cli.serve import serve
from geode.cli.tenant import tenant_app, token_app
from geode.cli.worker import worker

cli = typer.Typer(
    help="Geode: move commerce data in bulk, safely.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@cli.callback()
def root(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="On an unexpected error, print its traceback (also: GEODE_DEBUG=1).",
        ),
    ] = False,
) -> None:
    """Geode: move commerce data in bulk, safely."""
    DebugFlag.on = debug


cli.add_typer(db_app, name="db")
cli.add_typer(tenant_app, name="tenant")
cli.add_typer(token_app, name="token")
cli.add_typer(massop_app, name="massop")
cli.add_typer(media_app, name="media")
cli.command("export")(export)
cli.command("serve")(serve)
cli.command("worker")(worker)


def main() -> None:
    run(cli)
