"""A tenant's static token: what its Catalogue API may require of a storefront.

A tenant's published catalogue is public until it creates a static token
(`geode tenant static-token create`); from then on a request must send it in
`X-Crystallize-Static-Auth-Token`. One token per tenant: creating another
replaces it, removing it makes the catalogue public again. The token is shown
once; only its sha256 is stored (`tenant_static_tokens`), and a presented
token is compared with it in constant time. Functions take a connection;
callers commit.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from geode.tenants.models import Tenant, TenantStaticToken
from geode.tenants.token_hash import hash_token
from geode.timestamps import utcnow

_tenants: sa.Table = Tenant.__table__  # type: ignore[assignment]
_tokens: sa.Table = TenantStaticToken.__table__  # type: ignore[assignment]

HEADER = "X-Crystallize-Static-Auth-Token"


@dataclass(frozen=True, slots=True)
class CatalogueTenant:
    """What a Catalogue API request needs to know of the tenant its path names."""

    id: str
    identifier: str
    static_token_hash: str | None

    @property
    def is_public(self) -> bool:
        return self.static_token_hash is None


def catalogue_tenant(connection: sa.Connection, identifier: str) -> CatalogueTenant | None:
    """The tenant named `identifier` and its static token's hash, or None (one statement)."""
    row = connection.execute(
        sa.select(_tenants.c.id, _tenants.c.identifier, _tokens.c.token_hash)
        .select_from(_tenants.outerjoin(_tokens, _tokens.c.tenant_id == _tenants.c.id))
        .where(_tenants.c.identifier == identifier)
    ).first()
    if row is None:
        return None
    return CatalogueTenant(str(row.id), str(row.identifier), row.token_hash)


def create_static_token(connection: sa.Connection, tenant_id: str) -> tuple[str, bool]:
    """A new static token for the tenant, returned once and stored hashed; True if it
    replaced one (which stops working)."""
    token = secrets.token_urlsafe(32)
    replaced = remove_static_token(connection, tenant_id)
    connection.execute(
        sa.insert(_tokens).values(
            tenant_id=tenant_id, token_hash=hash_token(token), created_at=utcnow()
        )
    )
    return token, replaced


def remove_static_token(connection: sa.Connection, tenant_id: str) -> bool:
    """Make the tenant's catalogue public again; False if it required no token."""
    removed = connection.execute(sa.delete(_tokens).where(_tokens.c.tenant_id == tenant_id))
    return bool(removed.rowcount)


def static_token_matches(stored_hash: str, presented: str | None) -> bool:
    """Whether `presented` is the token whose hash is stored, in constant time."""
    if not presented:
        return False
    return hmac.compare_digest(stored_hash, hash_token(presented))
