"""Tenants and access tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from geode.app import App
from geode.errors import AlreadyExistsError, AuthenticationError, InvalidInputError, NotFoundError
from geode.ids import is_id
from geode.tenants.models import AccessToken
from geode.tenants.service import (
    TenantInfo,
    authenticate,
    create_tenant,
    create_token,
    get_tenant,
    list_tenants,
)
from geode.timestamps import canonical_timestamp

_tokens: sa.Table = AccessToken.__table__  # type: ignore[assignment]


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# -- create_tenant ----------------------------------------------------------------------


def test_create_tenant_returns_it_and_it_can_be_read_back(app: App) -> None:
    identifier = unique()
    with app.engine.begin() as connection:
        created = create_tenant(connection, identifier)
    assert created.identifier == identifier
    assert is_id(created.id)
    assert canonical_timestamp(created.created_at) == created.created_at
    with app.engine.connect() as connection:
        assert get_tenant(connection, identifier) == created
        assert created in list_tenants(connection)


@pytest.mark.parametrize(
    "identifier", ["a", "0", "acme", "acme-eu-1", "9lives", "a" * 64, "a-", "a--b"]
)
def test_create_tenant_accepts_lowercase_identifiers(app: App, identifier: str) -> None:
    # Rolled back, so fixed identifiers do not stay in the database shared by every test.
    with app.engine.connect() as connection:
        assert create_tenant(connection, identifier).identifier == identifier
        assert get_tenant(connection, identifier).identifier == identifier
        connection.rollback()


@pytest.mark.parametrize(
    "identifier",
    [
        "",
        "Acme",
        "ACME",
        "-acme",
        "acme_eu",
        "acme eu",
        "acme.eu",
        "acmé",
        "a/b",
        "a" * 65,
        " acme",
    ],
)
def test_create_tenant_rejects_bad_identifiers(app: App, identifier: str) -> None:
    with app.engine.begin() as connection, pytest.raises(InvalidInputError, match="lowercase"):
        create_tenant(connection, identifier)
    with app.engine.connect() as connection:
        assert identifier not in {t.identifier for t in list_tenants(connection)}


def test_create_tenant_rejects_a_trailing_newline(app: App) -> None:
    identifier = unique() + "\n"
    with app.engine.begin() as connection, pytest.raises(InvalidInputError):
        create_tenant(connection, identifier)


def test_create_tenant_rejects_duplicates(app: App) -> None:
    identifier = unique()
    with app.engine.begin() as connection:
        first = create_tenant(connection, identifier)
    with (
        app.engine.begin() as connection,
        pytest.raises(AlreadyExistsError, match=identifier) as caught,
    ):
        create_tenant(connection, identifier)
    assert caught.value.code == "already_exists"
    with app.engine.connect() as connection:
        assert [t for t in list_tenants(connection) if t.identifier == identifier] == [first]


def test_get_unknown_tenant_is_not_found(app: App) -> None:
    with (
        app.engine.connect() as connection,
        pytest.raises(NotFoundError, match="geode tenant create"),
    ):
        get_tenant(connection, unique("missing"))


def test_list_tenants_is_sorted_by_identifier(app: App) -> None:
    stem = uuid.uuid4().hex[:8]
    names = [f"z{stem}-b", f"z{stem}-a", f"z{stem}-c"]
    with app.engine.begin() as connection:
        for name in names:
            create_tenant(connection, name)
    with app.engine.connect() as connection:
        listed = [t.identifier for t in list_tenants(connection)]
    assert [n for n in listed if stem in n] == sorted(names)


# -- tokens -----------------------------------------------------------------------------


def test_create_token_returns_a_secret_that_authenticates(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
    assert token.tenant_id == tenant.id
    assert is_id(token.id)
    assert len(token.secret) >= 32
    with app.engine.connect() as connection:
        assert authenticate(connection, token.id, token.secret) == tenant.id


def test_only_a_hash_of_the_secret_is_stored(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
    with app.engine.connect() as connection:
        row = (
            connection.execute(sa.select(_tokens).where(_tokens.c.id == token.id)).mappings().one()
        )
    assert row["tenant_id"] == tenant.id
    assert row["secret_hash"] != token.secret
    assert token.secret not in {str(value) for value in row.values()}
    assert len(row["secret_hash"]) == 64


def test_each_token_gets_its_own_secret(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        first = create_token(connection, tenant.id)
        second = create_token(connection, tenant.id)
    assert first.id != second.id
    assert first.secret != second.secret
    with app.engine.connect() as connection:
        assert authenticate(connection, first.id, first.secret) == tenant.id
        assert authenticate(connection, second.id, second.secret) == tenant.id
        with pytest.raises(AuthenticationError):
            authenticate(connection, first.id, second.secret)


def test_tokens_authenticate_as_their_own_tenant(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        other = create_tenant(connection, unique())
        mine = create_token(connection, tenant.id)
        theirs = create_token(connection, other.id)
    with app.engine.connect() as connection:
        assert authenticate(connection, mine.id, mine.secret) == tenant.id
        assert authenticate(connection, theirs.id, theirs.secret) == other.id


@pytest.mark.parametrize(
    "wrong",
    ["", "x", "secret-with-a-typo"],
)
def test_a_wrong_secret_is_refused(app: App, tenant: TenantInfo, wrong: str) -> None:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
    with app.engine.connect() as connection, pytest.raises(AuthenticationError) as caught:
        authenticate(connection, token.id, wrong)
    assert caught.value.code == "unauthenticated"


def test_a_near_miss_secret_is_refused(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
    near_misses = [token.secret[:-1], token.secret + "x", token.secret.upper(), " " + token.secret]
    with app.engine.connect() as connection:
        for secret in near_misses:
            if secret == token.secret:
                continue
            with pytest.raises(AuthenticationError):
                authenticate(connection, token.id, secret)


def test_the_stored_hash_is_not_accepted_as_the_secret(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
        stored = connection.execute(
            sa.select(_tokens.c.secret_hash).where(_tokens.c.id == token.id)
        ).scalar_one()
    with app.engine.connect() as connection, pytest.raises(AuthenticationError):
        authenticate(connection, token.id, stored)


@pytest.mark.parametrize("token_id", ["0123456789abcdef01234567", "", "not-an-id"])
def test_an_unknown_token_id_is_refused_with_the_same_error(
    app: App, tenant: TenantInfo, token_id: str
) -> None:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
    with app.engine.connect() as connection, pytest.raises(AuthenticationError) as caught:
        authenticate(connection, token_id, token.secret)
    with app.engine.connect() as connection, pytest.raises(AuthenticationError) as wrong_secret:
        authenticate(connection, token.id, "wrong")
    # Same message whether the id or the secret is wrong: nothing to probe ids with.
    assert caught.value.message == wrong_secret.value.message
