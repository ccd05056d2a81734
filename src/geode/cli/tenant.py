"""`geode tenant ...` and `geode token ...`."""

from __future__ import annotations

import re
import sys
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from geode.cli.context import app_context, err, out, print_json
from geode.db.engine import reading
from geode.errors import InvalidInputError
from geode.jsontext import encode_for_file
from geode.tenants import service, static_tokens
from geode.tenants.configure import ConfigureResult, configure
from geode.tenants.settings import TenantSettings, read_settings
from geode.tenants.settings_schemas import parse_settings

tenant_app = typer.Typer(help="Tenants: every record belongs to one.", no_args_is_help=True)
token_app = typer.Typer(help="API access tokens for a tenant.", no_args_is_help=True)
static_token_app = typer.Typer(
    help="The static token a tenant's Catalogue API may require (public without one).",
    no_args_is_help=True,
)
tenant_app.add_typer(static_token_app, name="static-token")

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
    """Show one tenant and its settings; --json prints a valid input of `tenant configure`."""
    with app_context() as app, reading(app.engine) as connection:
        settings = read_settings(connection, service.get_tenant(connection, identifier).id)
    if as_json:
        sys.stdout.buffer.write(encode_for_file(settings.as_json()) + b"\n")
        sys.stdout.flush()
    else:
        _print_settings(settings)


# A settings file is a few lists; anything this big is a mistake (a wrong file given).
MAX_SETTINGS_BYTES = 16 * 1024 * 1024


@tenant_app.command("configure")
def configure_(
    identifier: Annotated[str, typer.Argument(metavar="TENANT", help="Tenant identifier.")],
    file: Annotated[
        Path,
        typer.Argument(
            metavar="SETTINGS.json",
            help="languages, vatTypes, priceVariants, stockLocations; a list given replaces "
            "that setting whole, a list left out keeps it.",
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Set a tenant's settings from a file (as `tenant show --json` prints them)."""
    with app_context() as app:
        with open(file, "rb") as handle:
            raw = handle.read(MAX_SETTINGS_BYTES + 1)
        if len(raw) > MAX_SETTINGS_BYTES:
            raise InvalidInputError(
                f"{file} is over {MAX_SETTINGS_BYTES // (1024 * 1024)} MB; a settings file "
                "holds a few lists: is it the right file?"
            )
        wanted = parse_settings(raw, app.settings.max_json_depth, str(file))
        with app.engine.begin() as connection:
            tenant_id = service.get_tenant(connection, identifier).id
            result = configure(connection, tenant_id, wanted, app.setting_usages)
    if as_json:
        print_json(result.as_json())
    else:
        _print_changes(result)


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


TenantArgument = Annotated[str, typer.Argument(metavar="TENANT", help="Tenant identifier.")]


@static_token_app.command("create")
def create_static_token(tenant: TenantArgument, as_json: JsonOption = False) -> None:
    """Require a static token to read the tenant's Catalogue API; printed once.

    Replaces the tenant's static token, if it had one: the old one stops working.
    """
    with app_context() as app, app.engine.begin() as connection:
        tenant_info = service.get_tenant(connection, tenant)
        token, replaced = static_tokens.create_static_token(connection, tenant_info.id)
    if as_json:
        print_json({"tenant": tenant_info.identifier, "staticToken": token, "replaced": replaced})
        return
    out.print(f"static token: {token}")
    out.print(
        f"The Catalogue API of {tenant_info.identifier} now requires it in the "
        f"{static_tokens.HEADER} header."
    )
    if replaced:
        out.print("The previous static token no longer works.")
    out.print("Store the token now: it cannot be shown again.")


@static_token_app.command("remove")
def remove_static_token(tenant: TenantArgument, as_json: JsonOption = False) -> None:
    """Make the tenant's published catalogue public again (no token needed)."""
    with app_context() as app, app.engine.begin() as connection:
        tenant_info = service.get_tenant(connection, tenant)
        removed = static_tokens.remove_static_token(connection, tenant_info.id)
    if as_json:
        print_json({"tenant": tenant_info.identifier, "removed": removed})
    elif removed:
        out.print(f"removed the static token: the catalogue of {tenant_info.identifier} is public")
    else:
        out.print(f"{tenant_info.identifier} had no static token: its catalogue was public already")


_DURATION_RE = re.compile(r"(\d{1,9})([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_lifetime(text: str) -> timedelta:
    """`30d`, `12h`, `90m` or `3600s`."""
    match = _DURATION_RE.fullmatch(text.strip())
    if match is None:
        raise InvalidInputError(
            f"--expires-in {text!r} is not a duration: give a whole number and a unit, "
            "e.g. 30d, 12h, 90m or 3600s"
        )
    try:
        lifetime = timedelta(**{_UNITS[match[2]]: int(match[1])})
    except OverflowError:
        raise InvalidInputError(f"--expires-in {text!r} is too long") from None
    if not lifetime:
        raise InvalidInputError("--expires-in must be more than zero")
    return lifetime


@token_app.command("create")
def create_token(
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant identifier.")],
    expires_in: Annotated[
        str | None,
        typer.Option(
            "--expires-in",
            help="Refuse the token after this long: 30d, 12h, 90m or 3600s. "
            "Default: it never expires.",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="A note saying who or what uses the token."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Issue an access token; the secret is printed once and stored only as a hash."""
    with app_context() as app:
        lifetime = None if expires_in is None else parse_lifetime(expires_in)
        with app.engine.begin() as connection:
            tenant_info = service.get_tenant(connection, tenant)
            token = service.create_token(connection, tenant_info.id, expires_in=lifetime, name=name)
    if as_json:
        print_json(
            {
                "id": token.id,
                "secret": token.secret,
                "tenant": tenant_info.identifier,
                "name": token.name,
                "expires_at": token.expires_at,
            }
        )
    else:
        out.print(f"access token id:     {token.id}")
        out.print(f"access token secret: {token.secret}")
        if token.expires_at is not None:
            out.print(f"expires:             {token.expires_at}")
        out.print("Store the secret now: it cannot be shown again.")


@token_app.command("list")
def list_tokens(
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="Only this tenant's tokens.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List access tokens (never their secrets): created, expiry, last use, status."""
    with app_context() as app, reading(app.engine) as connection:
        tenant_id = None if tenant is None else service.get_tenant(connection, tenant).id
        tokens = service.list_tokens(connection, tenant_id)
    if as_json:
        for token in tokens:
            print_json(asdict(token))
        return
    if not tokens:
        err.print("no access tokens; create one with: geode token create --tenant TENANT")
        return
    out.print(
        f"{'ID':<24}  {'TENANT':<20}  {'STATUS':<7}  {'CREATED':<20}  {'EXPIRES':<20}  "
        f"{'LAST USED':<20}  NAME"
    )
    for token in tokens:
        out.print(
            f"{token.id:<24}  {token.tenant:<20}  {token.status:<7}  "
            f"{_short(token.created_at):<20}  {_short(token.expires_at, 'never'):<20}  "
            f"{_short(token.last_used_at, 'never'):<20}  {token.name or ''}",
            markup=False,
        )


@token_app.command("revoke")
def revoke_token(
    token_id: Annotated[str, typer.Argument(metavar="ID", help="The token's id.")],
    as_json: JsonOption = False,
) -> None:
    """Refuse a token from now on. Revoking a revoked token changes nothing."""
    with app_context() as app, app.engine.begin() as connection:
        before = service.get_token(connection, token_id)
        token = service.revoke_token(connection, token_id)
    if as_json:
        print_json(asdict(token))
    elif before.revoked_at is not None:
        out.print(f"access token {token.id} was already revoked at {token.revoked_at}")
    else:
        out.print(f"revoked access token {token.id} of tenant {token.tenant}")


def _short(timestamp: str | None, missing: str = "") -> str:
    """`2024-05-01T12:30:00Z`: seconds are enough in a table."""
    if timestamp is None:
        return missing
    return timestamp[:19] + "Z"


def _print_settings(settings: TenantSettings) -> None:
    out.print(f"tenant {settings.identifier}")
    out.print(f"  id:              {settings.id}")
    out.print(f"  created:         {settings.created_at}")
    out.print(f"  root item:       {settings.root_item_id}")
    out.print("  languages:       " + ", ".join(f"{x.code} ({x.name})" for x in settings.languages))
    out.print("  VAT types:")
    for vat in settings.vat_types:
        default = "  (default)" if vat.is_default else ""
        out.print(f"    {vat.id}  {vat.percent}%  {vat.name}{default}")
    out.print("  price variants:")
    for variant in settings.price_variants:
        out.print(f"    {variant.identifier}  {variant.currency}  {variant.name}")
    out.print("  stock locations:")
    for location in settings.stock_locations:
        out.print(f"    {location.identifier}  {location.name}")


def _print_changes(result: ConfigureResult) -> None:
    if result.unchanged:
        out.print(f"tenant {result.tenant}: settings unchanged")
        return
    out.print(f"tenant {result.tenant}: settings changed")
    for key, changes in result.changes.items():
        parts = [
            f"{verb} {', '.join(labels)}"
            for verb, labels in (
                ("created", changes.created),
                ("updated", changes.updated),
                ("removed", changes.removed),
            )
            if labels
        ]
        out.print(f"  {key}: {'; '.join(parts) or 'unchanged'}")
