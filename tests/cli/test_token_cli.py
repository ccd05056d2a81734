"""`geode token create|list|revoke`, run as the real command against an embedded store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from geode.cli.tenant import parse_lifetime
from geode.errors import InvalidInputError
from geode.timestamps import parse_timestamp
from tests.cli.test_cli import EXIT_FAILED, geode, json_lines, new_tenant, ok, one_json

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("geode-tokens")


@pytest.fixture
def tenant(data_dir: Path) -> str:
    return new_tenant(data_dir)


@pytest.mark.parametrize(
    ("text", "lifetime"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("90m", timedelta(minutes=90)),
        ("3600s", timedelta(seconds=3600)),
        (" 7d ", timedelta(days=7)),
    ],
)
def test_a_lifetime_is_a_number_and_a_unit(text: str, lifetime: timedelta) -> None:
    assert parse_lifetime(text) == lifetime


@pytest.mark.parametrize("text", ["", "30", "d", "1.5h", "-1d", "1y", "1d2h", "10 days", "0s"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match="expires-in"):
        parse_lifetime(text)


def test_create_with_an_expiry_and_a_name_then_list_and_revoke(data_dir: Path, tenant: str) -> None:
    before = datetime.now(UTC)
    created = one_json(
        ok(
            geode(
                data_dir, "token", "create", "--tenant", tenant,
                "--expires-in", "30d", "--name", "ERP sync", "--json",
            )
        )
    )  # fmt: skip
    expires_at = parse_timestamp(created["expires_at"])
    assert before + timedelta(days=30) <= expires_at <= datetime.now(UTC) + timedelta(days=30)
    plain = one_json(ok(geode(data_dir, "token", "create", "--tenant", tenant, "--json")))

    rows = json_lines(ok(geode(data_dir, "token", "list", "--tenant", tenant, "--json")))
    assert [r["id"] for r in rows] == [created["id"], plain["id"]]
    assert set(rows[0]) == {
        "id", "tenant_id", "tenant", "name", "created_at", "expires_at", "last_used_at",
        "revoked_at", "status",
    }  # fmt: skip
    assert (rows[0]["name"], rows[0]["status"], rows[0]["tenant"]) == ("ERP sync", "active", tenant)
    assert rows[0]["expires_at"] == created["expires_at"]
    assert rows[1]["expires_at"] is None
    assert created["secret"] not in str(rows) and plain["secret"] not in str(rows)

    table = ok(geode(data_dir, "token", "list", "--tenant", tenant)).stdout
    assert "LAST USED" in table
    assert created["id"] in table and plain["id"] in table
    assert "ERP sync" in table
    assert created["secret"] not in table

    revoked = ok(geode(data_dir, "token", "revoke", plain["id"]))
    assert f"revoked access token {plain['id']} of tenant {tenant}" in revoked.stdout
    again = one_json(ok(geode(data_dir, "token", "revoke", plain["id"], "--json")))
    assert again["status"] == "revoked"
    rows = json_lines(ok(geode(data_dir, "token", "list", "--tenant", tenant, "--json")))
    assert [r["status"] for r in rows] == ["active", "revoked"]
    assert rows[1]["revoked_at"] == again["revoked_at"]


def test_a_bad_expiry_is_one_line_and_issues_nothing(data_dir: Path, tenant: str) -> None:
    result = geode(data_dir, "token", "create", "--tenant", tenant, "--expires-in", "soon")
    assert result.returncode == EXIT_FAILED
    assert result.stderr.count("\n") == 1
    assert "e.g. 30d, 12h, 90m or 3600s" in result.stderr
    assert result.stdout == ""
    assert ok(geode(data_dir, "token", "list", "--tenant", tenant, "--json")).stdout == ""


def test_revoking_an_unknown_token_fails_with_a_message(data_dir: Path) -> None:
    result = geode(data_dir, "token", "revoke", "0123456789abcdef01234567")
    assert result.returncode == EXIT_FAILED
    assert "no access token" in result.stderr
    assert "Traceback" not in result.stderr


def test_listing_tokens_of_an_unknown_tenant_fails(data_dir: Path) -> None:
    result = geode(data_dir, "token", "list", "--tenant", "no-such-tenant-here")
    assert result.returncode == EXIT_FAILED
    assert "no tenant" in result.stderr
