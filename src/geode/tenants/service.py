"""Tenants and their API access tokens. Functions take a connection; callers commit."""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from geode.errors import AlreadyExistsError, AuthenticationError, InvalidInputError, NotFoundError
from geode.ids import new_id
from geode.tenants.models import AccessToken, Tenant
from geode.tenants.settings import add_defaults
from geode.tenants.token_hash import hash_token
from geode.timestamps import format_timestamp, parse_timestamp, stored_timestamp, utcnow

_tenants: sa.Table = Tenant.__table__  # type: ignore[assignment]
_tokens: sa.Table = AccessToken.__table__  # type: ignore[assignment]
_IDENTIFIER_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# A token's note: printable text, so `token list` output cannot be forged or garbled.
_NAME_RE = re.compile(
    r"[^\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]{1,200}"
)
# How stale `last_used_at` may get: a busy API writes once a minute per token, not per request.
LAST_USED_PRECISION = timedelta(minutes=1)


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
    expires_at: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token: never its secret or hash."""

    id: str
    tenant_id: str
    tenant: str
    name: str | None
    created_at: str
    expires_at: str | None
    last_used_at: str | None
    revoked_at: str | None
    status: str  # active | expired | revoked


@dataclass(frozen=True)
class Authenticated:
    tenant_id: str
    # True when `last_used_at` is older than LAST_USED_PRECISION: the caller records the use.
    use_is_due: bool
    tenant_identifier: str = ""


def create_tenant(connection: sa.Connection, identifier: str) -> TenantInfo:
    """A tenant with the default settings (`settings.add_defaults`) and its root folder."""
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
            id=tenant.id,
            identifier=identifier,
            created_at=tenant.created_at,
            root_item_id=new_id(),
        )
    )
    add_defaults(connection, tenant.id)
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


def create_token(
    connection: sa.Connection,
    tenant_id: str,
    *,
    expires_in: timedelta | None = None,
    name: str | None = None,
) -> IssuedToken:
    if name is not None and not _NAME_RE.fullmatch(name):
        raise InvalidInputError(
            "a token name must be 1-200 characters without control or invisible format characters"
        )
    now = datetime.now(UTC)
    expires_at = None
    if expires_in is not None:
        if expires_in <= timedelta(0):
            raise InvalidInputError("a token's lifetime must be positive")
        try:
            expires_at = format_timestamp(now + expires_in)
        except OverflowError:
            raise InvalidInputError("a token's lifetime is too long") from None
    token = IssuedToken(new_id(), secrets.token_urlsafe(32), tenant_id, expires_at, name)
    connection.execute(
        sa.insert(_tokens).values(
            id=token.id,
            tenant_id=tenant_id,
            secret_hash=hash_token(token.secret),
            created_at=format_timestamp(now),
            name=name,
            expires_at=expires_at,
        )
    )
    return token


def list_tokens(
    connection: sa.Connection, tenant_id: str | None = None, *, now: datetime | None = None
) -> list[TokenInfo]:
    """Every token (of one tenant, if given), by tenant then age, oldest first."""
    query = _token_query().order_by(_tenants.c.identifier, _tokens.c.created_at, _tokens.c.id)
    if tenant_id is not None:
        query = query.where(_tokens.c.tenant_id == tenant_id)
    moment = now or datetime.now(UTC)
    return [_token_info(row, moment) for row in connection.execute(query)]


def get_token(connection: sa.Connection, token_id: str) -> TokenInfo:
    row = connection.execute(_token_query().where(_tokens.c.id == token_id)).first()
    if row is None:
        raise NotFoundError(f"no access token '{token_id}'; see them with: geode token list")
    return _token_info(row, datetime.now(UTC))


def revoke_token(connection: sa.Connection, token_id: str) -> TokenInfo:
    """Refuse the token from now on. Revoking twice keeps the first revocation time."""
    get_token(connection, token_id)
    connection.execute(
        sa.update(_tokens)
        .where(_tokens.c.id == token_id, _tokens.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return get_token(connection, token_id)


def authenticate(connection: sa.Connection, token_id: str, secret: str) -> str:
    """The tenant id a token belongs to; see `check_token`."""
    return check_token(connection, token_id, secret).tenant_id


def check_token(
    connection: sa.Connection, token_id: str, secret: str, *, now: datetime | None = None
) -> Authenticated:
    """Who a token speaks for. A wrong id or secret gets one message for every kind of
    mismatch (nothing to probe ids with); only the secret's holder learns that the token
    expired or was revoked, and what to do about it."""
    presented = hash_token(secret)
    row = connection.execute(
        sa.select(
            _tokens.c.tenant_id,
            _tokens.c.secret_hash,
            _tokens.c.expires_at,
            _tokens.c.revoked_at,
            _tokens.c.last_used_at,
            _tenants.c.identifier,
        )
        .join(_tenants, _tenants.c.id == _tokens.c.tenant_id)
        .where(_tokens.c.id == token_id)
    ).first()
    if row is None or not hmac.compare_digest(row.secret_hash, presented):
        raise AuthenticationError("invalid access token id or secret")
    moment = now or datetime.now(UTC)
    again = f"create a new one with: geode token create --tenant {row.identifier}"
    if row.revoked_at is not None:
        revoked_at = stored_timestamp(row.revoked_at)
        raise AuthenticationError(
            f"access token {token_id} was revoked at {revoked_at}; {again}",
            detail={"reason": "revoked", "at": revoked_at},
        )
    if row.expires_at is not None and _moment(row.expires_at) <= moment:
        expires_at = stored_timestamp(row.expires_at)
        raise AuthenticationError(
            f"access token {token_id} expired at {expires_at}; {again}",
            detail={"reason": "expired", "at": expires_at},
        )
    due = row.last_used_at is None or _moment(row.last_used_at) <= moment - LAST_USED_PRECISION
    return Authenticated(str(row.tenant_id), due, str(row.identifier))


def record_use(connection: sa.Connection, token_id: str, *, now: datetime | None = None) -> None:
    """Note that a token was just used, unless that was noted less than a minute ago
    (concurrent requests then write once)."""
    moment = now or datetime.now(UTC)
    stale = format_timestamp(moment - LAST_USED_PRECISION)
    connection.execute(
        sa.update(_tokens)
        .where(
            _tokens.c.id == token_id,
            sa.or_(
                _tokens.c.last_used_at.is_(None), _tokens.c.last_used_at <= _as_timestamp(stale)
            ),
        )
        .values(last_used_at=format_timestamp(moment))
    )


def _as_timestamp(value: str) -> sa.BindParameter[str]:
    # Typed like the column: PostgreSQL will not compare timestamptz with text.
    return sa.literal(value, _tokens.c.last_used_at.type)


def _token_query() -> sa.Select[tuple[object, ...]]:
    return sa.select(
        _tokens.c.id,
        _tokens.c.tenant_id,
        _tenants.c.identifier,
        _tokens.c.name,
        _tokens.c.created_at,
        _tokens.c.expires_at,
        _tokens.c.last_used_at,
        _tokens.c.revoked_at,
    ).join(_tenants, _tenants.c.id == _tokens.c.tenant_id)


def _token_info(row: sa.Row[tuple[object, ...]], now: datetime) -> TokenInfo:
    expires_at = _optional_timestamp(row.expires_at)
    revoked_at = _optional_timestamp(row.revoked_at)
    if revoked_at is not None:
        status = "revoked"
    elif row.expires_at is not None and _moment(row.expires_at) <= now:
        status = "expired"
    else:
        status = "active"
    return TokenInfo(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        tenant=str(row.identifier),
        name=None if row.name is None else str(row.name),
        created_at=stored_timestamp(row.created_at),
        expires_at=expires_at,
        last_used_at=_optional_timestamp(row.last_used_at),
        revoked_at=revoked_at,
        status=status,
    )


def _optional_timestamp(value: object) -> str | None:
    return None if value is None else stored_timestamp(value)


def _moment(value: object) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return parse_timestamp(str(value))
