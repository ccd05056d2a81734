"""Bad GEODE_* values are told as the variable, its value and what it accepts."""

from __future__ import annotations

import pytest

from geode.errors import InvalidSettingError
from geode.settings import Settings
from geode.settings_check import load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(f"GEODE_{name.upper()}", raising=False)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "GEODE_BATCH_SIZE",
            "0",
            "GEODE_BATCH_SIZE=0 is not valid: must be an integer from 1 to 50000",
        ),
        (
            "GEODE_WORKER_NICE",
            "20",
            "GEODE_WORKER_NICE=20 is not valid: must be an integer from 0 to 19",
        ),
        (
            "GEODE_COMMIT_EVERY",
            "1.5",
            "GEODE_COMMIT_EVERY=1.5 is not valid: must be an integer at least 1",
        ),
        (
            "GEODE_WORKER_POLL_INTERVAL",
            "-1",
            "GEODE_WORKER_POLL_INTERVAL=-1 is not valid: must be a number greater than 0",
        ),
        ("GEODE_BATCH_SIZE", "", "GEODE_BATCH_SIZE='' is not valid"),
    ],
)
def test_a_bad_number_names_the_variable_the_value_and_the_range(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(InvalidSettingError) as raised:
        load_settings()
    assert raised.value.message.startswith(message)


def test_two_bad_variables_are_both_named_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEODE_BATCH_SIZE", "-5")
    monkeypatch.setenv("GEODE_WORKER_CONCURRENCY", "99")
    with pytest.raises(InvalidSettingError) as raised:
        load_settings()
    assert "GEODE_BATCH_SIZE=-5" in raised.value.message
    assert "GEODE_WORKER_CONCURRENCY=99" in raised.value.message
    assert "\n" not in raised.value.message


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///geode.db",
        "sqlite:////var/lib/geode/geode.db",
        "postgresql://geode@db/geode",
        "postgresql+psycopg://geode:pw@db:5432/geode?connect_timeout=10",
    ],
)
def test_sqlite_and_postgresql_urls_are_accepted(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("GEODE_DATABASE_URL", url)
    assert load_settings().resolved_database_url == url


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://u:topsecret@h/db", "not 'mysql'"),
        ("postgresql+psycopg2://u:topsecret@h/db", "not 'postgresql+psycopg2'"),
        ("postgres://u:topsecret@h/db", "not 'postgres'"),
        ("just words", "not a database URL"),
        ("u:topsecret@h", "not a database URL"),
    ],
)
def test_other_database_urls_are_refused_without_their_password(
    monkeypatch: pytest.MonkeyPatch, url: str, words: str
) -> None:
    monkeypatch.setenv("GEODE_DATABASE_URL", url)
    with pytest.raises(InvalidSettingError) as raised:
        load_settings()
    assert raised.value.message.startswith("GEODE_DATABASE_URL=")
    assert words in raised.value.message
    assert "topsecret" not in raised.value.message


def test_heartbeats_must_come_more_often_than_the_stalled_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEODE_WORKER_HEARTBEAT_INTERVAL", "60")
    with pytest.raises(InvalidSettingError) as raised:
        load_settings()
    assert raised.value.message.startswith(
        "GEODE_WORKER_HEARTBEAT_INTERVAL=60 must be less than GEODE_WORKER_STALLED_TIMEOUT=30"
    )
    monkeypatch.setenv("GEODE_WORKER_STALLED_TIMEOUT", "120")
    assert load_settings().worker_stalled_timeout == 120


@pytest.mark.parametrize("url", ["ftp://example.com", "example.com", "https://x.com/?a=1"])
def test_a_public_url_must_be_a_plain_http_address(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("GEODE_PUBLIC_URL", url)
    with pytest.raises(InvalidSettingError) as raised:
        load_settings()
    assert raised.value.message.startswith("GEODE_PUBLIC_URL=")
    assert "is not valid: " in raised.value.message
    assert "http://" in raised.value.message or "query" in raised.value.message
