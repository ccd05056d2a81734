"""`geode db ...`."""

from __future__ import annotations

import typer

from geode.cli.context import app_context, out
from geode.db.migrate import upgrade as upgrade_schema

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Apply all migrations (also done automatically on first use)."""
    with app_context() as app:
        upgrade_schema(app.engine)
        out.print(f"database at head: {app.engine.url.render_as_string(hide_password=True)}")
