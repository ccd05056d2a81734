"""Tenants and their API access tokens. Functions take a connection; callers commit."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from geode.errors import AlreadyExistsError, AuthenticationError, InvalidInputError, NotFoundError
from geode.ids import new_id
from geode.tenants.models import AccessToken, Tenant
from geode.timestamps import stored_timestamp, utcnow

_tenants: sa.Table = Tenant.__table__  # type: ignore[assignment]
_tokens: sa.Table = AccessToken.__table__  # type: ignore[assignment]
_IDENTIFIER_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class TenantInfo:
    id: str
    identifier: str
    created_at: str


@dataclass(frozen=True)
class IssuedToken:
    """The secret is shown once, here; only its hash is stored."""

    id: str
    secret: str
    tenant_id: str


def create_tenant(connection: sa.Connection, identifier: str) -> TenantInfo:
    if not _IDENTIFIER_RE.fullmatch(identifier):
        raise InvalidInputError(
            f"tenant identifier {identifier!r} must be 1-64 lowercase letters, digits or '-', "
            "starting with a letter or digit"
        )
    if connection.execute(
        sa.select(_tenants.c.id).where(_tenants.c.identifier == identifier)
    ).first():
        raise AlreadyExistsError(f"tenant '{identifier}' already exists")
    tenant = TenantInfo(new_id(), identifier, utcnow())
    connection.execute(
        sa.insert(_tenants).values(
            id=tenant.id, identifier=identifier, created_at=tenant.created_at
        )
    )
    return tenant


def get_tenant(connection: sa.Connection, identifier: str) -> TenantInfo:
    row = connection.execute(sa.select(_tenants).where(_tenants.c.identifier == identifier)).first()
    if row is None:
        raise NotFoundError(
            f"no tenant '{identifier}'; create it with: geode tenant create {identifier}"
        )
    return TenantInfo(row.id, row.identifier, stored_timestamp(row.created_at))


def list_tenants(connection: sa.Connection) -> list[TenantInfo]:
    rows = connection.execute(sa.select(_tenants).order_by(_tenants.c.identifier))
    return [TenantInfo(r.id, r.identifier, stored_timestamp(r.created_at)) for r in rows]


def create_token(connection: sa.Connection, tenant_id: str) -> IssuedToken:
    token = IssuedToken(new_id(), secrets.token_urlsafe(32), tenant_id)
    connection.execute(
        sa.insert(_tokens).values(
            id=token.id, tenant_id=tenant_id, secret_hash=_hash(token.secret), created_at=utcnow()
        )
    )
    return token


def authenticate(connection: sa.Connection, token_id: str, secret: str) -> str:
    """The tenant id a token belongs to; the same error for every kind of mismatch."""
    row = connection.execute(
        sa.select(_tokens.c.tenant_id, _tokens.c.secret_hash).where(_tokens.c.id == token_id)
    ).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(secret)):
        raise AuthenticationError("invalid access token id or secret")
    return str(row.tenant_id)


def _hash(secret: str) -> str:
    # Secrets are 256-bit random: a fast hash is enough (no dictionary to guard against).
    return hashlib.sha256(secret.encode()).hexdigest()
