"""The access token lifecycle (expiry, revocation, last use), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from geode.app import App
from geode.errors import AuthenticationError, InvalidInputError, NotFoundError
from geode.tenants.models import AccessToken
from geode.tenants.service import (
    LAST_USED_PRECISION,
    TenantInfo,
    authenticate,
    check_token,
    create_tenant,
    create_token,
    get_token,
    list_tokens,
    record_use,
    revoke_token,
)
from geode.timestamps import parse_timestamp

_tokens: sa.Table = AccessToken.__table__  # type: ignore[assignment]
INVALID = "invalid access token id or secret"


def _at(timestamp: str | None) -> datetime:
    assert timestamp is not None
    return parse_timestamp(timestamp)


# -- expiry -----------------------------------------------------------------------------


def test_a_token_without_expiry_never_expires(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
    assert token.expires_at is None
    far_future = datetime.now(UTC) + timedelta(days=365 * 50)
    with app.engine.connect() as connection:
        assert check_token(connection, token.id, token.secret, now=far_future).tenant_id == (
            tenant.id
        )
        assert get_token(connection, token.id).status == "active"


def test_a_token_works_until_it_expires_then_is_refused_saying_so(
    app: App, tenant: TenantInfo
) -> None:
    before = datetime.now(UTC)
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id, expires_in=timedelta(hours=12))
    expires_at = _at(token.expires_at)
    assert before + timedelta(hours=12) <= expires_at <= datetime.now(UTC) + timedelta(hours=12)
    with app.engine.connect() as connection:
        assert authenticate(connection, token.id, token.secret) == tenant.id
        just_before = expires_at - timedelta(microseconds=1)
        assert check_token(connection, token.id, token.secret, now=just_before).tenant_id == (
            tenant.id
        )
        with pytest.raises(AuthenticationError) as caught:
            check_token(connection, token.id, token.secret, now=expires_at)
    assert caught.value.code == "unauthenticated"
    assert "expired" in caught.value.message
    assert token.expires_at in caught.value.message
    assert f"geode token create --tenant {tenant.identifier}" in caught.value.message
    assert caught.value.detail == {"reason": "expired", "at": token.expires_at}


def test_an_expired_token_is_refused_for_real(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id, expires_in=timedelta(hours=1))
        # An hour passed: moved back rather than waited for.
        connection.execute(
            sa.update(_tokens)
            .where(_tokens.c.id == token.id)
            .values(expires_at="2020-01-01T00:00:00.000000Z")
        )
    with app.engine.connect() as connection, pytest.raises(AuthenticationError, match="expired"):
        authenticate(connection, token.id, token.secret)
    with app.engine.connect() as connection:
        listed = get_token(connection, token.id)
    assert listed.status == "expired"
    assert listed.expires_at == "2020-01-01T00:00:00.000000Z"


def test_a_wrong_secret_for_an_expired_or_revoked_token_learns_nothing(
    app: App, tenant: TenantInfo
) -> None:
    with app.engine.begin() as connection:
        expired = create_token(connection, tenant.id, expires_in=timedelta(seconds=1))
        revoked = create_token(connection, tenant.id)
        revoke_token(connection, revoked.id)
    later = datetime.now(UTC) + timedelta(days=1)
    with app.engine.connect() as connection:
        for token in (expired, revoked):
            with pytest.raises(AuthenticationError) as caught:
                check_token(connection, token.id, "not-the-secret", now=later)
            assert caught.value.message == INVALID
            assert caught.value.detail is None


@pytest.mark.parametrize("lifetime", [timedelta(0), timedelta(seconds=-1)])
def test_a_lifetime_must_be_positive(app: App, tenant: TenantInfo, lifetime: timedelta) -> None:
    with app.engine.begin() as connection, pytest.raises(InvalidInputError, match="positive"):
        create_token(connection, tenant.id, expires_in=lifetime)


def test_a_lifetime_past_the_calendar_is_refused(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection, pytest.raises(InvalidInputError, match="too long"):
        create_token(connection, tenant.id, expires_in=timedelta(days=999_999_999))


# -- revocation -------------------------------------------------------------------------


def test_a_revoked_token_is_refused_at_once_saying_so(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
        kept = create_token(connection, tenant.id)
    with app.engine.begin() as connection:
        revoked = revoke_token(connection, token.id)
    assert revoked.status == "revoked"
    assert revoked.revoked_at is not None
    with app.engine.connect() as connection:
        with pytest.raises(AuthenticationError) as caught:
            authenticate(connection, token.id, token.secret)
        # Revoking one token leaves the tenant's other tokens alone.
        assert authenticate(connection, kept.id, kept.secret) == tenant.id
    assert "revoked" in caught.value.message
    assert f"geode token create --tenant {tenant.identifier}" in caught.value.message
    assert caught.value.detail == {"reason": "revoked", "at": revoked.revoked_at}


def test_revoking_twice_changes_nothing(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
        first = revoke_token(connection, token.id)
    with app.engine.begin() as connection:
        second = revoke_token(connection, token.id)
    assert second == first


def test_revoking_an_unknown_token_is_not_found(app: App) -> None:
    with (
        app.engine.begin() as connection,
        pytest.raises(NotFoundError, match="geode token list"),
    ):
        revoke_token(connection, "0123456789abcdef01234567")


# -- listing ----------------------------------------------------------------------------


def test_list_shows_every_token_of_a_tenant_without_secrets(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        other = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
        plain = create_token(connection, tenant.id)
        named = create_token(
            connection, tenant.id, expires_in=timedelta(days=30), name="nightly ERP sync"
        )
        gone = create_token(connection, tenant.id)
        theirs = create_token(connection, other.id)
        revoke_token(connection, gone.id)
    with app.engine.connect() as connection:
        mine = list_tokens(connection, tenant.id)
        everyone = list_tokens(connection)
    assert [t.id for t in mine] == [plain.id, named.id, gone.id]
    assert {plain.id, named.id, gone.id, theirs.id} <= {t.id for t in everyone}
    by_id = {t.id: t for t in mine}
    assert by_id[plain.id].status == "active"
    assert by_id[plain.id].expires_at is None
    assert by_id[plain.id].last_used_at is None
    assert by_id[named.id].name == "nightly ERP sync"
    assert by_id[named.id].expires_at == named.expires_at
    assert by_id[gone.id].status == "revoked"
    assert {t.tenant for t in mine} == {tenant.identifier}
    with app.engine.connect() as connection:
        hashes = set(connection.execute(sa.select(_tokens.c.secret_hash)).scalars())
    for token in everyone:
        shown = {str(value) for value in vars(token).values()}
        assert not shown & hashes
        assert plain.secret not in shown and named.secret not in shown


@pytest.mark.parametrize(
    "name", ["", "x" * 201, "line\nbreak", "bell\x07", "evil\u202etxt.exe", "zero\u200bwidth"]
)
def test_a_token_name_must_be_printable(app: App, tenant: TenantInfo, name: str) -> None:
    with app.engine.begin() as connection, pytest.raises(InvalidInputError, match="name"):
        create_token(connection, tenant.id, name=name)


def test_a_token_name_may_be_any_printable_text(app: App, tenant: TenantInfo) -> None:
    name = "Kassa 3 \u2014 Bergen, ☕ " + "x" * 180
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id, name=name)
    with app.engine.connect() as connection:
        assert get_token(connection, token.id).name == name


# -- last use ---------------------------------------------------------------------------


def test_last_use_is_written_at_most_once_a_minute(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
    start = datetime.now(UTC)
    with app.engine.connect() as connection:
        assert check_token(connection, token.id, token.secret, now=start).use_is_due
    with app.engine.begin() as connection:
        record_use(connection, token.id, now=start)
    with app.engine.connect() as connection:
        assert _at(get_token(connection, token.id).last_used_at) == start
        soon = start + LAST_USED_PRECISION - timedelta(seconds=1)
        assert not check_token(connection, token.id, token.secret, now=soon).use_is_due
    with app.engine.begin() as connection:
        record_use(connection, token.id, now=soon)  # a racing request: no change
    with app.engine.connect() as connection:
        assert _at(get_token(connection, token.id).last_used_at) == start
        later = start + LAST_USED_PRECISION
        assert check_token(connection, token.id, token.secret, now=later).use_is_due
    with app.engine.begin() as connection:
        record_use(connection, token.id, now=later)
    with app.engine.connect() as connection:
        assert _at(get_token(connection, token.id).last_used_at) == later


def test_a_refused_token_is_not_due_a_use(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
        revoke_token(connection, token.id)
    with app.engine.connect() as connection, pytest.raises(AuthenticationError):
        check_token(connection, token.id, token.secret)
    with app.engine.connect() as connection:
        assert get_token(connection, token.id).last_used_at is None
