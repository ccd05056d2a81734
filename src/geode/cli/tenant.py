"""`geode tenant ...` and `geode token ...`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from geode.cli.context import app_context, out, print_json
from geode.db.engine import reading
from geode.tenants import service

tenant_app = typer.Typer(help="Tenants: every record belongs to one.", no_args_is_help=True)
token_app = typer.Typer(help="API access tokens for a tenant.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@tenant_app.command("create")
def create(identifier: str, as_json: JsonOption = False) -> None:
    """Create a tenant."""
    with app_context() as app, app.engine.begin() as connection:
        tenant = service.create_tenant(connection, identifier)
    if as_json:
        print_json(asdict(tenant))
    else:
        out.print(f"created tenant {tenant.identifier} ({tenant.id})")


@tenant_app.command("show")
def show(identifier: str, as_json: JsonOption = False) -> None:
    """Show one tenant."""
    with app_context() as app, reading(app.engine) as connection:
        tenant = service.get_tenant(connection, identifier)
    if as_json:
        print_json(asdict(tenant))
    else:
        out.print(f"{tenant.identifier}  id={tenant.id}  created={tenant.created_at}")


@tenant_app.command("list")
def list_(as_json: JsonOption = False) -> None:
    """List tenants."""
    with app_context() as app, reading(app.engine) as connection:
        tenants = service.list_tenants(connection)
    for tenant in tenants:
        if as_json:
            print_json(asdict(tenant))
        else:
            out.print(f"{tenant.identifier}  id={tenant.id}")


@token_app.command("create")
def create_token(
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant identifier.")],
    as_json: JsonOption = False,
) -> None:
    """Issue an access token; the secret is printed once and stored only as a hash."""
    with app_context() as app, app.engine.begin() as connection:
        tenant_info = service.get_tenant(connection, tenant)
        token = service.create_token(connection, tenant_info.id)
    if as_json:
        print_json({"id": token.id, "secret": token.secret})
    else:
        out.print(f"access token id:     {token.id}")
        out.print(f"access token secret: {token.secret}")
        out.print("Store the secret now: it cannot be shown again.")
